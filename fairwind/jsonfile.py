"""Reading a service's JSON data file at start-up: the domain gets the parsed value, and a
file that cannot be read or parsed fails with the service's own error, naming the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json(path: Path, error: type[Exception]) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise error(f"{path}: {exc}") from exc
