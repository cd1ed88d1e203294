"""The floor for streaming: raw httpx reading and JSON-parsing the same SSE reply.

    python -m tests.bench.floor_child URL MODEL OUT.json

One warm-up request, then ROUNDS measured ones (each on a new connection, as the server
closes it); the figure is the median time from sending the request to the last token parsed.
Also the CPU this process spent per measured request, for the paced floor.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time

import httpx

from tests.bench.measure import cpu_seconds
from tests.conftest import TEST_KEY


async def one(client: httpx.AsyncClient, url: str, model: str) -> tuple[float, int]:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "stream": True}
    headers = {"authorization": f"Bearer {TEST_KEY}"}
    start = time.monotonic()
    length = 0
    async with client.stream("POST", f"{url}/chat/completions", json=body,
                             headers=headers) as response:
        async for line in response.aiter_lines():
            if line.startswith("data: ") and line != "data: [DONE]":
                chunk = json.loads(line[6:])
                for choice in chunk.get("choices") or []:
                    length += len((choice.get("delta") or {}).get("content") or "")
    return time.monotonic() - start, length


async def main() -> None:
    url, model, out = sys.argv[1:]
    async with httpx.AsyncClient(timeout=30) as client:
        await one(client, url, model)
        times, cpus = [], []
        for _ in range(3):
            cpu = cpu_seconds()
            elapsed, length = await one(client, url, model)
            times.append(elapsed)
            cpus.append(cpu_seconds() - cpu)
    with open(out, "w") as f:
        json.dump({"seconds": statistics.median(times), "cpu": statistics.median(cpus),
                   "length": length}, f)


if __name__ == "__main__":
    asyncio.run(main())
