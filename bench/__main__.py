"""``make bench``: every benchmark in turn, or the ones named (``python -m bench orders``),
then one summary table of every figure, its ceiling from the same run and its target.
``BENCH_SHORT=1`` (``make bench-short``) runs them all small, in a few minutes."""

import asyncio
import sys
import time

from bench import crm, e2e, email, notify, orders, publish, relay, routing, sla, tracking, webhooks
from bench.infra import machine
from bench.summary import FIGURES, SHORT, table

BENCHMARKS = {
    "publish": publish.main,
    "relay": relay.main,
    "orders": orders.main,
    "routing": routing.main,
    "tracking": tracking.main,
    "sla": sla.main,
    "notify": notify.main,
    "webhooks": webhooks.main,
    "email": email.main,
    "crm": crm.main,
    "e2e": e2e.main,
}

if __name__ == "__main__":
    started = time.perf_counter()
    took: dict[str, float] = {}
    for name in sys.argv[1:] or list(BENCHMARKS):
        began = time.perf_counter()
        asyncio.run(BENCHMARKS[name]())  # type: ignore[arg-type]
        took[name] = time.perf_counter() - began
    mode = "short" if SHORT else "full"
    print(f"\n== summary ({mode} run, {time.perf_counter() - started:.0f} s; {machine()})\n")
    print(table(FIGURES))
    print("\ntime per benchmark: " + ", ".join(f"{n} {s:.0f} s" for n, s in took.items()))
