"""How the reports look: JSON documents and CSV tables (percentages, means and NPS
rounded to two decimals here, after every difference was taken on exact figures)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.crm.convert import money_doc
from services.crm.domain.classification import TIERS, cny
from services.crm.domain.reports import FROM_KEYS, Movement, Movements, RevenueShare, headline
from services.crm.domain.satisfaction import Figures, SatisfactionReport
from services.crm.reporting import Window
from services.crm.sheets import render
from services.crm.views import iso

Document = dict[str, Any]
FIGURE_COLUMNS = (
    "answers",
    "mean_score",
    "csat_pct",
    "nps",
    "nps_answers",
    "promoters",
    "passives",
    "detractors",
)
MOVES = [(f, t) for f in FROM_KEYS for t in TIERS if f != t]


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _window(span: Window) -> Document:
    return {"days": span.days, "from": iso(span.since), "to": iso(span.now)}


def figures_doc(f: Figures) -> Document:
    return {
        "answers": f.answers,
        "mean_score": _r(f.mean_score),
        "csat_pct": _r(f.csat_pct),
        "nps": _r(f.nps),
        "nps_answers": f.nps_answers,
        "promoters": f.promoters,
        "passives": f.passives,
        "detractors": f.detractors,
    }


def _groups(report: SatisfactionReport) -> list[tuple[str, str, Figures]]:
    return [
        ("overall", "all", report.overall),
        *(("source", k, f) for k, f in report.by_source.items()),
        *(("tier", k, f) for k, f in report.by_tier.items()),
        *(("outlet", k, f) for k, f in report.by_outlet.items()),
        *(("sla", k, f) for k, f in report.by_sla.items()),
    ]


def satisfaction_json(report: SatisfactionReport, span: Window) -> Document:
    effect, sla = report.breach_effect, report.by_sla
    return {
        "window": _window(span),
        "overall": figures_doc(report.overall),
        "by_source": [{"source": k, **figures_doc(f)} for k, f in report.by_source.items()],
        "by_tier": [{"tier": k, **figures_doc(f)} for k, f in report.by_tier.items()],
        "by_outlet": [{"outlet": k, **figures_doc(f)} for k, f in report.by_outlet.items()],
        "by_sla": [{"sla": k, **figures_doc(f)} for k, f in sla.items()],
        "breach_effect": {
            "mean_score": _r(effect.mean_score),
            "csat_pct": _r(effect.csat_pct),
            "nps": _r(effect.nps),
            "met_answers": sla["met"].answers,
            "breached_answers": sla["breached"].answers,
        },
    }


def satisfaction_csv(report: SatisfactionReport) -> str:
    rows: list[Sequence[object]] = [
        [group, key, *(figures_doc(f)[c] for c in FIGURE_COLUMNS)]
        for group, key, f in _groups(report)
    ]
    effect = report.breach_effect
    diffs = [_r(effect.mean_score), _r(effect.csat_pct), _r(effect.nps)]
    rows.append(["breach_effect", "met-breached", None, *diffs, None, None, None, None])
    return render(["group", "key", *FIGURE_COLUMNS], rows)


def revenue_share_json(share: RevenueShare, ranked_at: datetime | None, currency: str) -> Document:
    return {
        "ranked_at": iso(ranked_at),
        "customers": share.customers,
        "revenue_90d": money_doc(share.revenue_fen, currency),
        "tiers": [
            {
                "tier": row.tier,
                "customers": row.customers,
                "customers_pct": _r(row.customers_pct),
                "revenue_90d": money_doc(row.revenue_fen, currency),
                "share_pct": _r(row.share_pct),
                "cumulative_pct": _r(row.cumulative_pct),
            }
            for row in share.rows
        ],
        "top_20": {
            "customers": share.top_customers,
            "customers_pct": _r(share.top_customers_pct),
            "revenue_90d": money_doc(share.top_revenue_fen, currency),
            "share_pct": _r(share.top_share_pct),
        },
        "headline": headline(share),
    }


def revenue_share_csv(share: RevenueShare) -> str:
    rows: list[Sequence[object]] = [
        [
            r.tier,
            r.customers,
            _r(r.customers_pct),
            cny(r.revenue_fen),
            _r(r.share_pct),
            _r(r.cumulative_pct),
        ]
        for r in share.rows
    ]
    everyone = 100.0 if share.customers else None
    whole = 100.0 if share.revenue_fen > 0 else None
    rows.append(["all", share.customers, everyone, cny(share.revenue_fen), whole, None])
    top = [share.top_customers, _r(share.top_customers_pct), cny(share.top_revenue_fen)]
    rows.append(["top_20", *top, _r(share.top_share_pct), None])
    header = ["tier", "customers", "customers_pct", "revenue_90d", "share_pct", "cumulative_pct"]
    return render(header, rows)


def movement_doc(m: Movement) -> Document:
    return {
        "start": iso(m.start),
        "end": iso(m.end),
        "upgrades": m.upgrades,
        "downgrades": m.downgrades,
        "new": m.entered,
        "net_into_q1": m.net_into_q1,
        "matrix": m.matrix,
    }


def movements_json(moves: Movements, span: Window) -> Document:
    return {
        "window": _window(span),
        "period": "week" if moves.by_week else "day",
        "total": movement_doc(moves.total),
        "periods": [movement_doc(p) for p in moves.periods],
    }


def _movement_row(label: str, m: Movement) -> list[object]:
    head = [label, iso(m.start), iso(m.end), m.upgrades, m.downgrades, m.entered]
    return [*head, m.net_into_q1, *(m.matrix[f][t] for f, t in MOVES)]


def movements_csv(moves: Movements) -> str:
    header = ["period", "start", "end", "upgrades", "downgrades", "new", "net_into_q1"]
    header += [f"{f}>{t}" for f, t in MOVES]
    rows = [_movement_row("week" if moves.by_week else "day", p) for p in moves.periods]
    rows.append(_movement_row("total", moves.total))
    return render(header, rows)
