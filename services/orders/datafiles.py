"""The orders service's data files (``data/``), read at start-up and handed to the domain."""

from __future__ import annotations

from pathlib import Path

from fairwind.jsonfile import read_json
from services.orders.domain.commodities import CommodityRules, RulesFileError

DEFAULT_RULES = Path(__file__).resolve().parent / "data" / "commodity_rules.json"


def load_commodity_rules(path: Path = DEFAULT_RULES) -> CommodityRules:
    return CommodityRules.from_dict(read_json(path, RulesFileError), str(path))
