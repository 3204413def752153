"""Document builders: generated descriptions, negative options, kb sections, history, adapter."""

from __future__ import annotations

from pathlib import Path

from retrieval.catalog_docs import attr_key, catalog_docs, option_phrase
from retrieval.embedding import Bm25Encoder
from retrieval.history_docs import history_docs
from retrieval.kb_sources import abcd_sections, chunk_text, kb_docs, markdown_sections
from retrieval.models import CatalogProduct, ConversationSummary, ProductVariant
from retrieval.tau2_adapter import order_from_record

from .conftest import POLICY

BM25 = Bm25Encoder(avg_len=24)

CAMERA = CatalogProduct(product_id="p1", name="Action Camera", category="electronics", variants=(
    ProductVariant(item_id="a", options={"resolution": "4K", "waterproof": "yes"}, price=500.0, available=True),
    ProductVariant(item_id="b", options={"resolution": "1080p", "waterproof": "no"}, price=450.0, available=False),
))


def test_option_phrases() -> None:
    assert option_phrase("waterproof", "yes") == "waterproof"
    assert option_phrase("waterproof", "no") == "not waterproof"
    assert option_phrase("backlight", "none") == "no backlight"
    assert option_phrase("switch type", "clicky") == "switch type: clicky"


def test_catalog_points_ids_payload_and_negative_facts() -> None:
    docs = {d.result_id: d for d in catalog_docs([CAMERA], BM25.token_ids)}
    assert set(docs) == {"p1", "p1:a", "p1:b"}
    product, yes, no = docs["p1"], docs["p1:a"], docs["p1:b"]
    assert product.payload["kind"] == "product" and yes.payload["kind"] == "variant"
    assert (product.payload["price_min"], product.payload["price_max"]) == (450.0, 500.0)
    assert product.payload["available"] is True and no.payload["available"] is False
    assert "not waterproof" in no.dense_text
    assert "waterproof" not in no.sparse_text.lower()  # BM25 must not match 'waterproof' here
    assert "waterproof" in yes.sparse_text
    waterproof = attr_key(BM25.token_ids("waterproof"))
    assert waterproof in yes.payload["attrs"] and waterproof not in no.payload["attrs"]
    assert waterproof not in product.payload["attrs"]  # only facts common to every variant


def test_content_hash_changes_with_content() -> None:
    d1 = next(iter(catalog_docs([CAMERA], BM25.token_ids)))
    cheaper = CAMERA.model_copy(update={"variants": (CAMERA.variants[0].model_copy(update={"price": 1.0}),
                                                     CAMERA.variants[1])})
    d2 = next(iter(catalog_docs([cheaper], BM25.token_ids)))
    assert d1.content_hash("m") == d1.content_hash("m") != d2.content_hash("m")
    assert d1.content_hash("m") != d1.content_hash("other-model")


def test_policy_sections_have_titles_and_parents() -> None:
    secs = {s.section_id: s for s in markdown_sections(POLICY.read_text(), source="tau2_policy",
                                                         doc_id="tau2-policy")}
    cancel = secs["tau2-policy/cancel-pending-order"]
    assert cancel.title == "Cancel pending order"
    assert "no longer needed" in cancel.text
    assert secs["tau2-policy/modify-payment"].path == ("Retail agent policy", "Modify pending order")


def test_markdown_ignores_headings_in_code_and_dedupes_ids() -> None:
    md = "# FAQ\n\n## Shipping\nfast\n```\n# not a heading\n```\n## Shipping\nagain\n"
    secs = markdown_sections(md, source="faq", doc_id="faq/x")
    assert [s.section_id for s in secs] == ["faq/x/faq", "faq/x/shipping", "faq/x/shipping-2"]
    assert "# not a heading" in secs[1].text


def test_abcd_sections_and_chunks() -> None:
    secs = abcd_sections()
    assert len(secs) == 55
    stain = next(s for s in secs if s.title == "Return Due to Stain")
    assert stain.section_id == "abcd/product-defect/return-due-to-stain" and stain.path == ("Product Defect",)
    docs = list(kb_docs(secs))
    assert all(len(d.text.split()) <= 200 for d in docs)
    assert {d.result_id for d in docs} == {s.section_id for s in secs}
    assert len(chunk_text("word " * 500, 180)) == 3


def test_history_docs_carry_customer(tau2_db: dict) -> None:
    rec = tau2_db["orders"]["#W2611340"]
    order = order_from_record(rec)
    assert order.customer_id == "james_li_5688" and order.tracking_ids == ("357962501027",)
    summary = ConversationSummary(customer_id="james_li_5688", conversation_id="c1", text="Asked about a refund.")
    docs = list(history_docs([order], [summary]))
    assert [d.result_id for d in docs] == ["#W2611340", "conversation:c1"]
    assert all(d.payload["customer_id"] == "james_li_5688" for d in docs)
    assert "Water Bottle" in docs[0].text and "215 River Road" not in docs[0].text
    assert Path(POLICY).exists()


def test_kb_sentence_points() -> None:
    """Every distinctive sentence gets a point with the breadcrumb; sentences shared by three
    or more sections do not; a sentence point returns the chunk that holds it."""
    shared = "Start by looking up the order using the order id and the full name."
    long_tail = " ".join(f"Filler sentence number {i} about nothing in particular." for i in range(40))
    md = ("# Help\n\n"
          f"## Returns\nReturns are accepted within 30 days. {shared}\n\n{long_tail}\n\n"
          "Gift cards cannot be returned for cash.\n"
          f"## Exchanges\nExchanges keep the same product type. {shared}\n"
          f"## Cancellations\nOnly pending orders can be cancelled. {shared}\n")
    docs = list(kb_docs(markdown_sections(md, source="faq", doc_id="faq/help")))
    sentence_points = [d for d in docs if "#s" in d.key]
    texts = [d.dense_text for d in sentence_points]
    assert "Help › Returns: Returns are accepted within 30 days." in texts
    assert not any("Start by looking up the order" in t for t in texts)
    gift = next(d for d in sentence_points if "Gift cards cannot be returned" in d.dense_text)
    assert gift.result_id == "faq/help/returns"
    assert "Gift cards cannot be returned" in gift.text and gift.payload["chunk"] == gift.payload["chunks"] > 1
    assert len({d.key for d in docs}) == len(docs)
