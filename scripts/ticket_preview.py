"""Render a sample ticket, through the simulated printer, to a PNG preview.

    python scripts/ticket_preview.py [out.png] [--en]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hardware.printer import LABELS_EN, SimulatedPrinter, TicketPrint, TicketPrinter  # noqa: E402
from hardware.ticket_preview import render_preview  # noqa: E402


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


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    out = Path(args[0]) if args else Path("out/ticket-preview.png")
    sim = SimulatedPrinter()
    TicketPrinter(sim).print_ticket(sample(english="--en" in argv))
    print(render_preview(sim.last_job, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
