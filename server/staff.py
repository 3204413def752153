"""Staff accounts for the console: names, an optional store, salted scrypt password hashes
(hashlib.scrypt, stdlib: no extra dependency for one hash)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from server.conversation_models import StaffAccount

_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), n=_N, r=_R, p=_P, dklen=32)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class StaffMember:
    name: str
    store_id: str | None


class StaffDirectory:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def add(self, name: str, password: str, store_id: str | None = None) -> bool:
        """Create the account, or reset its password and store; True when it was new."""
        if not name.strip() or len(name) > 128:
            raise ValueError("A staff name is 1 to 128 characters.")
        if len(password) < 8:
            raise ValueError("A staff password has at least 8 characters.")
        with self.sessions.begin() as db:
            account = db.get(StaffAccount, name)
            if account is None:
                db.add(StaffAccount(name=name, store_id=store_id, password_hash=hash_password(password)))
                return True
            account.password_hash, account.store_id, account.active = hash_password(password), store_id, True
            return False

    def authenticate(self, name: str, password: str) -> StaffMember | None:
        with self.sessions() as db:
            account = db.get(StaffAccount, name)
            if account is None or not account.active:
                check_password(password, _dummy_hash())  # the same work either way: no name probing
                return None
            if not check_password(password, account.password_hash):
                return None
            return StaffMember(account.name, account.store_id)
