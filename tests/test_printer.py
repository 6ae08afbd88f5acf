"""Ticket printer: layout to ESC/POS, status before printing, connections, decoder and preview."""
from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import threading
import time
import tty
from pathlib import Path

import pytest
from PIL import Image

from hardware.printer import (
    LABELS_EN, PrinterConfigError, PrinterFault, SimulatedPrinter, TicketPrint, TicketPrinter,
    decode_escpos, open_printer,
)
from hardware.printer.decode import Cut, EscposDecodeError, QRCode, StatusQuery, TextLine, Unknown
from hardware.printer.preview import render_preview

ROOT = Path(__file__).resolve().parent.parent
HALL = "北京市朝阳区政务服务中心"
URL = "https://hall.example.gov.cn/t/8f3a2c91"


def ticket(**changes) -> TicketPrint:
    fields = dict(hall_name=HALL, zone_name="一楼 A 区", service_name="社保业务办理", number="A001",
                  ahead=3, issued_at="2026-11-23 09:12", qr_url=URL)
    return TicketPrint(**{**fields, **changes})


def lines(elements) -> list[TextLine]:
    return [e for e in elements if isinstance(e, TextLine)]


def line_with(elements, text: str) -> TextLine:
    found = [ln for ln in lines(elements) if text in ln.text]
    assert found, f"no printed line holds {text!r}: {[ln.text for ln in lines(elements)]}"
    return found[0]


# --- the ticket on paper -----------------------------------------------------------------

def test_a_printed_ticket_shows_hall_number_in_large_size_qr_of_the_url_and_is_cut():
    sim = SimulatedPrinter()
    TicketPrinter(sim).print_ticket(ticket(notes=["请携带本人身份证原件"]))

    assert sim.queries and sim.queries[0] == 1, "status must be read before the ticket is sent"
    assert len(sim.jobs) == 1
    elements = decode_escpos(sim.last_job)
    hall = lines(elements)[0]
    assert hall.text == HALL and hall.align == "center" and hall.runs[0].chinese
    number = line_with(elements, "A001")
    assert number.text == "A001" and number.width >= 4 and number.height >= 4 and number.bold
    assert max(ln.height for ln in lines(elements) if ln is not number) < number.height
    assert line_with(elements, "社保业务办理").height == 2
    assert line_with(elements, "前面还有 3 人等候")
    assert line_with(elements, "取号时间：2026-11-23 09:12")
    assert line_with(elements, "请携带本人身份证原件").align == "left"
    assert line_with(elements, "请留意叫号，过号需重新排队")
    [qr] = [e for e in elements if isinstance(e, QRCode)]
    assert qr.payload == URL and qr.align == "center"
    assert isinstance(elements[-1], Cut)
    assert not any(isinstance(e, StatusQuery) for e in elements)


def test_priority_and_appointment_marks_print_only_on_those_tickets():
    sim = SimulatedPrinter()
    printer = TicketPrinter(sim)
    printer.print_ticket(ticket())
    printer.print_ticket(ticket(priority=True, appointment=True))
    plain, marked = (" ".join(ln.text for ln in lines(decode_escpos(job))) for job in sim.jobs)
    assert "绿色通道" not in plain and "预约" not in plain
    mark = line_with(decode_escpos(sim.jobs[1]), "绿色通道")
    assert mark.runs[0].style.invert and mark.width == 2
    assert "【预约】" in marked


def test_english_labels_replace_every_chinese_caption_and_long_lines_break_between_words():
    hint = "Please listen for your number; a missed number must queue again"
    sim = SimulatedPrinter()
    TicketPrinter(sim).print_ticket(ticket(
        hall_name="Chaoyang Government Service Center", zone_name="Zone A",
        service_name="Social insurance", labels=LABELS_EN, hint=hint, priority=True))
    elements = decode_escpos(sim.last_job)
    text = "\n".join(ln.text for ln in lines(elements))
    assert not any("\u4e00" <= c <= "\u9fff" for c in text), text
    assert line_with(elements, "People ahead of you: 3")
    assert line_with(elements, "Issued 2026-11-23 09:12")
    assert line_with(elements, "Priority lane")
    hint_lines = [ln.text for ln in lines(elements)][-2:]
    assert " ".join(hint_lines) == hint and all(len(t) <= 48 for t in hint_lines)


def test_names_outside_gbk_print_as_gb18030_not_question_marks():
    """𠮷 (U+20BB7) and 䶮 (U+4DAE) occur in names and are not in GBK."""
    sim = SimulatedPrinter()
    TicketPrinter(sim).print_ticket(ticket(notes=["代办人：𠮷䶮"], hall_name="𠮷䶮镇便民服务中心"))
    assert "𠮷".encode("gb18030") in sim.last_job and "䶮".encode("gb18030") in sim.last_job
    elements = decode_escpos(sim.last_job)
    assert lines(elements)[0].text == "𠮷䶮镇便民服务中心"
    assert line_with(elements, "代办人：𠮷䶮").align == "left"
    assert "?" not in " ".join(ln.text for ln in lines(elements))


