"""The benchmarks' fake OpenRouter, run as its own process so it never shares a core's
time slice accounting (CPU, RSS) with the process being measured.

    python -m tests.bench.serve SEND_LOG      # prints the port, serves until stdin closes

Models (POST /chat/completions picks by the body's "model"):
- `bench/full:free`   the 2,000-token Markdown reply, every event flushed as fast as possible;
- `bench/paced:free`, `bench/paced-2:free`, `bench/paced-3:free`   the same reply at 200
  tokens/s on an absolute schedule (no drift);
- `bench/short:free`  a one-line reply.
Each paced stream's send times (time.monotonic, the same clock in every process on Linux)
are appended to SEND_LOG as one JSON line per request, so lag is measured against the moment
the server sent each token, not the moment the client read it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass

from tests.bench.workload import reply_tokens
from tests.fakes.openai_stream import openrouter_stream
from tests.fakes.server import FakeProviderServer, FakeResponse, RecordedRequest, Send

RATE = 200.0  # tokens per second for the paced models
MODELS = {"data": [
    {"id": f"bench/{name}:free", "name": f"Bench {name}", "context_length": 131072,
     "pricing": {"prompt": "0", "completion": "0"}}
    for name in ("full", "paced", "paced-2", "paced-3", "short")
]}


@dataclass
class PacedSSE(FakeResponse):
    rate: float = RATE
    model: str = ""


class BenchServer(FakeProviderServer):
    def __init__(self, send_log: str) -> None:
        super().__init__()
        self.send_log = send_log

    async def _respond(self, writer: asyncio.StreamWriter, response: FakeResponse) -> None:
        if not isinstance(response, PacedSSE):
            await super()._respond(writer, response)
            return
        head = ["HTTP/1.1 200 OK", "content-type: text/event-stream",
                "transfer-encoding: chunked", "connection: close"]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode())
        await writer.drain()
        start = time.monotonic() + 0.005
        sent: list[float] = []
        for i, step in enumerate(response.steps):
            delay = start + i / response.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            assert isinstance(step, Send)
            writer.write(b"%x\r\n%s\r\n" % (len(step.data), step.data))
            await writer.drain()
            sent.append(time.monotonic())
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        with open(self.send_log, "a", encoding="utf-8") as log:
            log.write(json.dumps({"model": response.model, "sends": sent}) + "\n")


def events(model: str, texts: list[str]) -> list[bytes]:
    # No keep-alives: every event after the first (role-only) one carries one token.
    return openrouter_stream(texts, model=model, keepalives=0, completion_tokens=len(texts))


TOKENS = reply_tokens()


def handler(request: RecordedRequest) -> FakeResponse:
    model = (request.json() or {}).get("model", "")
    tokens = TOKENS
    if model == "bench/full:free":
        return FakeResponse.sse(events(model, tokens))
    if model.startswith("bench/paced"):
        return PacedSSE(steps=[Send(e) for e in events(model, tokens)], model=model)
    if model == "bench/short:free":
        return FakeResponse.sse(events(model, ["Hello ", "there."]))
    return FakeResponse.json({"error": {"message": "no such model", "code": 404}}, 404)


def main() -> None:
    server = BenchServer(sys.argv[1] if len(sys.argv) > 1 else "/dev/null")
    server.route("GET", "/models", FakeResponse.json(MODELS))
    server.route("POST", "/chat/completions", handler)
    with server:
        print(server.port, flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    main()
