"""A synthetic customer archive and order stream for the crm benchmarks (no I/O).

The population is skewed as a courier's customers are: revenue weights from a Pareto
distribution with alpha 1.16 (the 80/20 rule: the top fifth holds about four fifths of the
revenue), most customers shipping a few parcels a quarter and a few shipping every day.
Company names are built from shared words (cities, brand words, trades, legal suffixes, in
Chinese and English), so a fuzzy company match has many near neighbours to rank.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fairwind.domain.privacy import mask_name
from fairwind.domain.waybill import format_waybill
from fairwind.v1 import common_pb2, orders_pb2
from services.crm.domain.classification import WINDOW_DAYS
from services.crm.domain.matching import company_fields
from services.crm.store.customer_archive import IMPORTED

Document = dict[str, Any]
ALPHA = 1.16  # Pareto shape of the 80/20 rule
MAX_WEIGHT = 20_000.0
FEN_PER_SHIPMENT = 1_500  # about 15 CNY a parcel
MIN_SHIPMENTS_90D = 3
IMPORTED_SHARE = 0.85  # the rest entered the archive with their first order
IMPORT_AGE_DAYS = 45  # the archive was imported this long before "now"
RECENT_ORDERS = 5  # order history kept per active customer in the seed

CITIES = ["深圳", "广州", "上海", "北京", "杭州", "东莞", "义乌", "成都", "武汉", "苏州"]
# Brands are two or three of these characters: tens of thousands of names, most sharing a
# character bigram with many others (顺达, 宏顺达, 顺达通).
BRAND_CHARS = "顺达华美金诚宏远新天虹联创永盛恒通鑫源瑞丰百嘉和佳长城东方海万家世信兴隆德福泰安"
TRADES = ["电子", "服饰", "贸易", "科技", "电商", "食品", "家居", "五金", "化妆品", "母婴"]
SUFFIXES = ["有限公司", "股份有限公司", "商贸有限公司", "贸易商行", "旗舰店"]
EN_BRANDS = ["Golden", "Pacific", "Harbor", "Dragon", "Sun", "Bright", "Silver", "Green"]
EN_BRANDS += ["Star", "Ocean", "Eastern", "Unity", "Jade", "Phoenix", "Summit", "Royal"]
EN_BRANDS += ["Lucky", "Prime", "Blue", "Red", "North", "South", "Global", "Apex"]
EN_TRADES = ["Electronics", "Trading", "Fashion", "Tech", "Foods", "Home", "Logistics"]
EN_TRADES += ["Hardware", "Cosmetics", "Supply"]
EN_SUFFIXES = ["Co., Ltd.", "Limited", "Inc.", "Group", "Trading Co."]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
GIVEN += ["明", "超", "秀英", "建华", "志强", "海燕", "晓东", "丽华", "文博", "子涵"]
EN_FIRST = ["Amy", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Ivy", "Jack"]
EN_LAST = ["Chen", "Wong", "Lee", "Smith", "Taylor", "Brown", "Ng", "Lam", "Ho", "Tan"]
TITLES = ["物流经理", "采购主管", "总经理", "仓库主管", "Logistics manager", "Ops lead"]
CONSIGNEES = ["张三", "李雷", "韩梅梅", "欧阳娜娜", "Li Lei", "王小明", "陈静"]
DESTINATIONS = ["北京市", "上海市", "广州市", "深圳市", "成都市", "杭州市", "武汉市"]
LEVELS = [common_pb2.SERVICE_LEVEL_NEXT_DAY] * 6 + [common_pb2.SERVICE_LEVEL_STANDARD] * 3
LEVELS += [common_pb2.SERVICE_LEVEL_SAME_DAY]


@dataclass(frozen=True)
class Customer:
    customer_id: str
    weight: float  # relative revenue: what the order stream and the callers draw on
    person: str
    company: str
    phones: list[str]  # E.164
    english: bool
    city: str


@dataclass(frozen=True)
class Population:
    customers: list[Customer]
    documents: list[Document]  # the ``customers`` collection
    days: list[Document]  # ``revenue_days``
    orders: list[Document]  # ``orders`` (recent history of the active customers)


def customer_id(n: int) -> str:
    return f"C{n:06d}"


def _company(rng: random.Random, english: bool) -> str:
    if english:
        brand = " ".join(rng.sample(EN_BRANDS, 2))
        return f"{brand} {rng.choice(EN_TRADES)} {rng.choice(EN_SUFFIXES)}"
    city = rng.choice(CITIES) + ("市" if rng.random() < 0.5 else "")
    brand = "".join(rng.sample(BRAND_CHARS, 2 if rng.random() < 0.7 else 3))
    trade, suffix = rng.choice(TRADES), rng.choice(SUFFIXES)
    return f"{city}{brand}{trade}{suffix}"


def _person(rng: random.Random, english: bool) -> str:
    if english:
        return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(n: int, rng: random.Random) -> str:
    if rng.random() < 0.3:  # a landline: area code and eight digits
        return f"+86{rng.choice(['755', '20', '21', '10', '571'])}{rng.randrange(10**7, 10**8)}"
    return f"+861{rng.choice('3589')}{n % 10**9:09d}"


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@functools.cache
def _days(today: date) -> list[tuple[str, datetime]]:
    """The window's days, ``today`` first: (ISO date, midnight UTC)."""
    return [
        (d.isoformat(), midnight(d)) for d in (today - timedelta(n) for n in range(WINDOW_DAYS))
    ]


