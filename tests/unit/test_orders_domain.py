"""Orders domain rules: waybills (fairwind/domain/waybill.py), weights, commodity and customs
rules, status rules."""

from __future__ import annotations

import itertools

import pytest

from fairwind.domain.waybill import (
    InvalidWaybill,
    check_digit,
    format_waybill,
    parse_waybill,
)
from services.orders.datafiles import load_commodity_rules
from services.orders.domain.commodities import CommodityRules, Item, RulesFileError
from services.orders.domain.status import CANCELLABLE, Status, follow
from services.orders.domain.weights import PieceSize, chargeable_weight_kg, volumetric_weight_kg


class TestWaybill:
    def test_format_has_prefix_serial_and_check_digit(self) -> None:
        waybill = format_waybill("FW", 42)
        assert waybill[:2] == "FW"
        assert waybill[2:13] == "00000000042"
        assert int(waybill[13]) == check_digit("00000000042")
        assert parse_waybill(waybill, "FW") == waybill

    def test_damm_reference_value(self) -> None:
        assert check_digit("572") == 4  # the algorithm's textbook example

    def test_every_single_digit_error_is_caught(self) -> None:
        waybill = format_waybill("FW", 12345678901)
        for position, replacement in itertools.product(range(2, 14), "0123456789"):
            if waybill[position] == replacement:
                continue
            typo = waybill[:position] + replacement + waybill[position + 1 :]
            with pytest.raises(InvalidWaybill):
                parse_waybill(typo, "FW")

    def test_every_adjacent_transposition_is_caught(self) -> None:
        for a, b, prefix in itertools.product("0123456789", "0123456789", ("", "7", "31", "902")):
            if a != b:
                digits = f"{prefix}{a}{b}4567"
                swapped = f"{prefix}{b}{a}4567"
                assert check_digit(digits) != check_digit(swapped), (digits, swapped)

    @pytest.mark.parametrize(
        "text", ["", "FW123", "XX000000000420", "FW0000000004200", "FW00000000042a"]
    )
    def test_malformed_numbers_are_refused(self, text: str) -> None:
        with pytest.raises(InvalidWaybill):
            parse_waybill(text, "FW")

    def test_spaces_dashes_and_case_are_forgiven(self) -> None:
        waybill = format_waybill("FW", 7)
        spaced = f"{waybill[:2].lower()} {waybill[2:7]}-{waybill[7:]}"
        assert parse_waybill(spaced, "FW") == waybill

    def test_serial_must_fit(self) -> None:
        with pytest.raises(ValueError, match="out of range"):
            format_waybill("FW", 10**11)


class TestWeights:
    def test_volumetric_weight_is_lwh_over_6000(self) -> None:
        assert volumetric_weight_kg(PieceSize(1, 60, 40, 50)) == pytest.approx(20.0)

    def test_chargeable_is_the_larger_per_piece_times_quantity(self) -> None:
        light_and_bulky = PieceSize(2.0, 60, 40, 50)  # 20 kg volumetric
        heavy_and_small = PieceSize(5.0, 10, 10, 10, quantity=3)  # 0.17 kg volumetric
        assert chargeable_weight_kg([light_and_bulky, heavy_and_small]) == pytest.approx(35.0)

    def test_rounded_up_to_a_tenth_of_a_kilo(self) -> None:
        assert chargeable_weight_kg([PieceSize(1.01, 1, 1, 1)]) == pytest.approx(1.1)
        assert chargeable_weight_kg([PieceSize(1.0, 1, 1, 1)]) == pytest.approx(1.0)


class TestCommodityRules:
    rules = load_commodity_rules()

    def test_prohibited_items_are_named(self) -> None:
        verdict = self.rules.evaluate(
            [Item("phone case", "392690"), Item("新年烟花", "")], "CN", "CN"
        )
        assert [(r.parcel_index, r.rule_id) for r in verdict.refusals] == [(1, "explosives")]
        assert (
            "explosives, fireworks and firecrackers are prohibited" in verdict.refusals[0].explain()
        )

    def test_hs_code_prefix_matches_with_dots(self) -> None:
        verdict = self.rules.evaluate([Item("sporting goods", "9303.20")], "CN", "CN")
        assert verdict.refusals[0].rule_id == "firearms"

    def test_keywords_match_whole_words_only(self) -> None:
        verdict = self.rules.evaluate([Item("cashmere sweater", "611012")], "CN", "CN")
        assert verdict.refusals == ()

    def test_domestic_batteries_need_documents_everywhere(self) -> None:
        verdict = self.rules.evaluate([Item("power bank 10000mAh", "")], "CN", "CN")
        assert verdict.refusals == ()
        assert [d.documents for d in verdict.documents] == [("msds", "un38.3_test_summary")]

    def test_export_needs_invoice_and_destination_specific_documents(self) -> None:
        verdict = self.rules.evaluate([Item("cotton t-shirt", "610910")], "CN", "US")
        needed = {d.rule_id: d.documents for d in verdict.documents}
        assert needed == {
            "textiles-us": ("certificate_of_origin", "textile_declaration"),
            "commercial-invoice": ("commercial_invoice",),
        }
        assert self.rules.evaluate([Item("cotton t-shirt", "610910")], "CN", "CN").documents == ()

    def test_export_of_cosmetics_lists_documents(self) -> None:
        verdict = self.rules.evaluate([Item("香水 perfume 50ml", "330300")], "CN", "JP")
        assert "cosmetics-export" in {d.rule_id for d in verdict.documents}

    def test_a_malformed_rules_table_names_its_source_and_the_bad_record(self) -> None:
        rule = {
            "id": "ok",
            "item": "x",
            "action": "prohibit",
            "scope": "any",
            "destinations": ["*"],
        }
        raw = {"rules": [rule, {**rule, "id": "broken", "action": "maybe"}]}
        with pytest.raises(RulesFileError, match=r"^rules\.json: rule #1 \(broken\)"):
            CommodityRules.from_dict(raw, "rules.json")

    @pytest.mark.parametrize(("raw", "problem"), [({"rules": []}, "no rules"), ([], "not a JSON")])
    def test_an_empty_or_odd_table_is_refused(self, raw: object, problem: str) -> None:
        with pytest.raises(RulesFileError, match=problem):
            CommodityRules.from_dict(raw)


class TestStatus:
    def test_cancel_is_allowed_until_pickup(self) -> None:
        assert {Status.INFO_RECEIVED, Status.PICKUP_DISPATCHED} == CANCELLABLE

    @pytest.mark.parametrize(
        ("current", "reported", "expected"),
        [
            (Status.INFO_RECEIVED, Status.PICKED_UP, Status.PICKED_UP),
            (Status.IN_TRANSIT, Status.PICKED_UP, Status.IN_TRANSIT),  # late scan
            (Status.OUT_FOR_DELIVERY, Status.DELIVERY_FAILED, Status.DELIVERY_FAILED),
            (Status.DELIVERY_FAILED, Status.OUT_FOR_DELIVERY, Status.OUT_FOR_DELIVERY),
            (Status.DELIVERED, Status.OUT_FOR_DELIVERY, Status.DELIVERED),
            (Status.CANCELLED, Status.PICKED_UP, Status.CANCELLED),
            (Status.IN_TRANSIT, Status.EXCEPTION, Status.EXCEPTION),
        ],
    )
    def test_follow_never_goes_backwards(
        self, current: Status, reported: Status, expected: Status
    ) -> None:
        assert follow(current, reported) is expected
