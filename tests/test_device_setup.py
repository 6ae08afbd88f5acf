"""How county IT sets up a device: a pairing code from the console, once; afterwards the
device starts with no arguments, from what it saved."""
from __future__ import annotations

import json
import subprocess
import sys
from argparse import Namespace

import httpx
import pytest

from hub.client import DeviceSetupError, HubError, device_settings_path, resolve_connection


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HALLQ_HOME", str(tmp_path / "hallq-home"))
    return tmp_path / "hallq-home"


def pairing_code(hub, role: str, window: int | None = None) -> str:
    token = hub.pair("console", "manager")
    r = httpx.post(f"{hub.url}/api/v1/console/pairing-codes", verify=hub.ssl,
                   headers={"Authorization": f"Bearer {token}"},
                   json={"role": role, "name": f"{role} at {window}", "window_id": window})
    assert r.status_code == 200, r.text
    return r.json()["code"]


def args(**given) -> Namespace:
    return Namespace(**{"hub": None, "token": None, "pair": None, "fingerprint": None, **given})


async def test_pair_once_then_start_from_saved_settings(hub):
    code = pairing_code(hub, "caller", window=2)
    first = await resolve_connection(args(hub=hub.url, pair=code), "caller")
    assert first.me["role"] == "caller" and first.me["window_id"] == 2
    saved = json.loads(device_settings_path("caller").read_text(encoding="utf-8"))
    assert saved == {"hub": hub.url, "token": first.token, "ca_fingerprint": hub.trust.fingerprint,
                     "ca_pem": hub.trust.ca_pem}
    # Next morning: no arguments at all.
    again = await resolve_connection(args(), "caller")
    assert again == first


async def test_a_used_or_wrong_code_and_an_unpaired_device_are_refused_clearly(hub):
    """Bad input: the same pairing code twice, a made-up code, no code and nothing saved,
    and a kiosk token given to a display."""
    code = pairing_code(hub, "display")
    await resolve_connection(args(hub=hub.url, pair=code), "display")
    with pytest.raises(HubError):
        await resolve_connection(args(hub=hub.url, pair=code), "display")
    with pytest.raises(HubError):
        await resolve_connection(args(hub=hub.url, pair="000000"), "display")
    with pytest.raises(DeviceSetupError) as unpaired:
        await resolve_connection(args(hub=hub.url), "kiosk")
    assert "hallq kiosk --pair" in str(unpaired.value)
    with pytest.raises(DeviceSetupError) as wrong:
        await resolve_connection(args(hub=hub.url, token=hub.pair("kiosk", "k")), "display")
    assert "kiosk" in str(wrong.value) and not device_settings_path("kiosk").exists()


async def test_a_device_whose_hub_is_down_still_starts_with_its_saved_token(hub):
    code = pairing_code(hub, "kiosk")
    paired = await resolve_connection(args(hub=hub.url, pair=code), "kiosk")
    hub.stop()
    assert await resolve_connection(args(), "kiosk") == paired._replace(me=None)


def test_unpaired_device_command_exits_2_with_the_next_step(hub, home):
    """Bad input: `hallq display` on a machine that was never paired."""
    out = subprocess.run([sys.executable, "-m", "hub.cli", "display", "--hub", hub.url], capture_output=True,
                         text=True, timeout=60, env={**__import__("os").environ, "HALLQ_HOME": str(home),
                                                     "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 2 and "hallq display --pair" in out.stderr and "Traceback" not in out.stderr
