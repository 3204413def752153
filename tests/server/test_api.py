"""The operator API: staff JWT required, read-only views of customers, orders and the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jwt
import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.auth import issue_staff_token
from server.settings import Settings
from tools.session import ToolSession

SECRET = "test-staff-secret-for-the-operator-api-0123456789"


@pytest.fixture
def client(sqlite_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=sqlite_url, var_dir=tmp_path, staff_secret=SECRET)
    with TestClient(create_app(settings, chat_enabled=False)) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_a_dead_database(tmp_path: Path) -> None:
    settings = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none", var_dir=tmp_path)
    with TestClient(create_app(settings, chat_enabled=False)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "degraded"


def test_api_needs_a_staff_token(client: TestClient) -> None:
    assert client.get("/api/customers").status_code == 401
    assert client.get("/api/customers", headers=auth("not-a-jwt")).status_code == 401
    wrong_key = issue_staff_token("another-secret-that-is-long-enough-for-hs256", "mallory")
    assert client.get("/api/customers", headers=auth(wrong_key)).status_code == 401
    shopper_token = jwt.encode({"sub": "noah_brown_6181", "exp": 9999999999}, SECRET, algorithm="HS256")
    r = client.get("/api/customers", headers=auth(shopper_token))
    assert r.status_code == 401 and "aud" in r.json()["detail"]
    expired = issue_staff_token(SECRET, "alice", ttl=timedelta(seconds=-5))
    assert client.get("/api/customers", headers=auth(expired)).status_code == 401


def test_customer_and_order_views(client: TestClient) -> None:
    h = auth(issue_staff_token(SECRET, "alice"))
    customer = client.get("/api/customers/noah_brown_6181", headers=h).json()
    assert customer["email"] == "noah.brown7922@example.com" and customer["orders"] == ["#W7678072"]
    assert customer["marketing_consent"] is True
    order = client.get("/api/orders/%23W7678072", headers=h).json()
    assert order["status"] == "delivered" and order["user_id"] == "noah_brown_6181"
    assert client.get("/api/orders/%23W0000000", headers=h).status_code == 404
    assert len(client.get("/api/customers?limit=5", headers=h).json()) == 5
    assert client.get("/api/customers?limit=0", headers=h).status_code == 422


def test_audit_view_shows_tool_calls(client: TestClient) -> None:
    container = client.app.state.container  # type: ignore[attr-defined]
    s = ToolSession.for_customer("noah_brown_6181", verified_by="website_identity")
    container.tools.call(s, "get_order_details", {"order_id": "#W7678072"})
    rows = client.get(f"/api/audit?session_id={s.session_id}", headers=auth(issue_staff_token(SECRET, "a"))).json()
    assert [(r["tool"], r["ok"], r["customer_id"]) for r in rows] == [("get_order_details", True, "noah_brown_6181")]


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/api/customers/{customer_id}", "/api/orders/{order_id}", "/api/audit"} <= set(paths)


def test_production_refuses_development_secrets(tmp_path: Path) -> None:
    from server.app import InsecureConfiguration

    with pytest.raises(InsecureConfiguration, match="CONCIERGE_STAFF_SECRET"):
        create_app(Settings(var_dir=tmp_path, demo_mode=False, identity_secret="x" * 40), chat_enabled=False)
