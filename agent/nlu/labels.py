"""The label set: Bitext's 27 customer-service intents, Concierge's store intents, `out_of_scope`,
and how CLINC150's intents are used (out of scope, mapped to a store intent, or left out)."""

from __future__ import annotations

BITEXT_INTENTS: tuple[str, ...] = (
    "cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee",
    "check_invoice", "check_payment_methods", "check_refund_policy", "complaint",
    "contact_customer_service", "contact_human_agent", "create_account", "delete_account",
    "delivery_options", "delivery_period", "edit_account", "get_invoice", "get_refund",
    "newsletter_subscription", "payment_issue", "place_order", "recover_password",
    "registration_problems", "review", "set_up_shipping_address", "switch_account", "track_order",
    "track_refund",
)

STORE_INTENTS: tuple[str, ...] = (
    "product_question", "policy_question", "get_offers", "return_items", "exchange_items",
    "modify_items", "modify_payment", "identify", "inform", "affirm", "deny", "greeting", "thanks",
    "goodbye",
)

OUT_OF_SCOPE = "out_of_scope"

ALL_LABELS: tuple[str, ...] = (*BITEXT_INTENTS, *STORE_INTENTS, OUT_OF_SCOPE)

# CLINC150 intents whose utterances train a store intent (conversation glue every shop needs).
CLINC_MAPPED: dict[str, str] = {
    "yes": "affirm",
    "no": "deny",
    "greeting": "greeting",
    "thank_you": "thanks",
    "goodbye": "goodbye",
}

# CLINC150 intents left out entirely: they overlap what a retail shopper legitimately asks
# (orders, shopping, payments at checkout, their account) or are ambiguous dialogue acts, so
# they are neither out-of-scope examples nor in-scope ones.
CLINC_EXCLUDED: dict[str, str] = {
    "order": "placing an order (Bitext place_order)",
    "order_status": "where is my order (Bitext track_order)",
    "card_declined": "a declined card at checkout (Bitext payment_issue)",
    "redeem_rewards": "rewards/points overlap store offers",
    "rewards_balance": "rewards/points overlap store offers",
    "account_blocked": "a locked account overlaps Bitext recover_password/registration_problems",
    "change_user_name": "changing the account name overlaps Bitext edit_account",
    "what_can_i_ask_you": "asking what the assistant can do is in scope",
    "cancel": "'cancel that' is ambiguous between deny and cancel_order",
    "maybe": "a hedge in the dialogue, not a request",
    "repeat": "'say that again' is part of the dialogue",
}


def clinc_label(intent: str) -> str | None:
    """The Concierge label a CLINC150 intent trains, or None when it is left out."""
    if intent in CLINC_EXCLUDED:
        return None
    if intent in CLINC_MAPPED:
        return CLINC_MAPPED[intent]
    return OUT_OF_SCOPE  # every other CLINC intent (banking, travel, small talk, ...) and "oos"
