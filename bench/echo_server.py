"""The HTTP ceiling for order intake: the same FastAPI body validation, no work behind it.
``python -m bench.echo_server PORT``."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from services.orders.schemas import OrderIn

app = FastAPI()


@app.post("/v1/orders", status_code=201)
async def create(order: OrderIn) -> JSONResponse:
    return JSONResponse(
        {"waybill": "FW000000000013", "parcels": len(order.parcels)}, status_code=201
    )


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
