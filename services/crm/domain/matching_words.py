"""The words a company name is normalised without (services/crm/domain/matching.py): legal forms
and generic trades in Chinese and English, and the places a Chinese registered name starts
with (pure data)."""

from __future__ import annotations

import re

# Trailing words that say what kind of company, not which one. Longest first, so
# 股份有限公司 goes before 有限公司 and 公司.
CJK_SUFFIXES = sorted(
    {
        "股份有限公司",
        "有限责任公司",
        "有限公司",
        "股份公司",
        "分公司",
        "总公司",
        "公司",
        "集团",
        "控股",
        "股份",
        "速运",
        "速递",
        "快递",
        "快运",
        "物流",
        "供应链",
        "科技",
        "信息技术",
        "技术",
        "网络",
        "电子商务",
        "电商",
        "商贸",
        "商行",
        "旗舰店",
        "专卖店",
        "贸易",
        "实业",
        "国际",
        "中国",
    },
    key=len,
    reverse=True,
)
CJK_WORDS = frozenset(CJK_SUFFIXES)
LATIN_SUFFIXES = frozenset(
    {
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "plc",
        "pte",
        "gmbh",
        "ag",
        "sa",
        "bv",
        "group",
        "holding",
        "holdings",
        "logistics",
        "express",
        "technology",
        "technologies",
        "tech",
        "ecommerce",
        "trading",
        "international",
        "intl",
        "china",
    }
)
# A leading 广东省 / 深圳市 / 深圳: where the company is registered, not which one it is. It
# is kept aside (``company_region``): two names that differ only there score lower.
PLACE_NAMES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 "
    "深圳 广州 东莞 佛山 珠海 中山 惠州 汕头 杭州 宁波 温州 义乌 金华 苏州 无锡 南京 常州 "
    "成都 武汉 长沙 郑州 西安 青岛 济南 厦门 福州 泉州 合肥 南昌 昆明 贵阳 南宁 沈阳 大连 "
    "长春 哈尔滨 石家庄 太原 兰州 乌鲁木齐 海口"
)
PLACES = PLACE_NAMES.split()
REGION = re.compile(
    "^(?:(" + "|".join(sorted(set(PLACES), key=len, reverse=True)) + ")(?:省|市)?"
    "|([\u4e00-\u9fff]{2,3})(?:省|市))"
)
