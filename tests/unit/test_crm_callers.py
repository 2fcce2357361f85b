"""The pure parts of caller ID and complaints: company and person matching, the open-issue
lines, the backlog report and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

import pytest

from services.crm import callers
from services.crm.api.complaints import Category
from services.crm.complaint_views import backlog, csv_rows
from services.crm.domain import matching
from services.crm.domain.complaints import (
    CATEGORIES,
    age_hours,
    issue_line,
    new_complaint,
)
from services.crm.domain.matching import (
    CallerQuery,
    company_fields,
    company_score,
    name_score,
    normalise_company,
)
from services.crm.sheets import cell

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("顺丰", "顺丰"),
        ("顺丰速运有限公司", "顺丰"),
        ("深圳市顺丰速运有限公司", "顺丰"),
        ("广东省深圳市顺丰速运（集团）有限公司", "顺丰"),  # noqa: RUF001
        ("顺丰 速运", "顺丰"),
        ("Acme Ltd", "acme"),
        ("ACME Limited", "acme"),
        ("Acme Logistics Co., Ltd.", "acme"),
        ("ＡＣＭＥ　Ｌｔｄ", "acme"),  # noqa: RUF001  (full-width, as an input method types it)
        ("The Acme Group", "acme"),
        ("Coca-Cola Inc.", "cocacola"),
        ("Costco", "costco"),  # "co" is a legal form only as a word of its own
        ("科技", "科技"),  # a name that is all suffix keeps it
        ("", ""),
        ("  ", ""),
        ("!!!", ""),
    ],
)
def test_company_names_normalise_to_a_key(raw: str, key: str) -> None:
    assert normalise_company(raw) == key


def score_of(a: str, b: str) -> float:
    return company_score(normalise_company(a), normalise_company(b))


@pytest.mark.parametrize(
    ("said", "stored", "low", "high"),
    [
        ("顺丰", "顺丰速运有限公司", 1.0, 1.0),
        ("顺丰", "丰顺", 0.0, 0.0),  # the same characters in another order: no bigram shared
        ("Acme Ltd", "ACME Limited", 1.0, 1.0),
        ("Acme", "Acne Corp", 0.3, 0.4),  # one shared bigram of three
        ("顺丰", "顺丰控股", 1.0, 1.0),  # 控股 is a generic suffix
        ("顺达电子", "深圳顺达电子有限公司", 1.0, 1.0),  # the city is set aside
        ("顺达", "顺达电子有限公司", 0.9, 0.95),  # a prefix
        ("恒通母婴", "宏远恒通母婴", 0.8, 0.85),  # inside
        ("Golden Electronics", "Golden Electronics Trading Co., Ltd.", 0.9, 1.0),  # a prefix
        ("hp", "hp printing", 0.0, 0.59),  # too short to count as contained
        ("", "顺丰", 0.0, 0.0),
        ("顺丰", "", 0.0, 0.0),
    ],
)
def test_company_scores(said: str, stored: str, low: float, high: float) -> None:
    assert low <= score_of(said, stored) <= high


def test_a_contained_name_scores_below_an_exact_one_and_above_the_threshold() -> None:
    assert score_of("顺丰", "顺丰速运") > score_of("顺丰", "顺丰泰森") >= 0.6
    assert score_of("Acme", "Acme") > score_of("Acme", "Acne Corp")
    assert score_of("顺丰", "丰顺") < 0.6


@pytest.mark.parametrize(
    ("said", "stored", "low", "high"),
    [
        ("王芳", "王芳", 1.0, 1.0),
        ("王 芳", "王芳", 1.0, 1.0),
        ("ＷＡＮＧ Fang", "wang fang", 1.0, 1.0),  # noqa: RUF001
        ("Fang Wang", "Wang Fang", 0.95, 0.95),
        ("John Smith", "Jon Smith", 0.8, 0.9),
        ("王芳", "王方", 0.3, 0.4),  # one character of two: not a match
        ("", "王芳", 0.0, 0.0),
    ],
)
def test_person_name_scores(said: str, stored: str, low: float, high: float) -> None:
    assert low <= name_score(said, stored) <= high


def customer(cid: str, company: str, name: str = "", **extra: Any) -> dict[str, Any]:
    return {"_id": cid, "company": company, "name": name, **company_fields(company), **extra}


def test_the_caller_is_the_best_match_and_the_name_breaks_ties() -> None:
    archive = [
        customer("shunfeng", "顺丰速运有限公司", "李四", revenue_rank=9),
        customer("sf_tech", "顺丰科技有限公司", "赵六", revenue_rank=2),
        customer(
            "sf_express",
            "顺丰速运集团",
            "",
            revenue_rank=5,
            contacts=[{"name": "王芳", "title": "物流经理", "phone": "+8613800138000"}],
        ),
        customer("fengshun", "丰顺贸易有限公司", "王芳", revenue_rank=1),
        customer("shunda", "顺达电子", "王芳", revenue_rank=3),
    ]
    found = matching.ranked(CallerQuery.of("王芳", "顺丰"), archive, 0.6)
    assert [m.customer_id for m in found] == ["sf_express", "sf_tech", "shunfeng"]
    best = found[0]
    assert best.score == 1.0
    assert best.name_score == 1.0
    assert best.contact is not None
    assert best.contact["title"] == "物流经理"
    # Without a name, equal company scores go to the better-ranked customer.
    alone = matching.ranked(CallerQuery.of("", "顺丰"), archive, 0.6)
    assert [m.customer_id for m in alone] == ["sf_tech", "sf_express", "shunfeng"]
    assert all(m.contact is None for m in alone)


def test_a_matching_name_lifts_a_weak_company_over_the_threshold() -> None:
    archive = [customer("acme", "Acne Corp", "Amy Chen")]
    assert matching.ranked(CallerQuery.of("", "Acme"), archive, 0.6) == []
    lifted = matching.ranked(CallerQuery.of("Amy Chen", "Acme"), archive, 0.5)
    assert lifted
    assert lifted[0].score == pytest.approx(1 / 3 + matching.NAME_BONUS)


def test_name_only_lookups_score_the_name_and_nothing_matches_empty_input() -> None:
    archive = [customer("a", "Alpha", "王芳"), customer("b", "Bravo", "王方")]
    found = matching.ranked(CallerQuery.of("王芳", ""), archive, 0.6)
    assert [m.customer_id for m in found] == ["a"]
    assert matching.ranked(CallerQuery.of("", ""), archive, 0.6) == []


@pytest.mark.parametrize(
    ("raw", "region", "key"),
    [
        ("深圳市顺丰速运有限公司", "深圳", "顺丰"),
        ("广东省深圳市顺丰速运有限公司", "深圳", "顺丰"),
        ("义乌恒通母婴有限公司", "义乌", "恒通母婴"),
        ("东阳市宏达", "东阳", "宏达"),  # a city of the pattern, not of the list
        ("北京", "", "北京"),  # a name that is all place keeps it
        ("Acme Ltd", "", "acme"),
    ],
)
def test_the_region_is_set_aside(raw: str, region: str, key: str) -> None:
    assert matching.split_company(raw) == (region, key)


def test_two_regions_that_differ_score_lower() -> None:
    stored = customer("x", "深圳市恒通母婴有限公司")
    assert matching.score(CallerQuery.of("", "深圳恒通母婴"), stored).score == 1.0
    assert matching.score(CallerQuery.of("", "恒通母婴"), stored).score == 1.0
    other = matching.score(CallerQuery.of("", "义乌市恒通母婴"), stored).score
    assert other == pytest.approx(matching.REGION_MISMATCH)


def test_a_customer_stored_before_company_keys_is_scored_from_its_company() -> None:
    legacy = {"_id": "old", "company": "顺丰速运有限公司"}
    assert matching.score(CallerQuery.of("", "顺丰"), legacy).company_score == 1.0


def test_company_fields_hold_the_bigrams_of_the_key() -> None:
    assert company_fields("深圳市顺丰速运有限公司") == {
        "company_key": "顺丰",
        "company_region": "深圳",
        "company_grams": ["顺丰"],
        "company_prefixes": ["顺丰"],
    }
    acme = company_fields("ACME Express Ltd")
    assert acme["company_grams"] == ["ac", "cm", "me"]
    assert acme["company_prefixes"] == ["acme"]  # shorter beginnings say too little
    assert company_fields("顺丰泰森食品")["company_prefixes"] == [
        "顺丰",
        "顺丰泰",
        "顺丰泰森",
        "顺丰泰森食",
        "顺丰泰森食品",
    ]
    assert len(company_fields("x" * 100)["company_prefixes"]) == matching.MAX_PREFIX - 3
    assert company_fields("")["company_grams"] == []
    assert matching.company_grams("顺") == ["顺"]
    assert matching.company_grams("顺丰控") == ["丰控", "顺丰"]


def test_name_variants_and_masked_phones() -> None:
    assert matching.name_variants(" 王 芳 ") == ["王 芳", "王芳"]
    assert matching.mask_digits("+8613800138000") == "+*********8000"
    assert matching.mask_digits("") == ""


def test_limits_of_a_lookup() -> None:
    assert (callers.recent_limit(0), callers.recent_limit(3), callers.recent_limit(99)) == (
        10,
        3,
        50,
    )
    assert (callers.candidates_limit(0), callers.candidates_limit(20)) == (3, 10)
    with pytest.raises(ValueError, match="negative"):
        callers.recent_limit(-1)
    with pytest.raises(ValueError, match="negative"):
        callers.candidates_limit(-1)


def complaint(cid: str, hours_ago: float, **fields: Any) -> dict[str, Any]:
    doc = new_complaint(
        cid,
        fields.pop("customer_id", "acme"),
        fields.pop("category", "late"),
        fields.pop("summary", "parcel two days late"),
        fields.pop("waybill", None),
        fields.pop("owner", None),
        "agent-7",
        NOW - timedelta(hours=hours_ago),
    )
    return doc | fields


def test_issue_lines_are_short_and_name_the_waybill() -> None:
    assert issue_line(complaint("CP-1", 1, waybill="SF1234567890")) == (
        "CP-1 late SF1234567890: parcel two days late"
    )
    assert issue_line(complaint("CP-2", 1, category="billing")) == (
        "CP-2 billing: parcel two days late"
    )
    long = issue_line(complaint("CP-3", 1, summary="破损\n" + "很" * 300))
    assert len(long) == 120
    assert long.endswith("…")
    assert "\n" not in long


def test_categories_agree_between_the_api_and_the_rules() -> None:
    assert get_args(Category) == CATEGORIES
    with pytest.raises(ValueError, match="category"):
        new_complaint("CP-1", "acme", "rude", "x", None, None, "agent", NOW)


def test_the_backlog_report() -> None:
    oldest = [complaint("CP-1", 50.25), complaint("CP-2", 3, owner="mgr-1")]
    report = backlog({"late": 2, "lost": 1}, {None: 2, "mgr-1": 1}, oldest, 4, 5 * 3600.0, NOW)
    assert report["open"] == 3
    assert report["open_by_category"] == {
        "late": 2,
        "damaged": 0,
        "lost": 1,
        "courier_conduct": 0,
        "billing": 0,
        "other": 0,
    }
    assert report["open_by_owner"] == {"unassigned": 2, "mgr-1": 1}
    assert [(c["complaint_id"], c["age_hours"]) for c in report["oldest_open"]] == [
        ("CP-1", 50.2),
        ("CP-2", 3.0),
    ]
    assert (report["resolved_30d"], report["mean_hours_to_resolve_30d"]) == (4, 5.0)
    assert backlog({}, {}, [], 0, None, NOW)["mean_hours_to_resolve_30d"] is None
    assert age_hours(NOW + timedelta(hours=1), NOW) == 0.0  # a clock skew is not negative


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+86 138", "'+86 138"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("late", "late"),
        ("a=b", "a=b"),
        (None, ""),
        (12.5, 12.5),  # a number stays a number: it cannot carry a formula
    ],
)
def test_csv_cells_cannot_run_as_formulas(value: object, shown: object) -> None:
    assert cell(value) == shown


def test_csv_rows_of_open_complaints() -> None:
    rows = [complaint("CP-1", 2, summary="=cmd|' /C calc'!A0", owner="@mgr", waybill="SF1")]
    text = csv_rows(rows, NOW, header=True)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][:3] == ["complaint_id", "customer_id", "waybill"]
    assert parsed[1] == [
        "CP-1",
        "acme",
        "SF1",
        "late",
        "'@mgr",
        "2025-03-01T10:00:00Z",
        "2.0",
        "agent-7",
        "'=cmd|' /C calc'!A0",
    ]
    assert csv_rows([], NOW, header=False) == ""
