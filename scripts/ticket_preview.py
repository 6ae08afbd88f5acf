"""Render sample tickets, through the simulated printer, to PNG previews in a folder:
ticket-zh-80mm.png, ticket-en-80mm.png and ticket-zh-58mm.png.

    python scripts/ticket_preview.py OUT_DIR
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.printer import LABELS_EN, TicketPrint, TicketPrinter  # noqa: E402
from hardware.printer.preview import render_preview  # noqa: E402


def sample(english: bool = False) -> TicketPrint:
    if english:
        return TicketPrint(
            hall_name="Chaoyang Government Service Center", zone_name="Floor 1, Zone A",
            service_name="Social insurance", number="A001", ahead=3,
            issued_at="2026-11-23 09:12", qr_url="https://hall.example.gov.cn/t/8f3a2c91",
            hint="Please listen for your number; a missed number must queue again",
            labels=LABELS_EN, notes=["Bring your ID card"], priority=True)
    return TicketPrint(
        hall_name="北京市朝阳区政务服务中心", zone_name="一楼 A 区", service_name="社保业务办理",
        number="A001", ahead=3, issued_at="2026-11-23 09:12",
        qr_url="https://hall.example.gov.cn/t/8f3a2c91", notes=["请携带本人身份证原件"],
        priority=True, appointment=True)


PREVIEWS = {"ticket-zh-80mm.png": (False, 80), "ticket-en-80mm.png": (True, 80),
            "ticket-zh-58mm.png": (False, 58)}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(argv[0])
    if out.suffix.lower() == ".png":
        print(f"{out} looks like a file; give the folder the previews go to, e.g. out/tickets", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    for name, (english, paper) in PREVIEWS.items():
        printer = TicketPrinter.from_config({"type": "simulator", "paper": paper})
        printer.print_ticket(sample(english))
        print(render_preview(printer.connection.last_job, out / name, printer.paper_dots))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
