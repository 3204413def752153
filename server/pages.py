"""The staff console, its sign-in page and the kiosk shell (static pages from web_widget/),
and the kiosk's in-store configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from server.container import Container

WIDGET_DIR = Path(__file__).resolve().parent.parent / "web_widget"
router = APIRouter(tags=["pages"])


def get_container(request: Request) -> Container:
    return request.app.state.container


@router.get("/console", include_in_schema=False)
def console_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "console" / "index.html")


@router.get("/console/login", include_in_schema=False)
def console_login_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "console" / "login.html")


@router.get("/kiosk", include_in_schema=False)
def kiosk_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "kiosk" / "index.html")


@router.get("/kiosk/config", summary="The kiosk's store, hours and idle timeout")
def kiosk_config(container: Annotated[Container, Depends(get_container)]) -> dict[str, Any]:
    s = container.settings
    return {"store_id": s.kiosk_store_id, "store_name": s.kiosk_store_name, "store_hours": s.kiosk_store_hours,
            "idle_timeout_s": s.kiosk_idle_timeout_s}