def dots(line: TextLine) -> int:
    """How wide the line prints: a multi-byte character in Chinese mode takes two 12-dot cells."""
    return sum(12 * run.style.width * (2 if run.chinese and len(c.encode("gb18030")) > 1 else 1)
               for run in line.runs for c in run.text)


def test_a_58mm_printer_gets_a_ticket_laid_out_for_384_dots():
    hint = "Please listen for your number; a missed number must queue again"
    printer = TicketPrinter.from_config({"type": "simulator", "paper": 58})
    printer.print_ticket(ticket(labels=LABELS_EN, hint=hint, notes=["请携带本人身份证原件及复印件一份"],
                                qr_url="https://hall.example.gov.cn/t/" + "x" * 200))
    elements = decode_escpos(printer.connection.last_job)
    widths = {ln.text: dots(ln) for ln in lines(elements)}
    assert max(widths.values()) <= 384, widths
    assert widths["-" * 32] == 384  # the rules span the paper, no wider
    [qr] = [e for e in elements if isinstance(e, QRCode)]
    assert qr.module_size * 65 <= 384  # the largest code a ticket allows still fits
    texts = [ln.text for ln in lines(elements)]
    hint_lines = texts[len(texts) - texts[::-1].index("-" * 32):]  # below the last rule
    assert len(hint_lines) > 1 and " ".join(hint_lines) == hint  # broken between words

    wide = TicketPrinter(SimulatedPrinter())
    wide.print_ticket(ticket())
    assert max(dots(ln) for ln in lines(decode_escpos(wide.connection.last_job))) == 576


def test_bad_ticket_data_is_refused_with_a_clear_error_before_anything_is_printed():
    """Bad input tried: an ESC byte in the hall name, a negative queue length, a number too wide
    for large print, an unknown label key, a label with a placeholder it cannot fill, an empty
    QR url."""
    bad = [
        (dict(hall_name="大厅\x1b@"), "control character"),
        (dict(ahead=-1), "ahead"),
        (dict(number="A" * 13), "too long"),
        (dict(labels={"wait": "x"}), "unknown ticket labels"),
        (dict(labels={"ahead": "前面 {count} 人"}), "placeholder"),
        (dict(qr_url=""), "qr_url"),
    ]
    for changes, words in bad:
        with pytest.raises(ValueError, match=words):
            ticket(**changes)


# --- status before printing --------------------------------------------------------------

@pytest.mark.parametrize("state, code, words", [
    ("paper_out", "paper_out", "缺纸"),
    ("cover_open", "cover_open", "盖"),
    ("offline", "offline", "未连接"),
])
def test_a_printer_that_cannot_print_raises_a_fault_and_gets_nothing_of_the_ticket(state, code, words):
    sim = SimulatedPrinter(**{state: True})
    printer = TicketPrinter(sim)
    assert printer.status().code == code and not printer.status().ok

    with pytest.raises(PrinterFault) as fault:
        printer.print_ticket(ticket())
    assert fault.value.code == code
    assert words in fault.value.message_zh and fault.value.message_en
    assert sim.jobs == [] and sim.output == b""

    setattr(sim, state, False)  # the clerk fixes the printer; the same ticket then prints
    printer.print_ticket(ticket())
    assert line_with(decode_escpos(sim.last_job), "A001")


def test_low_paper_still_prints_but_is_reported():
    sim = SimulatedPrinter(paper_low=True)
    printer = TicketPrinter(sim)
    status = printer.status()
    assert status.ok and status.code == "paper_low" and "即将用完" in status.message_zh
    printer.print_ticket(ticket())
    assert len(sim.jobs) == 1


# --- real connections --------------------------------------------------------------------

class FakeWirePrinter(threading.Thread):
    """The far end of a real pty or socket: answers DLE EOT like a printer whose state is
    held in a SimulatedPrinter (or with a fixed `junk` reply), and keeps all bytes it got."""

    def __init__(self, recv, send, state: SimulatedPrinter, junk: bytes | None = None):
        super().__init__(daemon=True)
        self.recv, self.send, self.state, self.junk = recv, send, state, junk
        self.received = bytearray()
        self.stop = threading.Event()

    def run(self):
        scanned = 0
        while not self.stop.is_set():
            chunk = self.recv()
            if chunk is None:
                continue
            if not chunk:
                return
            self.received += chunk
            while (i := self.received.find(b"\x10\x04", scanned)) >= 0 and i + 2 < len(self.received):
                n = self.received[i + 2]
                self.send(self.junk if self.junk is not None else self.state.status_reply(n))
                scanned = i + 3
            scanned = max(scanned, len(self.received) - 2)

    def payload(self, since: int = 0) -> bytes:
        """What arrived (after byte `since`) apart from status queries."""
        return bytes(self.received[since:]).replace(b"\x10\x04\x01", b"").replace(b"\x10\x04\x02", b"") \
            .replace(b"\x10\x04\x04", b"")


