"""The τ²-bench retail tools over the reference CRM, with τ²'s semantics and error messages.

Differences from τ²'s reference implementation, on purpose:
- identity and ownership: lookups authenticate the session; everything else is limited to the
  authenticated customer (τ² trusts the agent to do this);
- `modify_pending_order_items` gives each modified line the price and options of *its own* new
  variant (τ²'s reference gives every line those of the last new variant);
- money is Decimal, exact to the cent.
"""

from __future__ import annotations

import ast
import json
import operator
import unicodedata
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tools import schemas as a
from tools.errors import Forbidden, InvalidArguments, NotFound, PolicyViolation
from tools.models import Address, Customer, Order, Payment, PaymentMethod, Product, Variant
from tools.records import order_record, product_record, user_record, variant_record
from tools.registry import ToolContext, ToolRegistry

registry = ToolRegistry()
CENT = Decimal("0.01")
CANCEL_REASONS = ("no longer needed", "ordered by mistake")


def fold(text: str) -> str:
    """Case- and accent-insensitive form, as τ² matches names and emails."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


# ---------------------------------------------------------------- lookups and ownership

def _order(ctx: ToolContext, order_id: str, *, lock: bool = False) -> Order:
    order = ctx.db.get(Order, order_id, options=[selectinload(Order.items), selectinload(Order.payments)])
    if order is None:
        raise NotFound("Order not found")
    if order.customer_id != ctx.session.customer_id:
        raise Forbidden(f"Order {order_id} is not on the verified customer's account; "
                        "I can only help with that customer's own orders.")
    return order


def _own_user(ctx: ToolContext, user_id: str) -> Customer:
    if user_id != ctx.session.customer_id:
        raise Forbidden("I can only access the verified customer's own profile "
                        "(one customer per conversation).")
    user = ctx.db.get(Customer, user_id)
    if user is None:
        raise NotFound("User not found")
    return user


def _payment_method(ctx: ToolContext, user_id: str, payment_method_id: str) -> PaymentMethod:
    pm = ctx.db.get(PaymentMethod, payment_method_id)
    if pm is None or pm.customer_id != user_id:
        raise NotFound("Payment method not found")
    return pm


def _variant(ctx: ToolContext, product_id: str, item_id: str) -> Variant:
    if ctx.db.get(Product, product_id) is None:
        raise NotFound("Product not found")
    variant = ctx.db.get(Variant, item_id)
    if variant is None or variant.product_id != product_id:
        raise NotFound("Variant not found")
    return variant


def _authenticate(ctx: ToolContext, user_id: str, how: str) -> str:
    current = ctx.session.customer_id
    if current is not None and current != user_id:
        raise PolicyViolation("This conversation is already verified as another customer. "
                              "I can only help one customer per conversation.")
    ctx.session.customer_id = user_id
    ctx.session.verified_by = ctx.session.verified_by or how  # type: ignore[assignment]
    return user_id


def _touch(ctx: ToolContext, order: Order) -> None:
    """Mark the order written: bumps its version, so a concurrent write on it conflicts."""
    order.updated_at = ctx.now


def _append_payment(order: Order, kind: str, amount: Decimal, payment_method_id: str) -> None:
    order.payments.append(Payment(position=len(order.payments), transaction_type=kind,
                                  amount=amount.quantize(CENT), payment_method_id=payment_method_id))


def _check_item_counts(order: Order, item_ids: list[str], message: str) -> None:
    in_order = [i.item_id for i in order.items]
    for item_id in item_ids:
        if item_ids.count(item_id) > in_order.count(item_id):
            raise NotFound(message.format(item_id=item_id))


# ---------------------------------------------------------------- read tools

@registry.tool("find_user_id_by_email", a.FindUserByEmail, needs_auth=False)
def find_user_id_by_email(ctx: ToolContext, args: a.FindUserByEmail) -> str:
    """Find a customer's user id by email, and verify the conversation as that customer.
    If the customer is not found, the tool returns an error."""
    wanted = fold(args.email)
    user_id = ctx.db.scalar(select(Customer.id).where(func.lower(Customer.email) == args.email.lower()))
    if user_id is None:  # accents or odd casing: fall back to folded comparison
        for cid, email in ctx.db.execute(select(Customer.id, Customer.email)):
            if fold(email) == wanted:
                user_id = cid
                break
    if user_id is None:
        raise NotFound("User not found")
    return _authenticate(ctx, user_id, "email")


@registry.tool("find_user_id_by_name_zip", a.FindUserByNameZip, needs_auth=False)
def find_user_id_by_name_zip(ctx: ToolContext, args: a.FindUserByNameZip) -> str:
    """Find a customer's user id by first name, last name and zip code, and verify the
    conversation as that customer. Use it when the customer cannot give their email."""
    first, last = fold(args.first_name), fold(args.last_name)
    rows = ctx.db.execute(
        select(Customer.id, Customer.first_name, Customer.last_name)
        .join(Address, (Address.customer_id == Customer.id) & (Address.kind == "default"))
        .where(Address.zip == args.zip)
        .order_by(Customer.id)
    )
    for cid, fn, ln in rows:
        if fold(fn) == first and fold(ln) == last:
            return _authenticate(ctx, cid, "name_zip")
    raise NotFound("User not found")


@registry.tool("get_user_details", a.UserRef)
def get_user_details(ctx: ToolContext, args: a.UserRef) -> dict[str, Any]:
    """Get the verified customer's profile: name, default address, email, payment methods and order ids."""
    return user_record(_own_user(ctx, args.user_id))


