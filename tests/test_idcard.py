"""ID card reader: codec, driver over a real pty, simulator, and what may leave the module."""
from __future__ import annotations

import dataclasses
import logging
import os
import queue
import threading
import tty
from datetime import date

import pytest
import serial

from hardware.idcard import CardDataError, CardHolder, FrameError, IdCardReader, ReaderError, poll
from hardware.idcard.codec import Frame, FrameParser, build_response, encode_command
from hardware.idcard.simulator import GARBLE_KINDS, SimulatedReader
from hardware.idcard.text import build_base_info, id_check_digit, make_id_number, parse_base_info
from hub.protocol import age_on

@pytest.fixture
def sim(tmp_path):
    with SimulatedReader(tmp_path / "ttyIDCARD") as s:
        yield s


@pytest.fixture
def reader(sim):
    with IdCardReader(sim.port, timeout=0.3) as r:
        yield r


# --- codec -------------------------------------------------------------------------------

def test_commands_and_responses_match_the_bytes_real_readers_exchange():
    assert encode_command(0x20, 0x01) == bytes.fromhex("AAAAAA9669 0003 2001 22")
    assert build_response(0x9F, bytes(4)) == bytes.fromhex("AAAAAA9669 0008 00009F 00000000 97")


def test_bad_command_bytes_are_refused():
    """Bad input: a command byte above 255 and a 2-byte status."""
    with pytest.raises(ValueError, match="cmd"):
        encode_command(0x120, 0x01)
    with pytest.raises(ValueError, match="sw"):
        build_response(b"\x00\x90")


def test_parser_assembles_a_frame_fed_one_byte_at_a_time_after_noise():
    """Bad input: 5 noise bytes (one of them 0xAA, a false header start) before the frame."""
    parser = FrameParser()
    out = []
    for b in b"\x01\xaa\x02\x03\x04" + build_response(0x90, b"hello"):
        out += parser.feed(bytes([b]))
    assert len(out) == 1 and isinstance(out[0], Frame)
    assert (out[0].status, out[0].data) == (0x90, b"hello")
    assert parser.skipped_bytes == 5 and "garbled" in parser.skipped[0]


@pytest.mark.parametrize("frame, reason", [
    (bytes.fromhex("AAAAAA9669 0002 0000"), "undersized"),
    (bytes.fromhex("AAAAAA9669 FFFF 0000"), "oversized"),  # rejected without waiting for 64 KiB
    (build_response(0x90, b"abc")[:-1] + b"\x00", "checksum"),
])
def test_parser_rejects_bad_frames_and_still_finds_the_next_good_one(frame, reason):
    """Bad input: length 2 (below minimum), length 65535, a wrong checksum byte."""
    out = FrameParser().feed(frame + build_response(0x90, b"next"))
    errors = [x for x in out if isinstance(x, FrameError)]
    frames = [x for x in out if isinstance(x, Frame)]
    assert [e.reason for e in errors] == [reason] and str(errors[0])
    assert [f.data for f in frames] == [b"next"]


# --- card text -----------------------------------------------------------------------------

def test_id_check_digit_follows_iso_7064():
    assert id_check_digit("11010519491231002") == "X"  # the published GB 11643 example
    number = make_id_number(region="110101", birth=date(1955, 3, 2), seq="123", sex="M")
    assert number == "110101195503021234"


def test_base_info_round_trips_with_long_term_validity_and_opaque_photo():
    photo = bytes(range(256)) * 4
    number = make_id_number(birth=date(1980, 12, 31), sex="F")
    data = build_base_info(name="欧阳娜娜", sex="F", birth_date=date(1980, 12, 31), id_number=number,
                           address="上海市黄浦区人民大道200号", nation_code="03", valid_to=None, photo=photo)
    card = parse_base_info(data)
    assert (card.name, card.sex, card.nation_code, card.birth_date) == ("欧阳娜娜", "F", "03", date(1980, 12, 31))
    assert card.address == "上海市黄浦区人民大道200号" and card.id_number == number
    assert card.valid_to is None and card.photo == photo


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


@pytest.mark.parametrize("change, message", [
    (dict(birth_date=date(1960, 1, 1)), "does not match"),
    (dict(sex="F"), "sex does not match"),
    (dict(sex="3"), "neither '1'"),
    (dict(name=""), "empty name"),
])
def test_inconsistent_card_text_is_refused(change, message):
    """Bad input: birth date differing from the one in the ID number, sex differing from the
    number's parity digit, sex code '3', an empty name."""
    fields = dict(name="张三", sex="M", birth_date=date(1955, 3, 2), id_number="110101195503021234")
    with pytest.raises(CardDataError, match=message):
        parse_base_info(build_base_info(**{**fields, **change}))


def test_impossible_birth_date_is_refused():
    """Bad input: birth date field 19550230 (there is no 30 February)."""
    data = build_base_info(name="张三", sex="M", birth_date=date(1955, 3, 2), id_number="110101195503021234")
    data = data.replace(_utf16("19550302"), _utf16("19550230"), 1)  # the birth field precedes the number
    with pytest.raises(CardDataError, match="'19550230' is not a real date"):
        parse_base_info(data)