def population(size: int, now: datetime, seed: int = 15) -> Population:
    """``size`` customers as the archive holds them ``now``, their live daily buckets and
    their recent orders. Deterministic for a seed."""
    rng = random.Random(seed)
    today = now.date()
    imported_at = now - timedelta(days=IMPORT_AGE_DAYS)
    people: list[Customer] = []
    documents: list[Document] = []
    days: list[Document] = []
    orders: list[Document] = []
    shared_switchboard: str | None = None
    for n in range(size):
        cid = customer_id(n)
        weight = min(MAX_WEIGHT, rng.paretovariate(ALPHA))
        english = rng.random() < 0.25
        person, company = _person(rng, english), _company(rng, english)
        numbers = [_phone(n * 3 + k, rng) for k in range(1 + (rng.random() < 0.3))]
        if n % 100 == 7 and shared_switchboard:  # a few share a number with another customer
            numbers.append(shared_switchboard)
        shared_switchboard = numbers[0]
        city = rng.choice(CITIES)
        people.append(Customer(cid, weight, person, company, numbers, english, city))
        shipments = round(MIN_SHIPMENTS_90D * weight)
        doc: Document = {
            "_id": cid,
            "name": person,
            "company": company,
            **company_fields(company),  # what the import writes for caller ID by name
            "phones": numbers,
            "emails": [f"ops{n}@{'example.com' if english else 'example.cn'}"],
            "contacts": [
                {
                    "name": person,
                    "title": rng.choice(TITLES),
                    "phone": numbers[0],
                    "email": f"ops{n}@example.cn",
                }
            ],
            "city": city,
            "city_source": IMPORTED,
            "tier": None,
            "created_at": imported_at,
            "updated_at": imported_at,
        }
        if rng.random() < IMPORTED_SHARE:
            doc["imported"] = {
                "revenue_fen": shipments * FEN_PER_SHIPMENT,
                "shipments": shipments,
                "as_of": imported_at,
            }
        documents.append(doc)
        # Active in the window: certain for the big ones, a fair share of the small ones.
        if rng.random() < min(1.0, 0.25 + 0.1 * math.log(weight)) or "imported" not in doc:
            _live(rng, cid, shipments, today, days, orders)
    return Population(people, documents, days, orders)


def _live(
    rng: random.Random,
    cid: str,
    shipments: int,
    today: date,
    days: list[Document],
    orders: list[Document],
) -> None:
    """Daily buckets over the trailing window and the customer's last orders."""
    per_day = shipments / WINDOW_DAYS
    active = max(1, min(WINDOW_DAYS, round(WINDOW_DAYS * (1 - math.exp(-per_day)))))
    dates = sorted(rng.sample(range(WINDOW_DAYS), active))  # days before today
    for back in dates:
        iso, start = _days(today)[back]
        count = max(1, round(per_day * (0.5 + rng.random())))
        days.append(
            {
                "_id": f"{cid}|{iso}",
                "customer_id": cid,
                "day": start,
                "revenue_fen": count * rng.randrange(800, 3_000),
                "shipments": count,
            }
        )
    for k, back in enumerate(dates[:RECENT_ORDERS]):
        at = _days(today)[back][1] + timedelta(minutes=rng.randrange(1_440))
        price = rng.randrange(800, 6_000)
        orders.append(
            {
                "_id": f"SEED{cid}{k}",
                "customer_id": cid,
                "partner_id": cid,
                "price_fen": price,
                "currency": "CNY",
                "revenue_fen": price,
                "created_at": at,
                "status": "delivered",
                "status_at": at,
                "service_level": "next_day",
                "destination_city": rng.choice(DESTINATIONS),
                "consignee_name": mask_name(rng.choice(CONSIGNEES)),
                "counted": True,
            }
        )