@pytest.fixture
def pty_printer():
    made = []

    def make(state: SimulatedPrinter, junk: bytes | None = None):
        master, slave = os.openpty()
        tty.setraw(slave)

        def recv():
            ready, _, _ = select.select([master], [], [], 0.05)
            return os.read(master, 4096) if ready else None

        far = FakeWirePrinter(recv, lambda b: os.write(master, b), state, junk)
        far.start()
        made.append((far, master, slave))
        return far, os.ttyname(slave)

    yield make
    for far, master, slave in made:
        far.stop.set()
        far.join(1)
        os.close(master)
        os.close(slave)


def test_serial_printer_over_a_real_pty_prints_when_ready_and_refuses_when_out_of_paper(pty_printer):
    state = SimulatedPrinter()
    far, port = pty_printer(state)
    printer = TicketPrinter.from_config({"type": "serial", "port": port, "baudrate": 9600, "timeout": 1})
    try:
        started = time.monotonic()
        assert printer.status().ok
        assert time.monotonic() - started < 0.5, "a status read must not wait out the timeout"
        printer.print_ticket(ticket())
        deadline = time.monotonic() + 2
        while b"\x1dV" not in far.received and time.monotonic() < deadline:
            time.sleep(0.01)
        assert line_with(decode_escpos(far.payload()), "A001").height == 4

        mark = len(far.received)
        state.paper_out = True
        with pytest.raises(PrinterFault) as fault:
            printer.print_ticket(ticket(number="A002"))
        assert fault.value.code == "paper_out"
        time.sleep(0.1)
        assert far.payload(mark) == b"" and far.received[mark:], "only status queries may reach the printer"
    finally:
        printer.close()


def test_a_reply_that_is_not_a_status_byte_counts_as_offline(pty_printer):
    """Bad input tried: the printer answers DLE EOT with 0xFF (fixed bits wrong)."""
    far, port = pty_printer(SimulatedPrinter(), junk=b"\xff")
    printer = TicketPrinter.from_config({"type": "serial", "port": port, "timeout": 0.5})
    try:
        with pytest.raises(PrinterFault) as fault:
            printer.print_ticket(ticket())
        assert fault.value.code == "offline"
        time.sleep(0.1)
        assert far.payload() == b""
    finally:
        printer.close()


def test_network_printer_answers_status_over_a_real_socket_and_a_missing_one_is_offline():
    state = SimulatedPrinter(cover_open=True)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    far_box = {}

    def serve():
        conn, _ = server.accept()
        conn.settimeout(0.05)

        def recv():
            try:
                return conn.recv(4096)
            except TimeoutError:
                return None

        far_box["far"] = far = FakeWirePrinter(recv, conn.sendall, state)
        far.run()
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    printer = TicketPrinter.from_config({"type": "network", "host": "127.0.0.1", "port": port, "timeout": 2})
    try:
        with pytest.raises(PrinterFault) as fault:
            printer.print_ticket(ticket())
        assert fault.value.code == "cover_open"
        assert far_box["far"].payload() == b""
    finally:
        printer.close()
        far_box.get("far") and far_box["far"].stop.set()
        server.close()

    # nothing listens on this port any more
    gone = TicketPrinter.from_config({"type": "network", "host": "127.0.0.1", "port": port, "timeout": 1})
    status = gone.status()
    assert status.code == "offline" and not status.ok and "refused" in status.detail
    with pytest.raises(PrinterFault, match="offline"):
        gone.print_ticket(ticket())


def test_a_file_connection_cannot_report_status_so_counts_as_ready_and_holds_the_ticket(tmp_path):
    out = tmp_path / "lp0.bin"
    printer = TicketPrinter.from_config({"type": "file", "path": str(out)})
    status = printer.status()
    assert status.ok and not status.reported
    printer.print_ticket(ticket())
    printer.close()
    elements = decode_escpos(out.read_bytes())  # no status query was written into the file
    assert lines(elements)[0].text == HALL and isinstance(elements[-1], Cut)


def test_a_printer_that_could_not_be_opened_is_tried_again_on_the_next_ticket(tmp_path):
    """Bad input tried: a device path whose folder does not exist yet (a printer not plugged in)."""
    out = tmp_path / "later" / "lp0.bin"
    printer = TicketPrinter.from_config({"type": "file", "path": str(out)})
    with pytest.raises(PrinterFault) as fault:
        printer.print_ticket(ticket())
    assert fault.value.code == "offline" and "later" in str(fault.value)

    out.parent.mkdir()  # the printer is plugged in
    printer.print_ticket(ticket())
    printer.close()
    assert line_with(decode_escpos(out.read_bytes()), "A001")


