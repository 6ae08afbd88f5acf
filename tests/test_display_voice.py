"""The hall file's call sentence and a display's own voice settings, end to end through a real hub."""
from __future__ import annotations

import pytest

from display.app import create_display, parse_args
from hardware.voice import RecorderBackend, Speaker
from tests.conftest import SMALL_HALL, HubHandle, make_client, until

KEEP: list = []  # as in test_display.py: qasync loops and windows are never garbage-collected mid-run


@pytest.fixture
def voiced_hub(tmp_path, clock, hall_ca):
    hall = tmp_path / "voiced_hall.toml"
    hall.write_text(SMALL_HALL.read_text(encoding="utf-8")
                    + '\n[voice]\ncall = "请{number}号到{window}号窗口办理"\nletters = { B = "必" }\n',
                    encoding="utf-8")
    handle = HubHandle(tmp_path / "hall.db", clock, hall=hall, ca=hall_ca)
    handle.start()
    yield handle
    handle.stop()


def test_the_display_says_the_halls_sentence_as_often_as_it_is_set_to(voiced_hub, qloop, qapp, clock):
    speaker = Speaker(RecorderBackend(seconds_per_char=0.001, chime_seconds=0.001), volume=0.6)
    made = [make_client(voiced_hub, "display"), make_client(voiced_hub, "kiosk"), make_client(voiced_hub, "caller", 2)]
    display_client, kiosk, caller = made
    KEEP.append(qloop)

    async def body():
        window, d = create_display(display_client, speaker=speaker, clock=clock, repeat=3)
        KEEP.extend([window, d])
        try:
            await d.start()
            await until(lambda: d.connected)
            await caller.login(2, "c002", "2222")
            await kiosk.issue_ticket("pension")
            await caller.call_next(2)
            await until(lambda: len(d.spoken) == 1)
        finally:
            await d.aclose()
            for c in made:
                await c.aclose()

    qloop.run(body(), timeout=60)
    assert speaker.wait_idle(10)
    speaker.close()
    said = speaker.backend.utterances
    assert [u.text for u in said] == ["[chime]"] + ["请 必零零一 号到二号窗口办理"] * 3
    assert {u.volume for u in said} == {0.6}


def test_display_voice_settings_are_checked_on_the_command_line(capsys):
    """Bad input tried: volume 150, volume "loud", repeat 0, repeat 9."""
    args = parse_args(["--volume", "40", "--repeat", "1", "--voice", "clips", "--clips", "/srv/hall-voice"])
    assert (args.volume, args.repeat, args.voice, args.clips) == (40, 1, "clips", "/srv/hall-voice")
    for bad in (["--volume", "150"], ["--volume", "loud"], ["--repeat", "0"], ["--repeat", "9"]):
        with pytest.raises(SystemExit) as exit_:
            parse_args(bad)
        assert exit_.value.code == 2
        assert bad[0].lstrip("-") in capsys.readouterr().err
