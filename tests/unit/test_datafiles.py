"""The services' data-file loaders: the shipped files load, and a file that is missing, is
not JSON or is malformed fails with the service's own error naming the path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.orders.datafiles import load_commodity_rules
from services.orders.domain.commodities import RulesFileError
from services.routing.datafiles import load_network, load_prices
from services.routing.domain.network import NetworkError
from services.routing.domain.pricing import PriceTableError

LOADERS: list[tuple[Callable[[Path], Any], type[ValueError]]] = [
    (load_commodity_rules, RulesFileError),
    (load_network, NetworkError),
    (load_prices, PriceTableError),
]


def test_the_shipped_files_load() -> None:
    assert load_commodity_rules().rules
    assert load_network().hubs
    assert load_prices().currency == "CNY"


@pytest.mark.parametrize(("load", "error"), LOADERS)
@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "No such file"), ("{not json", "Expecting property name"), ("{}", None)],
)
def test_a_bad_file_names_its_path(
    tmp_path: Path,
    load: Callable[[Path], Any],
    error: type[ValueError],
    content: str | None,
    problem: str | None,
) -> None:
    path = tmp_path / "data.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(error, match=problem) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}: ")
