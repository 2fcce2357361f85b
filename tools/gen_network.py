"""Generate the sample express network: ~30 Chinese cities on real coordinates, one sorting
hub per city (7 of them regional hubs), ~10 outlets per city, linehaul legs with daily
departures, served districts, remote areas and couriers with shifts.

Deterministic: the same seed gives the same file byte for byte.

    python tools/gen_network.py [--seed 7] [--outlets-per-city 10] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "services" / "routing" / "data" / "network.json"

# code, name, province, latitude, longitude, region
CITIES: list[tuple[str, str, str, float, float, str]] = [
    ("BJS", "北京市", "北京市", 39.904, 116.407, "north"),
    ("TSN", "天津市", "天津市", 39.343, 117.362, "north"),
    ("SJW", "石家庄市", "河北省", 38.042, 114.514, "north"),
    ("TYN", "太原市", "山西省", 37.870, 112.549, "north"),
    ("HET", "呼和浩特市", "内蒙古自治区", 40.842, 111.749, "north"),
    ("SHE", "沈阳市", "辽宁省", 41.805, 123.431, "northeast"),
    ("DLC", "大连市", "辽宁省", 38.914, 121.615, "northeast"),
    ("HRB", "哈尔滨市", "黑龙江省", 45.803, 126.535, "northeast"),
    ("SHA", "上海市", "上海市", 31.230, 121.474, "east"),
    ("NKG", "南京市", "江苏省", 32.060, 118.797, "east"),
    ("SZV", "苏州市", "江苏省", 31.299, 120.585, "east"),
    ("HGH", "杭州市", "浙江省", 30.274, 120.155, "east"),
    ("HFE", "合肥市", "安徽省", 31.821, 117.227, "east"),
    ("TAO", "青岛市", "山东省", 36.067, 120.383, "east"),
    ("TNA", "济南市", "山东省", 36.651, 117.120, "east"),
    ("CAN", "广州市", "广东省", 23.129, 113.264, "south"),
    ("SZX", "深圳市", "广东省", 22.543, 114.058, "south"),
    ("XMN", "厦门市", "福建省", 24.480, 118.089, "south"),
    ("FOC", "福州市", "福建省", 26.074, 119.296, "south"),
    ("NNG", "南宁市", "广西壮族自治区", 22.817, 108.366, "south"),
    ("HAK", "海口市", "海南省", 20.044, 110.199, "south"),
    ("WUH", "武汉市", "湖北省", 30.593, 114.305, "central"),
    ("CSX", "长沙市", "湖南省", 28.228, 112.939, "central"),
    ("CGO", "郑州市", "河南省", 34.747, 113.625, "central"),
    ("KHN", "南昌市", "江西省", 28.683, 115.858, "central"),
    ("CTU", "成都市", "四川省", 30.573, 104.066, "west"),
    ("CKG", "重庆市", "重庆市", 29.563, 106.551, "west"),
    ("KMG", "昆明市", "云南省", 25.038, 102.718, "west"),
    ("XIY", "西安市", "陕西省", 34.341, 108.940, "northwest"),
    ("LHW", "兰州市", "甘肃省", 36.061, 103.834, "northwest"),
    ("URC", "乌鲁木齐市", "新疆维吾尔自治区", 43.825, 87.617, "northwest"),
    ("LXA", "拉萨市", "西藏自治区", 29.652, 91.172, "west"),
]
REGIONAL = {
    "north": "BJS",
    "northeast": "SHE",
    "east": "SHA",
    "south": "CAN",
    "central": "WUH",
    "west": "CTU",
    "northwest": "XIY",
}
REMOTE_CITIES = {"URC": 2, "LXA": 3, "HET": 1}
DISTRICT_NAMES = [
    "城关区",
    "新城区",
    "高新区",
    "经开区",
    "东城区",
    "西城区",
    "南湖区",
    "北辰区",
    "滨江区",
    "临空区",
    "江北区",
    "天河区",
    "雁塔区",
    "金水区",
    "望城区",
    "龙华区",
    "锦江区",
    "武侯区",
    "鼓楼区",
    "玄武区",
    "江宁区",
    "海淀区",
    "朝阳区",
    "丰台区",
]
# Real districts for the largest cities; the others get common district names.
REAL_DISTRICTS = {
    "SZX": [
        "南山区",
        "福田区",
        "罗湖区",
        "宝安区",
        "龙岗区",
        "龙华区",
        "光明区",
        "坪山区",
        "盐田区",
        "大鹏新区",
        "前海",
        "西丽",
    ],
    "BJS": [
        "朝阳区",
        "海淀区",
        "东城区",
        "西城区",
        "丰台区",
        "石景山区",
        "通州区",
        "昌平区",
        "大兴区",
        "顺义区",
        "房山区",
        "门头沟区",
    ],
    "SHA": [
        "浦东新区",
        "黄浦区",
        "徐汇区",
        "长宁区",
        "静安区",
        "普陀区",
        "虹口区",
        "杨浦区",
        "闵行区",
        "宝山区",
        "嘉定区",
        "松江区",
    ],
    "CAN": [
        "天河区",
        "越秀区",
        "海珠区",
        "荔湾区",
        "白云区",
        "黄埔区",
        "番禺区",
        "花都区",
        "南沙区",
        "增城区",
        "从化区",
        "琶洲",
    ],
}
SHIFTS = [(7 * 60, 16 * 60), (8 * 60, 17 * 60), (10 * 60, 19 * 60), (12 * 60, 21 * 60)]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def hub_code(city: str) -> str:
    return f"H{city}"


def build(seed: int, outlets_per_city: int) -> dict[str, Any]:
    rng = random.Random(seed)
    where = {c[0]: (c[3], c[4]) for c in CITIES}
    hubs, outlets, legs = [], [], []
    for code, name, _, lat, lng, region in CITIES:
        regional = REGIONAL[region] == code
        hubs.append(
            {
                "code": hub_code(code),
                "city_code": code,
                "name": f"{name}转运中心",
                "latitude": lat,
                "longitude": lng,
                "regional": regional,
                "sort_minutes": 90 if regional else rng.choice([45, 60, 75]),
                "sort_capacity_per_hour": 60_000
                if regional
                else rng.choice([8_000, 12_000, 20_000]),
            }
        )
    for code, name, province, lat, lng, _ in CITIES:
        districts = REAL_DISTRICTS.get(code) or rng.sample(
            DISTRICT_NAMES, min(len(DISTRICT_NAMES), outlets_per_city + 4)
        )
        # Larger generated networks: numbered service areas beyond the named districts.
        districts = districts + [
            f"{k}号片区" for k in range(len(districts) + 1, outlets_per_city + 1)
        ]
        for n in range(outlets_per_city):
            outlet = f"{code}{n + 1:03d}"
            served = [districts[n]] + (
                [districts[outlets_per_city + n]] if n < len(districts) - outlets_per_city else []
            )
            remote_days = REMOTE_CITIES.get(code, 0)
            if remote_days == 0 and n == outlets_per_city - 1:
                remote_days = 1  # one outlying district per city
            offset = (rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25))
            drive = rng.choice([25, 35, 45, 60, 75])
            outlets.append(
                {
                    "code": outlet,
                    "city_code": code,
                    "city": name,
                    "province": province,
                    "districts": served,
                    "latitude": round(lat + offset[0], 4),
                    "longitude": round(lng + offset[1], 4),
                    "opens_minute": 8 * 60,
                    "closes_minute": 21 * 60,
                    "cutoff_minutes": 30,
                    "remote_extra_days": remote_days,
                    "couriers": [
                        {"id": f"{outlet}-C{k + 1}", "shift_start_minute": s, "shift_end_minute": e}
                        for k, (s, e) in enumerate(rng.sample(SHIFTS, rng.randint(2, 4)))
                    ],
                }
            )
            legs.append(
                {
                    "from": outlet,
                    "to": hub_code(code),
                    "mode": "road",
                    "departures": ["12:00", "18:30", "21:30"],
                    "duration_minutes": drive,
                }
            )
            legs.append(
                {
                    "from": hub_code(code),
                    "to": outlet,
                    "mode": "road",
                    "departures": ["05:30", "09:00", "13:30", "16:30"],
                    "duration_minutes": drive,
                }
            )
    pairs: set[tuple[str, str]] = set()

    def link(a: str, b: str) -> None:
        if a == b or (a, b) in pairs:
            return
        km = distance_km(where[a], where[b])
        air = km > 900
        for src, dst in ((a, b), (b, a)):
            pairs.add((src, dst))
            if air:
                legs.append(
                    {
                        "from": hub_code(src),
                        "to": hub_code(dst),
                        "mode": "air",
                        "departures": ["02:30", "10:30", "22:30"],
                        "duration_minutes": round(120 + km / 750 * 60),
                    }
                )
            else:
                legs.append(
                    {
                        "from": hub_code(src),
                        "to": hub_code(dst),
                        "mode": "road",
                        "departures": ["02:00", "08:00", "14:00", "20:30", "23:00"],
                        "duration_minutes": round(30 + km / 75 * 60),
                    }
                )

    for code, *_, region in CITIES:
        link(code, REGIONAL[region])
        nearest = sorted((distance_km(where[code], where[o]), o) for o in where if o != code)
        for km, other in nearest[:2]:
            if km < 700:
                link(code, other)
    regionals = sorted(REGIONAL.values())
    for i, a in enumerate(regionals):
        for b in regionals[i + 1 :]:
            link(a, b)
    return {
        "version": f"sample-{seed}",
        "time_zone": "Asia/Shanghai",
        "hubs": hubs,
        "outlets": outlets,
        "legs": legs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--outlets-per-city", type=int, default=10)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    network = build(args.seed, args.outlets_per_city)
    args.out.write_text(json.dumps(network, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(
        f"{args.out}: {len(network['hubs'])} hubs, {len(network['outlets'])} outlets, "
        f"{len(network['legs'])} legs"
    )


if __name__ == "__main__":
    main()