@registry.tool("get_order_details", a.OrderRef)
def get_order_details(ctx: ToolContext, args: a.OrderRef) -> dict[str, Any]:
    """Get the status and details of one of the verified customer's orders: items, address,
    fulfillments with tracking ids, payment history."""
    return order_record(_order(ctx, args.order_id))


@registry.tool("get_product_details", a.ProductRef, needs_auth=False)
def get_product_details(ctx: ToolContext, args: a.ProductRef) -> dict[str, Any]:
    """Get a product type and all its variant items with options, availability and price."""
    product = ctx.db.get(Product, args.product_id)
    if product is None:
        raise NotFound("Product not found")
    return product_record(product)


@registry.tool("get_item_details", a.ItemRef, needs_auth=False)
def get_item_details(ctx: ToolContext, args: a.ItemRef) -> dict[str, Any]:
    """Get one variant item: options, availability and price."""
    variant = ctx.db.get(Variant, args.item_id)
    if variant is None:
        raise NotFound("Item not found")
    return variant_record(variant)


@registry.tool("list_all_product_types", a.NoArgs, needs_auth=False)
def list_all_product_types(ctx: ToolContext, args: a.NoArgs) -> str:
    """List the name and product id of every product type in the store, as JSON sorted by name."""
    rows = ctx.db.execute(select(Product.name, Product.id))
    return json.dumps({name: pid for name, pid in rows}, sort_keys=True)


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _eval(node.operand)
        return -value if isinstance(node.op, ast.USub) else value
    raise InvalidArguments("Invalid expression")


@registry.tool("calculate", a.Calculate, needs_auth=False)
def calculate(ctx: ToolContext, args: a.Calculate) -> str:
    """Calculate an arithmetic expression with numbers, + - * / and parentheses; rounded to 2 decimals."""
    if not all(ch in "0123456789+-*/(). " for ch in args.expression):
        raise InvalidArguments("Invalid characters in expression")
    try:
        value = _eval(ast.parse(args.expression, mode="eval"))
    except ZeroDivisionError:
        raise InvalidArguments("Division by zero") from None
    except SyntaxError:
        raise InvalidArguments("Invalid expression") from None
    return str(round(value, 2))


@registry.tool("transfer_to_human_agents", a.TransferToHuman, needs_auth=False)
def transfer_to_human_agents(ctx: ToolContext, args: a.TransferToHuman) -> str:
    """Transfer the customer to a human agent with a summary of their issue. Only when the
    customer asks for a human, or the request cannot be handled with the available tools."""
    return "Transfer successful"


# ---------------------------------------------------------------- write tools

