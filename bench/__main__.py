"""``make bench``: every benchmark in turn, or the ones named: ``python -m bench orders``."""

import asyncio
import sys

from bench import e2e, orders, publish, routing, sla, tracking

BENCHMARKS = {
    "publish": publish.main,
    "orders": orders.main,
    "routing": routing.main,
    "tracking": tracking.main,
    "sla": sla.main,
    "e2e": e2e.main,
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHMARKS):
        asyncio.run(BENCHMARKS[name]())  # type: ignore[arg-type]
