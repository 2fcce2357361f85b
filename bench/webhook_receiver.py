"""A partner's webhook receiver for the benchmark: 204 at once on every path, except paths
under ``/slow/`` that answer after ``SLOW_S`` (the slow partner).
``python -m bench.webhook_receiver PORT [SLOW_S]``."""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web


def app(slow_s: float) -> web.Application:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        if request.path.startswith("/slow/"):
            await asyncio.sleep(slow_s)
        return web.Response(status=204)

    found = web.Application()
    found.router.add_post("/{tail:.*}", answer)
    return found


if __name__ == "__main__":
    slow = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    web.run_app(app(slow), host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
