"""Caller ID by what the caller says: "I'm 王芳 from 顺丰" (pure: no I/O, no clock).

Company names are split into a region and a key: NFKC, lower case, punctuation and spaces
gone, trailing legal-form and generic words dropped (services/crm/domain/matching_words.py), then a
leading province or city set aside as the region (广东省深圳市, 深圳市, 深圳, or any 2-3
characters before 省/市). So 顺丰 and 深圳市顺丰速运有限公司 have the key ``顺丰`` (region
深圳), as "Acme Ltd" and "ACME Limited" have ``acme``. Keys are compared by:

- exact key: 1.0;
- one key a prefix of the other: 0.85 + 0.15 x (shorter / longer); inside it elsewhere:
  0.7 + 0.2 x (shorter / longer); only when the shorter key is ``informative`` (2 CJK
  characters or 4 others), so "hp" does not match everything with an "hp" in it;
- otherwise the Dice similarity of the keys' character bigrams (2 x shared / total), which
  works for CJK without a tokenizer (顺丰 vs 丰顺 share no bigram: 0);
- times ``REGION_MISMATCH`` when both names give a region and they differ (义乌 vs 深圳).

Person names: exact after NFKC, lower case and space removal (1.0), the same words in
another order (0.95, "Wang Fang" vs "Fang Wang"), else the Dice similarity of bigrams padded
with start and end marks, so 2-character Chinese names still have grams (王芳 vs 王方: 0.33).

A caller's score: the company score, plus ``NAME_BONUS`` x the name score of the best
matching contact when that is at least ``NAME_MATCH`` (capped at 1.0); name only: the name
score. Ties are broken by the name score, then the company score, then the revenue rank.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.crm.domain.matching_words import CJK_SUFFIXES, CJK_WORDS, LATIN_SUFFIXES, REGION

NAME_BONUS = 0.2
NAME_MATCH = 0.7
MAX_QUERY = 200  # characters of a name or company a lookup accepts
MIN_WEIGHT = 4  # CJK characters weigh 2, others 1
MAX_PREFIX = 24
REGION_MISMATCH = 0.8
_JOINERS = re.compile("['\u2019\\-&.]")  # Coca-Cola, Co.: one word, not two
_WORDS = re.compile(r"[^\W_]+")


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _weight(key: str) -> int:
    return sum(2 if _is_cjk(c) else 1 for c in key)


def _strip_cjk_suffix(word: str) -> str:
    for suffix in CJK_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)]
    return word


def normalise_company(raw: str) -> str:
    """The matching key of a company name ("" for none): see the module doc."""
    return split_company(raw)[1]


def company_region(raw: str) -> str:
    """Where the company name says it is registered (深圳 of 深圳市顺丰…), "" if it does not."""
    return split_company(raw)[0]


def split_company(raw: str) -> tuple[str, str]:
    """(region, key) of a company name."""
    text = unicodedata.normalize("NFKC", raw or "").casefold()
    words = _WORDS.findall(_JOINERS.sub("", text))
    changed = True
    while changed and words:
        changed = False
        if len(words) > 1 and (words[-1] in LATIN_SUFFIXES or words[-1] in CJK_WORDS):
            words.pop()  # a generic word of its own after the name: 顺丰 速运, Acme Ltd
            changed = True
            continue
        stripped = _strip_cjk_suffix(words[-1])
        if stripped != words[-1]:
            words[-1] = stripped
            changed = True
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    key = "".join(words)
    region = ""
    for _ in range(2):  # 广东省深圳市…: the city is the region that counts
        found = REGION.match(key)
        if found is None or len(key) - found.end() < 2:
            break
        region, key = found.group(1) or found.group(2), key[found.end() :]
    return region, key


def bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)}


def company_grams(key: str) -> list[str]:
    """What the multikey index holds, and what a fuzzy lookup asks it for: the key's
    character bigrams (a 1-character key stands for itself)."""
    return sorted(bigrams(key)) if len(key) > 1 else ([key] if key else [])


def informative(key: str) -> bool:
    """Long enough to count as contained in another name: 2 CJK characters or 4 others."""
    return _weight(key) >= MIN_WEIGHT


def company_prefixes(key: str) -> list[str]:
    """The key's beginnings that are ``informative`` (up to ``MAX_PREFIX`` characters): a
    caller saying the start of a name finds it by one exact index read."""
    return [key[:n] for n in range(1, min(len(key), MAX_PREFIX) + 1) if informative(key[:n])]


def company_fields(company: str) -> dict[str, Any]:
    """The matching fields of a customer document, for wherever its company is written."""
    region, key, grams, prefixes = _fields(company)
    return {
        "company_key": key,
        "company_region": region,
        "company_grams": list(grams),
        "company_prefixes": list(prefixes),
    }


@functools.lru_cache(maxsize=4096)  # every order of a shipper names the same company
def _fields(company: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    region, key = split_company(company)
    return region, key, tuple(company_grams(key)), tuple(company_prefixes(key))


def dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def company_score(query_key: str, stored_key: str) -> float:
    """How well two normalised company names match, 0..1."""
    if not query_key or not stored_key:
        return 0.0
    if query_key == stored_key:
        return 1.0
    shorter, longer = sorted((query_key, stored_key), key=len)
    contained = 0.0
    if informative(shorter) and shorter in longer:
        ratio = len(shorter) / len(longer)
        contained = 0.85 + 0.15 * ratio if longer.startswith(shorter) else 0.7 + 0.2 * ratio
    return max(contained, dice(bigrams(query_key), bigrams(stored_key)))


def normalise_person(raw: str) -> str:
    """A person's name for comparison: NFKC, lower case, words joined without spaces."""
    return "".join(_person_words(raw))