@registry.tool("cancel_pending_order", a.CancelOrder, write=True)
def cancel_pending_order(ctx: ToolContext, args: a.CancelOrder) -> dict[str, Any]:
    """Cancel a pending order, with the reason 'no longer needed' or 'ordered by mistake'.
    Processed or delivered orders cannot be cancelled. Requires explicit confirmation from the
    customer first. The total is refunded to the original payment methods (gift cards at once,
    other methods in 5 to 7 business days)."""
    order = _order(ctx, args.order_id)
    if order.status != "pending":
        raise PolicyViolation("Non-pending order cannot be cancelled")
    if args.reason not in CANCEL_REASONS:
        raise InvalidArguments("Invalid reason")
    for payment in list(order.payments):
        _append_payment(order, "refund", payment.amount, payment.payment_method_id)
        pm = _payment_method(ctx, order.customer_id, payment.payment_method_id)
        if pm.source == "gift_card":
            pm.balance = (pm.balance or Decimal(0)) + payment.amount
    order.status = "cancelled"
    order.cancel_reason = args.reason
    _touch(ctx, order)
    return order_record(order)


@registry.tool("modify_pending_order_address", a.ModifyOrderAddress, write=True)
def modify_pending_order_address(ctx: ToolContext, args: a.ModifyOrderAddress) -> dict[str, Any]:
    """Change the shipping address of a pending order. Requires explicit confirmation first."""
    order = _order(ctx, args.order_id)
    if "pending" not in order.status:
        raise PolicyViolation("Non-pending order cannot be modified")
    for key in ("address1", "address2", "city", "state", "country", "zip"):
        setattr(order, key, getattr(args, key))
    _touch(ctx, order)
    return order_record(order)


@registry.tool("modify_pending_order_items", a.ModifyOrderItems, write=True)
def modify_pending_order_items(ctx: ToolContext, args: a.ModifyOrderItems) -> dict[str, Any]:
    """Swap items of a pending order for other available variants of the same product. Can be
    done only once per order: collect every item to change first. The price difference is paid
    with, or refunded to, the given payment method (a gift card needs enough balance). Requires
    explicit confirmation first."""
    order = _order(ctx, args.order_id)
    if order.status != "pending":
        raise PolicyViolation("Non-pending order cannot be modified")
    _check_item_counts(order, args.item_ids, "{item_id} not found")
    if len(args.item_ids) != len(args.new_item_ids):
        raise InvalidArguments("The number of items to be exchanged should match")
    lines = _pair_lines(ctx, order, args.item_ids, args.new_item_ids, same_item_allowed=False)
    diff = sum((v.price - line.price for line, v in lines), Decimal(0))
    pm = _payment_method(ctx, order.customer_id, args.payment_method_id)
    if pm.source == "gift_card" and (pm.balance or Decimal(0)) < diff:
        raise PolicyViolation("Insufficient gift card balance to pay for the new item")
    _append_payment(order, "payment" if diff > 0 else "refund", abs(diff), args.payment_method_id)
    if pm.source == "gift_card":
        pm.balance = (pm.balance or Decimal(0)) - diff
    for line, variant in lines:
        line.item_id = variant.id
        line.price = variant.price
        line.options = dict(variant.options)
    order.status = "pending (item modified)"
    _touch(ctx, order)
    return order_record(order)


def _pair_lines(ctx: ToolContext, order: Order, item_ids: list[str], new_item_ids: list[str],
                *, same_item_allowed: bool) -> list[tuple[Any, Variant]]:
    """Match each old item id to a distinct order line and its new, available variant."""
    used: set[int] = set()
    pairs = []
    for item_id, new_item_id in zip(item_ids, new_item_ids):
        if not same_item_allowed and item_id == new_item_id:
            raise InvalidArguments("The new item id should be different from the old item id")
        line = next((i for i in order.items if i.item_id == item_id and i.id not in used), None)
        if line is None:
            raise NotFound(f"Item {item_id} not found")
        used.add(line.id)
        variant = _variant(ctx, line.product_id, new_item_id)
        if not variant.available:
            raise PolicyViolation(f"New item {new_item_id} not found or available")
        pairs.append((line, variant))
    return pairs


