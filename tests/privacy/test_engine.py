"""The analyzer is built once, offline."""

from __future__ import annotations

from privacy.config import PrivacyConfig
from privacy.engine import build_analyzer
from privacy.recognizers.email import OfflineEmailRecognizer, offline_tld_extractor


def test_analyzer_is_cached_per_config(detector) -> None:
    assert build_analyzer(detector.config) is detector.analyzer
    assert build_analyzer(PrivacyConfig(allow_terms=detector.config.allow_terms)) is detector.analyzer


def test_email_recognizer_is_the_offline_one(detector) -> None:
    names = {type(r) for r in detector.analyzer.registry.recognizers}
    assert OfflineEmailRecognizer in names
    assert not any(r.name == "EmailRecognizer" and type(r) is not OfflineEmailRecognizer
                   for r in detector.analyzer.registry.recognizers)


def test_tld_extractor_never_fetches() -> None:
    extractor = offline_tld_extractor()
    assert extractor.suffix_list_urls == ()
    assert extractor("shop@example.co.uk").suffix == "co.uk"


def test_privacy_does_not_import_the_rest_of_the_app() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "privacy"
    banned = {"agent", "server", "retrieval", "tools"}
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            assert not any(m.split(".")[0] in banned for m in mods), (path, mods)
            assert "os.environ" not in ast.unparse(node)
        assert "os.environ" not in path.read_text() and "getenv" not in path.read_text()


def test_spacy_runs_ner_only_and_context_still_works(detector) -> None:
    nlp = detector.analyzer.nlp_engine.get_nlp(detector.config.language)
    assert nlp.pipe_names == ["ner"]
    # Presidio's context enhancer reads lower-cased words in place of lemmas: "zip" lifts a
    # bare five-digit number, and "cards" (plural) still contains the context word "card".
    assert "ZIP_CODE" in {d.entity_type for d in detector.detect("my zip code is 30301")}
    artifacts = detector.analyzer.nlp_engine.process_text("Two cards were charged", "en")
    assert artifacts.lemmas == ["two", "cards", "were", "charged"]


def test_recognizers_that_cannot_match_are_skipped(detector) -> None:
    from privacy.engine import NEEDS

    by_name = {r.name: r for r in detector.analyzer.registry.recognizers}
    assert by_name["OfflineEmailRecognizer"].analyze("no at sign here", ["EMAIL_ADDRESS"], None) == []
    assert set(NEEDS) <= set(by_name)
