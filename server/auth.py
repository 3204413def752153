"""JWTs (HS256): staff tokens (aud="staff") and shopper identity from the host page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import jwt

STAFF_AUDIENCE = "staff"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class StaffIdentity:
    name: str
    store_id: str | None = None


def issue_staff_token(secret: str, name: str, *, ttl: timedelta = timedelta(hours=12),
                      store_id: str | None = None) -> str:
    now = datetime.now(timezone.utc)
    claims = {"sub": name, "aud": STAFF_AUDIENCE, "iat": now, "exp": now + ttl}
    if store_id:
        claims["store"] = store_id
    return jwt.encode(claims, secret, algorithm="HS256")


def verify_staff_token(secret: str, token: str) -> StaffIdentity:
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience=STAFF_AUDIENCE,
                            options={"require": ["exp", "sub", "aud"]})
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"invalid staff token: {exc}") from None
    store = claims.get("store")
    return StaffIdentity(name=str(claims["sub"]), store_id=str(store) if store else None)


def issue_identity_token(secret: str, customer_id: str, *, ttl: timedelta = timedelta(hours=1)) -> str:
    """What a retailer's site does for a signed-in shopper (the demo picker uses it too)."""
    now = datetime.now(timezone.utc)
    return jwt.encode({"sub": customer_id, "iat": now, "exp": now + ttl}, secret, algorithm="HS256")


def verify_identity_token(secret: str, token: str) -> str:
    """The verified customer id (`sub`); `exp` is required."""
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"],
                                                                          "verify_aud": False})
    except jwt.PyJWTError as exc:
        raise InvalidToken(f"invalid identity token: {exc}") from None
    return str(claims["sub"])
