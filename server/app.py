"""The FastAPI gateway."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from server import api
from server.container import Container
from server.settings import Settings


class InsecureConfiguration(RuntimeError):
    pass


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if not settings.demo_mode and settings.insecure_defaults():
        raise InsecureConfiguration(
            "Refusing to start outside demo mode with development secrets: set "
            + ", ".join(settings.insecure_defaults()))
    container = Container(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        yield
        container.close()

    app = FastAPI(title="Concierge", version="0.1.0", lifespan=lifespan,
                  description="Customer-service agent for retailers: operator API, chat gateway.")
    app.state.container = container
    app.include_router(api.router)

    @app.get("/healthz", tags=["ops"], summary="Liveness and database reachability")
    def healthz() -> Any:
        try:
            with container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            db = "ok"
        except Exception as exc:  # any driver error means "not ready"
            return JSONResponse({"status": "degraded", "database": f"unavailable: {type(exc).__name__}"},
                                status_code=503)
        return {"status": "ok", "database": db}

    return app
