"""Commodity and customs rules (a data table) applied to the parcels of an order.

Prohibited items refuse the order and name the item; items that need documents for the
destination are accepted with a warning listing the documents (FedEx's booking reminder).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Action(StrEnum):
    PROHIBIT = "prohibit"
    DOCUMENTS = "documents"


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    item: str = Field(min_length=1)
    action: Action
    scope: Literal["any", "international"]
    destinations: tuple[str, ...] = Field(min_length=1)
    hs_prefixes: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    def applies(self, origin_country: str, destination_country: str) -> bool:
        if self.scope == "international" and origin_country == destination_country:
            return False
        return "*" in self.destinations or destination_country in self.destinations

    def matches(self, hs_code: str, description: str) -> bool:
        code = hs_code.replace(".", "").strip()
        if code and any(code.startswith(prefix) for prefix in self.hs_prefixes):
            return True
        if "" in self.hs_prefixes:
            return True  # the rule covers every item
        text = description.casefold()
        return any(_keyword_pattern(keyword).search(text) for keyword in self.keywords)


@functools.cache
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """Latin keywords match whole words (plural allowed: "cash" is not "cashmere");
    Chinese ones match anywhere, as Chinese has no spaces between words."""
    word = re.escape(keyword.casefold())
    if keyword.isascii():
        return re.compile(rf"\b{word}(?:s|es)?\b")
    return re.compile(word)


class RulesFileError(ValueError):
    """The rules table is malformed; the message names its source and the bad record."""


@dataclass(frozen=True, slots=True)
class Item:
    description: str
    commodity_code: str


@dataclass(frozen=True, slots=True)
class Refusal:
    parcel_index: int
    description: str
    rule_id: str
    item: str

    def explain(self) -> str:
        return f"parcel {self.parcel_index} ({self.description!r}): {self.item} are prohibited"


@dataclass(frozen=True, slots=True)
class DocumentsNeeded:
    parcel_index: int
    rule_id: str
    item: str
    documents: tuple[str, ...]

    def explain(self, destination_country: str) -> str:
        return f"{self.item} to {destination_country} need: {', '.join(self.documents)}"


@dataclass(frozen=True, slots=True)
class Verdict:
    refusals: tuple[Refusal, ...]
    documents: tuple[DocumentsNeeded, ...]


class CommodityRules:
    def __init__(self, rules: Sequence[Rule], version: str = "") -> None:
        self.rules = tuple(rules)
        self.version = version
        self._recent: dict[tuple[str, str, str, str], tuple[Rule, ...]] = {}

    @classmethod
    def from_dict(cls, raw: Any, source: str = "rules") -> CommodityRules:
        """The table as parsed from JSON; ``source`` (the file) prefixes every error."""
        if not isinstance(raw, dict):
            raise RulesFileError(f"{source}: not a JSON object")
        rules = []
        for index, record in enumerate(raw.get("rules", [])):
            try:
                rules.append(Rule.model_validate(record))
            except ValidationError as exc:
                name = record.get("id", "?") if isinstance(record, dict) else "?"
                raise RulesFileError(f"{source}: rule #{index} ({name}): {exc}") from exc
        if not rules:
            raise RulesFileError(f"{source}: no rules")
        return cls(rules, str(raw.get("version", "")))

    def evaluate(
        self, items: Sequence[Item], origin_country: str, destination_country: str
    ) -> Verdict:
        refusals: list[Refusal] = []
        documents: list[DocumentsNeeded] = []
        for index, item in enumerate(items):
            for rule in self._matching(item, origin_country, destination_country):
                if rule.action is Action.PROHIBIT:
                    refusals.append(Refusal(index, item.description, rule.id, rule.item))
                else:
                    documents.append(DocumentsNeeded(index, rule.id, rule.item, rule.documents))
        return Verdict(tuple(refusals), tuple(documents))

    def _matching(self, item: Item, origin: str, destination: str) -> tuple[Rule, ...]:
        # Shippers send the same goods again and again: remember recent answers.
        key = (item.description, item.commodity_code, origin, destination)
        found = self._recent.get(key)
        if found is None:
            found = tuple(
                rule
                for rule in self.rules
                if rule.applies(origin, destination)
                and rule.matches(item.commodity_code, item.description)
            )
            if len(self._recent) >= 50_000:
                self._recent.clear()
            self._recent[key] = found
        return found
