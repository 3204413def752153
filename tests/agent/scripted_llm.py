"""A scripted OpenAI-compatible chat endpoint (`/v1/chat/completions`, `/v1/models`).

It stands in for vLLM, which cannot run here (CUDA only), to test the tools-mode plumbing: the
requests it receives are recorded and its replies (text or tool calls) come from a script. It
speaks the real protocol, including streaming; it does not test any model's judgement."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import deque
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse


class ScriptedLLM:
    def __init__(self) -> None:
        self.script: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._complete)
        self.app.get("/v1/models")(lambda: {"object": "list", "data": [{"id": "scripted", "object": "model"}]})
        self._server: uvicorn.Server | None = None
        self.delay_s = 0.0  # a slow model: each completion starts this late

    def say(self, content: str) -> None:
        self.script.append({"content": content})

    def call(self, name: str, **arguments: Any) -> None:
        self.script.append({"tool": name, "arguments": arguments})

    async def _complete(self, request: Request) -> Any:
        body = await request.json()
        self.requests.append(body)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        step = self.script.popleft() if self.script else {"content": "I'm not sure."}
        message: dict[str, Any] = {"role": "assistant", "content": step.get("content")}
        if "tool" in step:
            message["content"] = None
            message["tool_calls"] = [{"id": f"call_{uuid.uuid4().hex[:8]}", "type": "function",
                                      "function": {"name": step["tool"], "arguments": json.dumps(step["arguments"])}}]
        finish = "tool_calls" if "tool" in step else "stop"
        if body.get("stream"):
            def chunks():  # type: ignore[no-untyped-def]
                base = {"id": "chatcmpl-s", "object": "chat.completion.chunk", "created": int(time.time()),
                        "model": body.get("model", "scripted")}
                text = message["content"] or ""
                for word in text.split(" "):
                    delta = {"choices": [{"index": 0, "delta": {"content": word + " "}, "finish_reason": None}]}
                    yield f"data: {json.dumps({**base, **delta})}\n\n"
                yield f"data: {json.dumps({**base, 'choices': [{'index': 0, 'delta': {}, 'finish_reason': finish}]})}\n\n"
                yield "data: [DONE]\n\n"
            return StreamingResponse(chunks(), media_type="text/event-stream")
        return JSONResponse({"id": "chatcmpl-s", "object": "chat.completion", "created": int(time.time()),
                             "model": body.get("model", "scripted"),
                             "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                             "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    def start(self, port: int) -> str:
        self._server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=self._server.run, daemon=True).start()
        while not self._server.started:
            time.sleep(0.05)
        return f"http://127.0.0.1:{port}/v1"

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
