"""The routing service's data files (``data/``), read at start-up and handed to the domain."""

from __future__ import annotations

from pathlib import Path

from fairwind.jsonfile import read_json
from services.routing.domain.network import Network, NetworkError, build_network
from services.routing.domain.pricing import PriceTable, PriceTableError

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_NETWORK = DATA / "network.json"
DEFAULT_PRICES = DATA / "prices.json"


def load_network(path: Path = DEFAULT_NETWORK) -> Network:
    return build_network(read_json(path, NetworkError), str(path))


def load_prices(path: Path = DEFAULT_PRICES) -> PriceTable:
    return PriceTable.from_dict(read_json(path, PriceTableError), str(path))