def test_base_info_with_wrong_lengths_is_refused():
    """Bad input: text length 200 instead of 256; data cut 10 bytes short of its lengths."""
    data = build_base_info(name="张三", sex="M", birth_date=date(1955, 3, 2), id_number="110101195503021234")
    with pytest.raises(CardDataError, match="expected 256"):
        parse_base_info((200).to_bytes(2, "big") + data[2:])
    with pytest.raises(CardDataError, match="announce"):
        parse_base_info(data[:-10])


# --- driver over a real pty ----------------------------------------------------------------

def test_reads_the_card_on_a_simulated_reader(sim, reader):
    number = sim.insert("张三", "M", date(1955, 3, 2), id_number=make_id_number(seq="123"))
    holder = reader.read_card()
    assert (holder.name, holder.sex, holder.birth_date) == ("张三", "M", date(1955, 3, 2))
    assert holder.id_masked == "110***********1234" and len(holder.id_masked) == 18
    assert holder.id_masked[:3] == number[:3] and holder.id_masked[-4:] == number[-4:]
    assert holder.id_number == number  # for the hub, which masks and hashes it with the hall's key
    assert number not in repr(holder)
    sim.insert("李四", "M", date(1955, 3, 2), id_number=make_id_number(seq="135"))
    assert reader.read_card().id_number != holder.id_number


def test_no_card_on_the_reader_gives_none(sim, reader):
    assert reader.read_card() is None
    sim.insert("张三", "M", date(1955, 3, 2))
    assert reader.read_card() is not None
    sim.remove()
    assert reader.read_card() is None


def test_birth_date_from_the_card_makes_her_seventy_on_her_birthday(sim, reader):
    sim.insert("王奶奶", "F", date(1955, 3, 2))
    holder = reader.read_card()
    assert holder.birth_date == date(1955, 3, 2)
    assert age_on(holder.birth_date, date(2025, 3, 1)) == 69
    assert age_on(holder.birth_date, date(2025, 3, 2)) == 70


@pytest.mark.parametrize("kind", GARBLE_KINDS)
def test_corrupted_answer_is_rejected_with_its_reason_and_the_next_read_works(sim, reader, kind):
    """Bad input: the reader's answer to READ BASE INFO with a flipped checksum, cut in half,
    replaced by random noise, or announcing a 65535-byte length."""
    sim.insert("张三", "M", date(1955, 3, 2))
    sim.garble_next(kind, on="read")
    with pytest.raises(FrameError) as caught:
        reader.read_card()
    assert caught.value.reason == kind and caught.value.code == "frame"
    assert reader.read_card().name == "张三"


@pytest.mark.parametrize("kind", GARBLE_KINDS)
def test_a_corrupted_frame_before_the_answer_is_read_past(sim, reader, kind, caplog):
    """Bad input: ahead of the good answer to READ BASE INFO, a copy of it with a flipped
    checksum, cut in half, replaced by random noise, or a false header announcing 65535 bytes."""
    sim.insert("张三", "M", date(1955, 3, 2))
    sim.garble_next(kind, on="read", then_answer=True)
    assert reader.read_card().name == "张三"
    # read past within one answer: the second read is only the one that must agree with it
    assert sim.commands.count((0x30, 0x01)) == 2
    if kind != "noise":  # noise holds no header: it is skipped without a rejection
        assert "reader frame rejected" in caplog.text


def test_silent_reader_times_out():
    """Bad input: a port where nothing ever answers."""
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        with IdCardReader(os.ttyname(slave), timeout=0.2) as r:
            with pytest.raises(ReaderError) as caught:
                r.read_card()
        assert caught.value.code == "timeout" and "did not answer" in str(caught.value)
    finally:
        os.close(master)
        os.close(slave)


def test_missing_port_is_reported_as_unplugged(tmp_path):
    """Bad input: a device path that does not exist."""
    with pytest.raises(ReaderError) as caught:
        IdCardReader(tmp_path / "ttyUSB9").read_card()
    assert caught.value.code == "unplugged" and "ttyUSB9" in str(caught.value)


def test_unplug_mid_read_then_reader_comes_back(sim, reader):
    sim.insert("张三", "M", date(1955, 3, 2))
    sim.unplug_on_next("read")
    with pytest.raises(ReaderError) as caught:
        reader.read_card()
    assert caught.value.code == "unplugged" and str(caught.value) == "reader disconnected"
    with pytest.raises(ReaderError) as again:  # still unplugged: tries to reopen, fails cleanly
        reader.read_card()
    assert again.value.code == "unplugged"
    sim.replug()
    assert reader.read_card().name == "张三"


