"""The admin command line, run as the simulator runs it: a process with stdin and stdout."""

from __future__ import annotations

import json
import subprocess

import pytest

from fairwind.infra.pytest_plugin import InfraEndpoints
from services.crm.bootstrap import CrmApp
from tests.integration.crm.conftest import crm_command, json_lines

pytestmark = pytest.mark.integration
GOOD = [
    {"customer_id": "big", "name": "大客户", "revenue_90d_cny": 900000.0, "shipments_90d": 9000},
    {"customer_id": "mid", "revenue_90d_cny": 5000.0, "phones": ["138-0013-8000"]},
    {"customer_id": "small", "revenue_90d_cny": 10.0},
]


async def cli(
    infra: InfraEndpoints, database: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return await crm_command(infra, database, "customers", *args, stdin=stdin)


async def test_import_prints_tiers_and_show_and_rank_work(
    crm: CrmApp, infra: InfraEndpoints, unique_name: str
) -> None:
    done = await cli(infra, unique_name, "import", stdin=json_lines(GOOD))
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(p["customer_id"], p["tier"]) for p in printed] == [
        ("big", "Q1"),
        ("mid", "Q2"),
        ("small", "Q4"),
    ]
    shown = await cli(infra, unique_name, "show", "mid")
    assert shown.returncode == 0, shown.stderr
    view = json.loads(shown.stdout)
    assert (view["tier"], view["phones"]) == ("Q2", ["+8613800138000"])
    assert view["revenue_90d"]["amount"] == "5000.00"
    ranked = await cli(infra, unique_name, "rank")
    assert ranked.returncode == 0, ranked.stderr
    assert ranked.stdout == ""  # nothing changed since the import
    missing = await cli(infra, unique_name, "show", "nobody")
    assert missing.returncode == 1
    assert "nobody" in missing.stderr


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"customer_id": "x", "revenue_90d_cny": -5}', "revenue_90d_cny"),
        ("{not json", "not JSON"),
        ('{"customer_id": "x", "revenue_90d_cny": 1, "phones": ["12"]}', "phone"),
        ('{"customer_id": "big", "revenue_90d_cny": 1}', "already on line 1"),
        ('{"customer_id": "x", "revenue_90d_cny": 1, "vip": true}', "vip"),
    ],
)
async def test_bad_input_exits_non_zero_and_writes_nothing(
    crm: CrmApp, infra: InfraEndpoints, unique_name: str, bad_line: str, message: str
) -> None:
    stdin = json_lines(GOOD[:1]) + bad_line + "\n" + json_lines(GOOD[1:])
    done = await cli(infra, unique_name, "import", stdin=stdin)
    assert done.returncode != 0
    assert "line 2" in done.stderr
    assert message in done.stderr
    assert done.stdout == ""
    assert await crm.service.store.customers.count() == 0
    assert await crm.platform.outbox.records.count_documents({}) == 0


async def test_empty_input_is_an_error(
    crm: CrmApp, infra: InfraEndpoints, unique_name: str
) -> None:
    done = await cli(infra, unique_name, "import", stdin="\n")
    assert done.returncode != 0
    assert "no customers" in done.stderr


async def test_churn_scores_the_key_accounts_and_stores_their_score(
    crm: CrmApp, infra: InfraEndpoints, unique_name: str
) -> None:
    assert (await cli(infra, unique_name, "import", stdin=json_lines(GOOD))).returncode == 0
    done = await cli(infra, unique_name, "churn")
    assert done.returncode == 0, done.stderr
    printed = [json.loads(line) for line in done.stdout.splitlines()]
    assert [p["customer_id"] for p in printed] == ["big"]  # Q1 only
    assert printed[0]["raised"] is False  # a steady imported history is no churn signal
    assert printed[0]["drivers"] == []
    assert "scored 1 accounts, 0 alerts raised" in done.stderr
    stored = await crm.platform.mongo[unique_name]["customers"].find_one({"_id": "big"})
    assert stored is not None
    assert stored["churn"]["risk"] == pytest.approx(printed[0]["risk"], abs=1e-3)