def drawn(people: list[Customer], count: int, rng: random.Random) -> list[Customer]:
    """``count`` customers drawn in proportion to their revenue weight: orders and calls
    come more often from the big customers."""
    return rng.choices(people, weights=[p.weight for p in people], k=count)


def order_stream(
    people: list[Customer], count: int, now: datetime, seed: int = 16
) -> list[tuple[datetime, orders_pb2.OrderCreated, str]]:
    """``count`` OrderCreated of the half day before ``now``, in time order, as the orders
    topic carries them: customers drawn by weight, a few new ones (unknown to the archive),
    shippers now and then on another phone, a few priced in another currency, and a few
    redelivered (the same waybill twice)."""
    rng = random.Random(seed)
    out: list[tuple[datetime, orders_pb2.OrderCreated, str]] = []
    for n, customer in enumerate(drawn(people, count, rng)):
        at = now - timedelta(hours=12) + timedelta(seconds=n * 12 * 3600 / count)
        if out and rng.random() < 0.005:
            _, again, waybill = out[rng.randrange(len(out))]
            out.append((at, again, waybill))
            continue
        cid, person, company, phone = customer.customer_id, customer.person, customer.company, ""
        if rng.random() < 0.02:  # a shipper the archive does not know yet
            cid, person, company = f"N{n:07d}", _person(rng, False), _company(rng, False)
        pick = rng.random()
        if pick < 0.85:
            phone = customer.phones[0]
        elif pick < 0.95:
            phone = f"+86139{n:08d}"
        waybill = format_waybill("FW", 10_000_000 + n)
        currency = "USD" if rng.random() < 0.01 else "CNY"
        fen = rng.randrange(800, 6_000)
        order = orders_pb2.Order(
            waybill=waybill,
            partner_id=cid,
            customer_id=cid,
            partner_order_id=f"PO-{n}",
            service_level=rng.choice(LEVELS),
            price=common_pb2.Money(
                currency_code=currency, units=fen // 100, nanos=fen % 100 * 10_000_000
            ),
            shipper=common_pb2.Contact(
                name=person,
                company=company,
                phone=phone,
                address=common_pb2.Address(city=customer.city, street="科技园路 1 号"),
            ),
            consignee=common_pb2.Contact(
                name=rng.choice(CONSIGNEES),
                phone=f"+86137{n:08d}",
                address=common_pb2.Address(
                    city=rng.choice(DESTINATIONS), district="朝阳区", street="建国路 88 号"
                ),
            ),
        )
        order.created_at.FromDatetime(at)
        out.append((at, orders_pb2.OrderCreated(order=order), waybill))
    return out


def caller_formats(e164: str, rng: random.Random) -> str:
    """The number as a switchboard or an agent types it: national with a trunk 0, spaced,
    dashed, with 00 or a full-width plus (all normalise to ``e164``)."""
    national = e164.removeprefix("+86")
    pick = rng.randrange(5)
    if pick == 0:
        return e164
    if pick == 1:
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    if pick == 2:
        return f"0086-{national}"
    if pick == 3:
        return f"\uff0b86 {national}"
    return national if national.startswith("1") else f"0{national}"


def spoken_company(customer: Customer, rng: random.Random) -> str:
    """How a caller names the company: the first words of an English name; a Chinese one
    without its legal suffix, mostly without its city too (顺达电子 for
    深圳市顺达电子有限公司)."""
    company = customer.company
    if customer.english:
        return " ".join(company.split()[: rng.choice([1, 2, 2, 3])])
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        company = company.removesuffix(suffix)
    city = next((c for c in CITIES if company.startswith(c)), "")
    if city and rng.random() < 0.7:
        return company.removeprefix(city).removeprefix("市")
    return company
