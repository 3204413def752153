"""Demo-only routes (CONCIERGE_DEMO_MODE): the demo store page and a picker that signs the
widget in as a demo customer, standing in for a retailer's own login. Off in production."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from server.auth import issue_identity_token
from server.container import Container
from tools.models import Customer

WIDGET_DIR = Path(__file__).resolve().parent.parent / "web_widget"
router = APIRouter(tags=["demo"])


def get_container(request: Request) -> Container:
    return request.app.state.container


class IdentityRequest(BaseModel):
    customer_id: str = Field(min_length=1, max_length=64)


@router.get("/", include_in_schema=False)
def demo_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "demo" / "index.html")


@router.get("/demo/customers", summary="Demo customers to sign in as")
def demo_customers(container: Annotated[Container, Depends(get_container)],
                   limit: int = 20) -> list[dict[str, Any]]:
    with container.sessions() as db:
        rows = db.execute(select(Customer.id, Customer.first_name, Customer.last_name)
                          .order_by(Customer.id).limit(max(1, min(limit, 100))))
        return [{"customer_id": r[0], "name": f"{r[1]} {r[2]}"} for r in rows]


@router.post("/demo/identity", summary="An identity JWT for a demo customer")
def demo_identity(body: IdentityRequest, container: Annotated[Container, Depends(get_container)]) -> dict[str, str]:
    with container.sessions() as db:
        if db.get(Customer, body.customer_id) is None:
            raise HTTPException(404, f"Customer {body.customer_id!r} not found.")
    secret = container.settings.identity_secret.get_secret_value()
    return {"token": issue_identity_token(secret, body.customer_id)}
