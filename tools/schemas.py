"""Typed argument schemas of the tools. Descriptions are what the LLM reads.

Unknown arguments are rejected (`extra="forbid"`), strings are not coerced from numbers, so a
garbled tool call from a small model fails loudly instead of doing something unintended. Control
characters (NUL and the like) are rejected too: no id, name or address contains one, and
PostgreSQL cannot even store a NUL in text, so they would otherwise fail deep in the database.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

# Line breaks and tabs are ordinary in free text (a hand-off summary); every other control is not.
ALLOWED_CONTROLS = frozenset("\t\n\r")


def first_control_character(text: str) -> str | None:
    return next((ch for ch in text if unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS), None)


def reject_control_characters(value: Any) -> Any:
    """Refuse a string (or list of strings) holding a control character, naming it."""
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and (ch := first_control_character(text)) is not None:
            raise PydanticCustomError(
                "control_character", "must not contain control characters (found U+{code})",
                {"code": f"{ord(ch):04X}"})
    return value


class Args(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return reject_control_characters(value)


OrderId = Field(description="The order id, such as '#W0000000'. Be careful there is a '#' symbol at the beginning.",
                min_length=1, max_length=32)
ProductId = Field(description="The product id, such as '6086499569'. It is different from an item id.",
                  min_length=1, max_length=32)
ItemId = Field(description="The item (variant) id, such as '1008292230'. It is different from a product id.",
               min_length=1, max_length=32)
UserId = Field(description="The user id, such as 'sara_doe_496'.", min_length=1, max_length=64)
PaymentMethodId = Field(
    description="A payment method id of the customer, such as 'gift_card_0000000' or 'credit_card_0000000'.",
    min_length=1, max_length=64)
ItemIds = Field(description="Item ids of the order, each such as '1008292230'. Duplicates allowed.",
                min_length=1, max_length=50)


class NoArgs(Args):
    pass


class FindUserByEmail(Args):
    email: str = Field(description="The customer's email, such as 'something@example.com'.",
                       min_length=3, max_length=320)


class FindUserByNameZip(Args):
    first_name: str = Field(description="First name, such as 'John'.", min_length=1, max_length=128)
    last_name: str = Field(description="Last name, such as 'Doe'.", min_length=1, max_length=128)
    zip: str = Field(description="Zip code, such as '12345'.", min_length=1, max_length=16)


class UserRef(Args):
    user_id: str = UserId


class OrderRef(Args):
    order_id: str = OrderId


class ProductRef(Args):
    product_id: str = ProductId


class ItemRef(Args):
    item_id: str = ItemId


class Calculate(Args):
    expression: str = Field(
        description="Arithmetic with numbers, + - * / and parentheses, such as '2 + 2'.",
        min_length=1, max_length=500)


class CancelOrder(Args):
    order_id: str = OrderId
    reason: str = Field(description="Either 'no longer needed' or 'ordered by mistake'.", max_length=64)


class AddressFields(Args):
    address1: str = Field(description="First line, such as '123 Main St'.", min_length=1, max_length=256)
    address2: str = Field(description="Second line, such as 'Apt 1', or ''.", max_length=256)
    city: str = Field(description="City, such as 'San Francisco'.", min_length=1, max_length=128)
    state: str = Field(description="State, such as 'CA'.", min_length=1, max_length=64)
    country: str = Field(description="Country, such as 'USA'.", min_length=1, max_length=64)
    zip: str = Field(description="Zip code, such as '12345'.", min_length=1, max_length=16)


class ModifyOrderAddress(AddressFields):
    order_id: str = OrderId


class ModifyUserAddress(AddressFields):
    user_id: str = UserId


class ModifyOrderItems(Args):
    order_id: str = OrderId
    item_ids: list[str] = ItemIds
    new_item_ids: list[str] = Field(
        description="The new item ids, position by position, each of the same product as the old one.",
        min_length=1, max_length=50)
    payment_method_id: str = PaymentMethodId


class ExchangeItems(ModifyOrderItems):
    pass


class ModifyOrderPayment(Args):
    order_id: str = OrderId
    payment_method_id: str = PaymentMethodId


class ReturnItems(Args):
    order_id: str = OrderId
    item_ids: list[str] = ItemIds
    payment_method_id: str = Field(
        description="Where the refund goes: the order's original payment method or one of the customer's gift cards.",
        min_length=1, max_length=64)


class TransferToHuman(Args):
    summary: str = Field(description="A summary of the customer's issue for the human agent.",
                         min_length=1, max_length=4000)


class GetOffers(Args):
    pass
