"""The FastAPI gateway: operator API, /ws/chat, the demo store and the widget's static files."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from server import api, chat, console, demo, pages
from server.container import Container
from server.settings import Settings

log = logging.getLogger(__name__)
WIDGET_DIR = Path(__file__).resolve().parent.parent / "web_widget"


class InsecureConfiguration(RuntimeError):
    pass


def create_app(settings: Settings | None = None, *, chat_enabled: bool = True) -> FastAPI:
    """`chat_enabled=False` serves only the operator API (no model, no agent: fast, for API tests)."""
    settings = settings or Settings()
    if not settings.demo_mode and settings.insecure_defaults():
        raise InsecureConfiguration(
            "Refusing to start outside demo mode with development secrets: set "
            + ", ".join(settings.insecure_defaults()))
    container = Container(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        llm_server = None
        if chat_enabled:
            if not settings.llm_url:
                from server.llm_server import EmbeddedLLMServer

                chat_format = settings.embedded_llm_chat_format or (
                    "chatml-function-calling" if settings.agent_mode == "tools" else "chatml")
                llm_server = EmbeddedLLMServer(settings.embedded_llm_port, chat_format=chat_format,
                                               log_file=Path(settings.var_dir) / "llm-server.log")
                await asyncio.to_thread(llm_server.start)
            # Database calls from many sockets at once (persist, ack, queue): a pool wider than
            # asyncio's default (cpu + 4), cheap since they mostly wait on I/O (sized with the PostgreSQL pool in tools/db.py).
            asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(20, thread_name_prefix="io"))
            app.state.gateway = await container.start_gateway()
        try:
            yield
        finally:
            if chat_enabled and hasattr(app.state, "gateway"):
                await app.state.gateway.runner.wait_idle()
                await app.state.gateway.hub.close()
                app.state.gateway.turn_pool.shutdown(wait=False, cancel_futures=True)
            if llm_server is not None:
                llm_server.stop()
            container.close()

    app = FastAPI(title="Concierge", version="0.1.0", lifespan=lifespan,
                  description="Customer-service agent for retailers: operator API, chat gateway.")
    app.state.container = container
    app.include_router(api.router)
    app.include_router(pages.router)
    if chat_enabled:
        app.include_router(chat.router)
        app.include_router(console.router)
    if settings.demo_mode:
        app.include_router(demo.router)
    app.mount("/static", StaticFiles(directory=WIDGET_DIR), name="static")

    @app.get("/healthz", tags=["ops"], summary="Liveness and database reachability")
    def healthz() -> Any:
        try:
            with container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:  # any driver error means "not ready"
            return JSONResponse({"status": "degraded", "database": f"unavailable: {type(exc).__name__}"},
                                status_code=503)
        return {"status": "ok", "database": "ok"}

    return app
