"""Shipping labels: a 100 x 150 mm PDF (ReportLab, Code 128 barcode) and ZPL II for
thermal printers. Phone numbers are partly masked on the label, as on privacy waybills."""

from __future__ import annotations

import io
from typing import Any

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from fairwind.domain.privacy import mask_phone

Document = dict[str, Any]
WIDTH, HEIGHT = 100 * mm, 150 * mm
CJK_FONT = "STSong-Light"  # a CID font every PDF reader has; no font file is embedded
LEVELS = {
    "same_day": "SAME DAY 即日",
    "next_day": "NEXT DAY 次日",
    "standard": "STANDARD 标快",
    "economy": "ECONOMY 经济",
}


def _address_lines(party: Document) -> list[str]:
    address = party["address"]
    lines = [f"{party['name']}  {mask_phone(party['phone'])}"]
    if party.get("company"):
        lines.append(party["company"])
    lines.append(f"{address['province']} {address['city']} {address['district']}")
    street = address["street"]
    lines.extend(street[i : i + 24] for i in range(0, len(street), 24))
    return lines


def _summary(order: Document) -> str:
    request = order["request"]
    pieces = sum(p["quantity"] for p in request["parcels"])
    text = f"{pieces} pc  {order['chargeable_weight_kg']:.1f} kg"
    if request.get("cod_amount"):
        cod = request["cod_amount"]
        text += f"  COD {cod['amount']} {cod['currency']}"
    return text


def pdf_label(order: Document) -> bytes:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=(WIDTH, HEIGHT))
    page.setTitle(f"Fairwind label {order['_id']}")
    request = order["request"]
    top = HEIGHT - 8 * mm
    page.setFont("Helvetica-Bold", 13)
    page.drawString(5 * mm, top, "FAIRWIND EXPRESS")
    page.setFont(CJK_FONT, 11)
    page.drawRightString(WIDTH - 5 * mm, top, LEVELS[order["service_level"]])
    barcode = code128.Code128(order["_id"], barHeight=18 * mm, barWidth=0.42 * mm)
    barcode.drawOn(page, (WIDTH - barcode.width) / 2, top - 26 * mm)
    page.setFont("Helvetica", 10)
    page.drawCentredString(WIDTH / 2, top - 30 * mm, order["_id"])
    page.setFont("Helvetica-Bold", 22)
    page.drawCentredString(WIDTH / 2, top - 41 * mm, order.get("destination_outlet") or "----")
    page.setFont("Helvetica", 8)
    hubs = " > ".join(order.get("planned_hubs") or []) or "route pending"
    page.drawCentredString(
        WIDTH / 2, top - 46 * mm, f"{order.get('origin_outlet') or '----'} > {hubs}"
    )
    y = top - 54 * mm
    for title, party in (("TO 收件", request["consignee"]), ("FROM 寄件", request["shipper"])):
        page.line(5 * mm, y + 4 * mm, WIDTH - 5 * mm, y + 4 * mm)
        page.setFont(CJK_FONT, 8)
        page.drawString(5 * mm, y, title)
        page.setFont(CJK_FONT, 11 if title.startswith("TO") else 9)
        for line in _address_lines(party):
            y -= 5 * mm
            page.drawString(8 * mm, y, line)
        y -= 8 * mm
    page.line(5 * mm, 16 * mm, WIDTH - 5 * mm, 16 * mm)
    page.setFont("Helvetica", 9)
    page.drawString(5 * mm, 11 * mm, _summary(order))
    page.drawString(5 * mm, 6 * mm, f"ordered {order['created_at']:%Y-%m-%d %H:%M} UTC")
    page.showPage()
    page.save()
    return out.getvalue()


def zpl_label(order: Document) -> str:
    """ZPL II for 4 x 6 in thermal labels at 203 dpi; ^CI28 = UTF-8 (Chinese text needs a
    CJK font loaded on the printer)."""
    request = order["request"]
    lines = [
        "^XA",
        "^CI28",
        "^PW812",
        "^LL1218",
        "^FO30,30^A0N,40,40^FDFAIRWIND EXPRESS^FS",
        f"^FO520,30^A0N,36,36^FD{_zpl(order['service_level'].upper())}^FS",
        f"^FO60,100^BY3^BCN,180,Y,N,N^FD{_zpl(order['_id'])}^FS",
        f"^FO30,340^A0N,90,90^FD{_zpl(order.get('destination_outlet') or '----')}^FS",
        f"^FO30,440^A0N,28,28^FD{_zpl(' > '.join(order.get('planned_hubs') or []))}^FS",
    ]
    y = 500
    for title, party in (("TO", request["consignee"]), ("FROM", request["shipper"])):
        lines.append(f"^FO30,{y}^A0N,28,28^FD{title}^FS")
        for text in _address_lines(party):
            y += 36
            lines.append(f"^FO60,{y}^A0N,30,30^FD{_zpl(text)}^FS")
        y += 60
    lines += [f"^FO30,1150^A0N,28,28^FD{_zpl(_summary(order))}^FS", "^XZ"]
    return "\n".join(lines) + "\n"


def _zpl(text: str) -> str:
    """Field data may not contain ^ or ~ (command prefixes)."""
    return text.replace("^", " ").replace("~", " ")