def test_a_new_reader_at_the_same_path_is_picked_up(tmp_path):
    link = tmp_path / "ttyIDCARD"
    with IdCardReader(link, timeout=0.3) as reader:
        with SimulatedReader(link) as first:
            first.insert("张三", "M", date(1955, 3, 2))
            assert reader.read_card().name == "张三"
        with pytest.raises(ReaderError, match="disconnected|not connected"):
            reader.read_card()
        with SimulatedReader(link) as second:
            second.insert("李四", "F", date(1990, 6, 1))
            assert reader.read_card().name == "李四"


def test_card_with_bad_check_digit_is_refused(sim, reader):
    """Bad input: a card whose ID number ends in 5 where the check digit is 4."""
    sim.insert("张三", "M", date(1955, 3, 2), id_number="110101195503021235")
    with pytest.raises(CardDataError) as caught:
        reader.read_card()
    assert caught.value.code == "invalid_card" and "check digit" in str(caught.value)
    assert "110101195503021235" not in str(caught.value)
    assert "110***********1235" in str(caught.value)


def test_a_corrupted_answer_that_passes_the_checksum_is_not_taken_for_the_card(sim, reader):
    """Bad input: the reader's first answer has the same bit flipped in two bytes, which the XOR
    checksum cannot see; the card counts only when two reads agree, so the true name comes out."""
    sim.insert("张三", "M", date(1955, 3, 2))
    sim.garble_next("undetected", on="read")
    holder = reader.read_card()
    assert holder.name == "张三"
    assert sim.commands.count((0x30, 0x01)) == 3  # the damaged read, then two that agree
    sim.garble_next("undetected", on="read")  # what one read alone would have taken for the card:
    reader.close()
    with serial.serial_for_url(sim.port, 115200, timeout=1) as port:
        port.write(encode_command(0x30, 0x01))
        assert parse_base_info(FrameParser().feed(port.read(1295))[0].data).name != "张三"


def test_a_card_taken_away_between_find_and_read_is_no_card_not_a_failure(sim, reader):
    sim.insert("张三", "M", date(1955, 3, 2))
    sim.remove_after_next("find")
    assert reader.read_card() is None
    sim.insert("张三", "M", date(1955, 3, 2))
    sim.remove_after_next("select")
    assert reader.read_card() is None


def test_a_card_that_never_reads_the_same_twice_is_refused(sim, reader):
    """Bad input: every answer is damaged differently (as if the card sat badly on the antenna)."""
    sim.insert("张三", "M", date(1955, 3, 2))
    for _ in range(4):
        sim.garble_next("undetected", on="read")
    with pytest.raises(ReaderError) as caught:
        reader.read_card()
    assert caught.value.code == "read_failed"


def test_full_id_number_never_leaves_the_reader(sim, reader, caplog):
    caplog.set_level(logging.DEBUG)
    number = sim.insert("张三", "M", date(1955, 3, 2))
    sim.garble_next("checksum", on="read")
    with pytest.raises(FrameError):
        reader.read_card()
    holder = reader.read_card()
    sim.insert("李四", "M", date(1955, 3, 2), id_number=number[:-1] + "0")
    with pytest.raises(CardDataError):
        reader.read_card()
    traces = [number, number.encode("utf-16-le").hex(), number.encode("utf-16-le").hex(" ")]
    kept = [repr(holder), str(holder), caplog.text, repr(reader)]
    # id_number is the one field that carries it, for the hub only; everything printable stays masked
    kept += [str(getattr(holder, f.name)) for f in dataclasses.fields(CardHolder) if f.name != "id_number"]
    kept += [repr(v) for v in vars(reader).values()]
    assert "110***********" in caplog.text  # the log does say which (masked) card was read
    for text in kept:
        for trace in traces:
            assert trace.lower() not in text.lower()
    assert holder.id_number == number


def test_poll_reports_each_change_once(sim, caplog):
    caplog.set_level(logging.DEBUG, logger="hardware.idcard")
    stop, events = threading.Event(), queue.Queue()
    reader = IdCardReader(sim.port, timeout=0.3)

    def worker():
        for event in poll(reader, stop, interval=0.01, retry_after=0.05):
            events.put(event)
    thread = threading.Thread(target=worker, daemon=True)
    thread.start()
    try:
        sim.insert("张三", "M", date(1955, 3, 2))
        assert events.get(timeout=2).holder.name == "张三"
        seen = len(sim.commands)
        while len(sim.commands) < seen + 9:  # a few more polls with the card still lying there
            threading.Event().wait(0.01)
        assert events.empty()
        sim.remove()
        assert events.get(timeout=2).kind == "removed"
        sim.unplug()
        error = events.get(timeout=2)
        assert (error.kind, error.error.code) == ("error", "unplugged")
        # "disconnected", then "not connected at PORT" on every retry: still one problem
        while sum("not connected" in r.getMessage() for r in caplog.records) < 3:
            threading.Event().wait(0.01)
        sim.replug()
        assert events.get(timeout=2).kind == "ready"
    finally:
        stop.set()
        thread.join(timeout=2)
        reader.close()
    assert not thread.is_alive()