@registry.tool("modify_pending_order_payment", a.ModifyOrderPayment, write=True)
def modify_pending_order_payment(ctx: ToolContext, args: a.ModifyOrderPayment) -> dict[str, Any]:
    """Pay a pending order with a different payment method of the customer (a gift card needs
    enough balance for the total). The original method is refunded. Requires confirmation first."""
    order = _order(ctx, args.order_id)
    if "pending" not in order.status:
        raise PolicyViolation("Non-pending order cannot be modified")
    pm = _payment_method(ctx, order.customer_id, args.payment_method_id)
    if len(order.payments) != 1 or order.payments[0].transaction_type != "payment":
        raise PolicyViolation("There should be exactly one payment for a pending order")
    original = order.payments[0]
    if original.payment_method_id == args.payment_method_id:
        raise InvalidArguments("The new payment method should be different from the current one")
    amount = original.amount
    if pm.source == "gift_card" and (pm.balance or Decimal(0)) < amount:
        raise PolicyViolation("Insufficient gift card balance to pay for the order")
    _append_payment(order, "payment", amount, args.payment_method_id)
    _append_payment(order, "refund", amount, original.payment_method_id)
    if pm.source == "gift_card":
        pm.balance = (pm.balance or Decimal(0)) - amount
    old_pm = _payment_method(ctx, order.customer_id, original.payment_method_id)
    if old_pm.source == "gift_card":
        old_pm.balance = (old_pm.balance or Decimal(0)) + amount
    _touch(ctx, order)
    return order_record(order)


@registry.tool("modify_user_address", a.ModifyUserAddress, write=True)
def modify_user_address(ctx: ToolContext, args: a.ModifyUserAddress) -> dict[str, Any]:
    """Change the verified customer's default address. Requires explicit confirmation first."""
    user = _own_user(ctx, args.user_id)
    address = user.default_address
    for key in ("address1", "address2", "city", "state", "country", "zip"):
        setattr(address, key, getattr(args, key))
    user.updated_at = ctx.now  # the customer row is part of the write: version-checked
    return user_record(user)


@registry.tool("return_delivered_order_items", a.ReturnItems, write=True)
def return_delivered_order_items(ctx: ToolContext, args: a.ReturnItems) -> dict[str, Any]:
    """Request the return of items of a delivered order. The refund goes to the original
    payment method or to one of the customer's gift cards. Status becomes 'return requested' and
    the customer gets an email on how to send the items. Requires explicit confirmation first."""
    order = _order(ctx, args.order_id)
    if order.status != "delivered":
        raise PolicyViolation("Non-delivered order cannot be returned")
    pm = _payment_method(ctx, order.customer_id, args.payment_method_id)
    if pm.source != "gift_card" and args.payment_method_id != order.payments[0].payment_method_id:
        raise PolicyViolation("Payment method should be the original payment method")
    _check_item_counts(order, args.item_ids, "Some item not found")
    order.status = "return requested"
    order.return_items = sorted(args.item_ids)
    order.return_payment_method_id = args.payment_method_id
    _touch(ctx, order)
    return order_record(order)


@registry.tool("exchange_delivered_order_items", a.ExchangeItems, write=True)
def exchange_delivered_order_items(ctx: ToolContext, args: a.ExchangeItems) -> dict[str, Any]:
    """Exchange items of a delivered order for other available variants of the same product.
    Can be done only once per order: collect every item first. The price difference is paid with,
    or refunded to, the given payment method (a gift card needs enough balance). Requires
    explicit confirmation first."""
    order = _order(ctx, args.order_id)
    if order.status != "delivered":
        raise PolicyViolation("Non-delivered order cannot be exchanged")
    _check_item_counts(order, args.item_ids, "Number of {item_id} not found.")
    if len(args.item_ids) != len(args.new_item_ids):
        raise InvalidArguments("The number of items to be exchanged should match.")
    lines = _pair_lines(ctx, order, args.item_ids, args.new_item_ids, same_item_allowed=True)
    diff = sum((v.price - line.price for line, v in lines), Decimal(0)).quantize(CENT)
    pm = _payment_method(ctx, order.customer_id, args.payment_method_id)
    if pm.source == "gift_card" and (pm.balance or Decimal(0)) < diff:
        raise PolicyViolation("Insufficient gift card balance to pay for the price difference")
    order.status = "exchange requested"
    order.exchange_items = sorted(args.item_ids)
    order.exchange_new_items = sorted(args.new_item_ids)
    order.exchange_payment_method_id = args.payment_method_id
    order.exchange_price_difference = diff
    _touch(ctx, order)
    return order_record(order)