def test_bad_printer_configs_give_a_clear_bilingual_error_not_a_traceback():
    """Bad input tried: unknown type, missing host, a misspelt key, a USB id that is not a
    number, an unknown python-escpos profile, not a dict at all."""
    bad = [
        ({"type": "bluetooth"}, "unknown printer connection type"),
        ({"type": "network"}, "lacks"),
        ({"type": "serial", "port": "/dev/ttyUSB0", "baud": 9600}, "unknown keys"),
        ({"type": "usb", "vendor": "zebra", "product": 0x5011}, "vendor"),
        ({"type": "file", "path": "/tmp/x", "profile": "NoSuchPrinter"}, "invalid printer config"),
        ("usb", "mapping"),
    ]
    for config, words in bad:
        with pytest.raises(PrinterConfigError, match=words) as err:
            open_printer(config)
        assert err.value.message_zh and err.value.message_en
    # Bad input tried: paper 57 mm, and "80mm" as text
    for paper in (57, "80mm"):
        with pytest.raises(PrinterConfigError, match="paper must be 80 or 58") as err:
            TicketPrinter.from_config({"type": "simulator", "paper": paper})
        assert "纸宽" in err.value.message_zh


def test_usb_and_windows_queue_without_their_libraries_say_what_to_install():
    import escpos.printer.usb as usb_mod
    import escpos.printer.win32raw as win_mod

    if not usb_mod.is_usable():
        with pytest.raises(PrinterConfigError, match="pip install pyusb"):
            open_printer({"type": "usb", "vendor": 0x0416, "product": "0x5011"})
    if not win_mod.is_usable():
        with pytest.raises(PrinterConfigError, match="pywin32"):
            open_printer({"type": "win32raw", "name": "POS-80"})
    if usb_mod.is_usable() and win_mod.is_usable():
        pytest.skip("both libraries are installed here")


# --- decoder -----------------------------------------------------------------------------

def test_garbled_bytes_give_a_clear_decode_error_with_the_offset():
    """Bad input tried: invalid GB18030 in Chinese mode, an unknown ESC command, a QR command
    cut short, a stray control byte, and something that is not bytes."""
    good = b"\x1b@\x1c&" + "大厅".encode("gb18030") + b"\n"
    cases = [
        (good + b"\x1c&\xff\xfe\n", "not valid GB18030", len(good) + 2),
        (good + b"\x1bZ\x00", "unknown command ESC 'Z'", len(good)),
        (good + b"\x1d(k\x20\x001P0http", "cut short", len(good)),
        (good + b"\x07", "unexpected control byte", len(good)),
    ]
    for data, words, offset in cases:
        with pytest.raises(EscposDecodeError, match=words) as err:
            decode_escpos(data)
        assert err.value.offset == offset and f"at byte {offset}" in str(err.value)
    with pytest.raises(TypeError):
        decode_escpos("大厅")

    loose = decode_escpos(good + b"\x1bZ" + "窗口".encode("gb18030") + b"\n", strict=False)
    assert [type(e) for e in loose] == [TextLine, Unknown, TextLine]
    assert loose[1].data == b"\x1bZ" and loose[2].text == "窗口"


# --- preview -----------------------------------------------------------------------------

def test_preview_png_is_paper_wide_with_ink_and_real_chinese_glyphs(tmp_path):
    sim = SimulatedPrinter()
    TicketPrinter(sim).print_ticket(ticket(priority=True))
    png = render_preview(sim.last_job, tmp_path / "deep" / "ticket.png")
    img = Image.open(png).convert("L")
    assert img.width == 576 and img.height > 700
    ink = sum(img.histogram()[:128]) / (img.width * img.height)
    assert 0.03 < ink < 0.5, ink

    # Two different hall names must look different: missing glyphs would draw identical boxes.
    def hall_row(name: str) -> bytes:
        data = b"\x1b@\x1c&\x1d!\x01" + name.encode("gb18030") + b"\n"
        return Image.open(render_preview(data, tmp_path / f"{name}.png")).tobytes()
    assert hall_row("北京市政务服务中心") != hall_row("上海市政务服务中心")


def test_preview_script_renders_sample_tickets_into_the_given_folder(tmp_path):
    out = tmp_path / "tickets"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "ticket_preview.py"), str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    widths = {p.name: Image.open(p).width for p in out.glob("*.png")}
    assert widths == {"ticket-zh-80mm.png": 576, "ticket-en-80mm.png": 576, "ticket-zh-58mm.png": 384}
