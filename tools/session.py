"""Who is calling the tools: identity comes from the session, never from the model or the text."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal

VerifiedBy = Literal["website_identity", "email", "name_zip", "staff", "replay"]


@dataclass
class ToolSession:
    """One conversation's tool session.

    `customer_id` is None until the shopper is verified: pre-authenticated by a verified website
    identity (a JWT checked by the server), or by a successful find_user_id_* lookup. After that
    every read and write is limited to that customer.
    """

    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    actor: str = "agent"
    customer_id: str | None = None
    verified_by: VerifiedBy | None = None

    @classmethod
    def for_customer(cls, customer_id: str, *, verified_by: VerifiedBy, actor: str = "agent",
                     session_id: str | None = None) -> ToolSession:
        return cls(session_id=session_id or uuid.uuid4().hex, actor=actor,
                   customer_id=customer_id, verified_by=verified_by)

    @property
    def authenticated(self) -> bool:
        return self.customer_id is not None