def _person_words(raw: str) -> list[str]:
    return _WORDS.findall(unicodedata.normalize("NFKC", raw or "").casefold())


def name_score(query: str, stored: str) -> float:
    """How well two person names match, 0..1 (no pinyin: characters only)."""
    a, b = normalise_person(query), normalise_person(stored)
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if sorted(_person_words(query)) == sorted(_person_words(stored)):
        return 0.95
    return dice(bigrams(f"^{a}$"), bigrams(f"^{b}$"))


def name_variants(raw: str) -> list[str]:
    """Spellings of a name to look up exactly: as given (trimmed), NFKC, without spaces."""
    trimmed = (raw or "").strip()
    nfkc = unicodedata.normalize("NFKC", trimmed)
    return list(dict.fromkeys(v for v in (trimmed, nfkc, "".join(nfkc.split())) if v))


@dataclass(frozen=True, slots=True)
class CallerQuery:
    """What the caller said, with the company already split into region and key."""

    name: str
    company: str
    region: str
    key: str

    @classmethod
    def of(cls, name: str, company: str) -> CallerQuery:
        return cls(name.strip(), company.strip(), *split_company(company))


@dataclass(frozen=True, slots=True)
class Match:
    customer_id: str
    score: float
    company_score: float
    name_score: float
    # The contact whose name matched: an entry of ``contacts``, or {"name": ...} for the
    # customer's own contact name; None if no name matched.
    contact: Mapping[str, Any] | None
    rank: int | None


def people(customer: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The customer's named people: its contacts, then its own contact name."""
    contacts = [c for c in customer.get("contacts") or [] if c.get("name")]
    if customer.get("name"):
        contacts.append({"name": customer["name"]})
    return contacts


def best_contact(name: str, customer: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, float]:
    best: Mapping[str, Any] | None = None
    best_score = 0.0
    for person in people(customer):
        score = name_score(name, str(person["name"]))
        if score > best_score:
            best, best_score = person, score
    return (best, best_score) if best_score >= NAME_MATCH else (None, 0.0)


def score(query: CallerQuery, customer: Mapping[str, Any]) -> Match:
    """How well one customer document matches what the caller said."""
    key, region = customer.get("company_key"), customer.get("company_region")
    if key is None or region is None:  # not indexed yet: from the company as stored
        region, key = split_company(customer.get("company") or "")
    by_company = company_score(query.key, key) if query.key else 0.0
    if query.region and region and query.region != region:
        by_company *= REGION_MISMATCH  # 义乌的恒通 is not 深圳的恒通
    contact, by_name = best_contact(query.name, customer) if query.name else (None, 0.0)
    total = min(1.0, by_company + NAME_BONUS * by_name) if query.key else by_name
    return Match(customer["_id"], total, by_company, by_name, contact, customer.get("revenue_rank"))


def ranked(
    query: CallerQuery, customers: Iterable[Mapping[str, Any]], threshold: float
) -> list[Match]:
    """The customers scoring at least ``threshold``, best first (ties: see the module doc)."""
    matches = [score(query, c) for c in customers]
    good = [m for m in matches if m.score >= threshold and m.score > 0]
    return sorted(
        good,
        key=lambda m: (-m.score, -m.name_score, -m.company_score, m.rank or 1 << 62, m.customer_id),
    )


def mask_digits(phone: str, keep: int = 4) -> str:
    """+8613800138000 -> +*********8000: only the last ``keep`` digits stay."""
    total = sum(c.isdigit() for c in phone)
    seen = 0
    out: list[str] = []
    for char in phone:
        if char.isdigit():
            seen += 1
            out.append(char if seen > total - keep else "*")
        else:
            out.append(char)
    return "".join(out)
