"""Operator REST API under /api/, for staff (Bearer JWT, aud="staff"), and the staff sign-in."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.auth import InvalidToken, StaffIdentity, issue_staff_token, verify_staff_token
from server.container import Container
from tools import audit
from tools.models import Customer, Order
from tools.records import customer_profile, order_record

bearer = HTTPBearer(auto_error=False)


def get_container(request: Request) -> Container:
    return request.app.state.container


def get_db(container: Annotated[Container, Depends(get_container)]):  # type: ignore[no-untyped-def]
    with container.sessions() as db:
        yield db


def require_staff(
    container: Annotated[Container, Depends(get_container)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StaffIdentity:
    if creds is None:
        raise HTTPException(401, "A staff token is required (Authorization: Bearer …).",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        return verify_staff_token(container.settings.staff_secret.get_secret_value(), creds.credentials)
    except InvalidToken as exc:
        raise HTTPException(401, str(exc), headers={"WWW-Authenticate": "Bearer"}) from None


Staff = Annotated[StaffIdentity, Depends(require_staff)]
Db = Annotated[Session, Depends(get_db)]

router = APIRouter(prefix="/api", tags=["operator"])
STAFF_TOKEN_TTL = timedelta(hours=12)
LOGIN_FAILURES_PER_WINDOW, LOGIN_WINDOW_S = 10, 300.0
_login_failures: dict[str, deque[float]] = defaultdict(deque)


class LoginRequest(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


@router.post("/staff/login", summary="Sign a staff member in: a staff JWT for the console and this API")
async def staff_login(body: LoginRequest, request: Request,
                      container: Annotated[Container, Depends(get_container)]) -> dict[str, Any]:
    key = f"{request.client.host if request.client else '?'}|{body.name}"
    now = time.monotonic()
    recent = _login_failures[key]
    while recent and now - recent[0] > LOGIN_WINDOW_S:
        recent.popleft()
    if len(recent) >= LOGIN_FAILURES_PER_WINDOW:
        raise HTTPException(429, "Too many failed sign-ins; wait a few minutes.")
    member = await asyncio.to_thread(container.staff.authenticate, body.name, body.password)
    if member is None:
        recent.append(now)
        raise HTTPException(401, "Wrong name or password.")
    recent.clear()
    secret = container.settings.staff_secret.get_secret_value()
    expires = datetime.now(timezone.utc) + STAFF_TOKEN_TTL
    return {"token": issue_staff_token(secret, member.name, ttl=STAFF_TOKEN_TTL, store_id=member.store_id),
            "expires_at": expires.isoformat(), "name": member.name, "store_id": member.store_id}


@router.get("/customers", summary="List customers (paged)")
def list_customers(staff: Staff, db: Db, limit: Annotated[int, Query(ge=1, le=200)] = 50,
                   offset: Annotated[int, Query(ge=0)] = 0) -> list[dict[str, Any]]:
    rows = db.execute(select(Customer.id, Customer.first_name, Customer.last_name, Customer.email)
                      .order_by(Customer.id).limit(limit).offset(offset))
    return [{"user_id": r[0], "name": f"{r[1]} {r[2]}", "email": r[3]} for r in rows]


@router.get("/customers/{customer_id}", summary="One customer, τ² layout, with segment")
def get_customer(customer_id: str, staff: Staff, db: Db) -> dict[str, Any]:
    record = customer_profile(db, customer_id)
    if record is None:
        raise HTTPException(404, f"Customer {customer_id!r} not found.")
    return record


@router.post("/customers/{customer_id}/forget", summary="Right to erasure for one customer")
def forget(customer_id: str, staff: Staff, db: Db,
           container: Annotated[Container, Depends(get_container)]) -> dict[str, Any]:
    """Deletes the customer's conversations, pseudonym maps and history vectors; blanks the PII of
    their audit rows. The only write of this API, itself recorded in the audit log."""
    from server.erasure import erased_id, forget_customer
    from tools import audit
    from tools.session import ToolSession

    if db.get(Customer, customer_id) is None:
        raise HTTPException(404, f"Customer {customer_id!r} not found.")
    outcome = forget_customer(container, customer_id)
    with container.sessions.begin() as tx:
        audit.record(tx, ToolSession(actor=f"staff:{staff.name}"), tool="forget_customer",
                     arguments={"customer_id": erased_id(customer_id)}, ok=True,
                     result={k: v for k, v in outcome.items() if k != "customer_id"}, write=True)
    return outcome


@router.get("/orders/{order_id}", summary="One order, τ² layout")
def get_order(order_id: str, staff: Staff, db: Db) -> dict[str, Any]:
    order = db.get(Order, order_id)
    if order is None:
        raise HTTPException(404, f"Order {order_id!r} not found.")
    return order_record(order)


@router.get("/audit", summary="Newest audit log entries")
def get_audit(staff: Staff, db: Db, limit: Annotated[int, Query(ge=1, le=500)] = 50,
              customer_id: str | None = None, session_id: str | None = None) -> list[dict[str, Any]]:
    return [audit.entry_record(e) for e in audit.tail(db, limit=limit, customer_id=customer_id,
                                                      session_id=session_id)]
