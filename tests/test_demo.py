"""`hallq demo` end to end, in a subprocess with offscreen Qt, as a newcomer would first run it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_the_hall_and_quits(tmp_path):
    """Bad input tried: --crowd-rate 0, --screen big, --volume 101: each refused with a message, exit code 2."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    shots = tmp_path / "shots"
    done = subprocess.run([sys.executable, "-m", "hub.cli", "demo", "--seconds", "8", "--screenshots", str(shots),
                           "--voice", "recorder", "--db", str(tmp_path / "demo.db"), "--screen", "1920x1080"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = re.search(r"demo: (\d+) tickets issued \((\d+) by the crowd\)", done.stdout)
    assert summary, done.stdout
    assert int(summary.group(2)) >= 1
    assert "logged in" in done.stdout
    for name in ("display", "caller-1", "caller-2"):
        png = shots / f"{name}.png"
        assert png.exists(), name
        assert Image.open(png).size[0] >= 380
    assert Image.open(shots / "display.png").size == (1920, 1080)  # the wall display itself, shown scaled
    kiosk, caller = Image.open(shots / "kiosk.png").size, Image.open(shots / "caller-1.png").size
    assert kiosk[0] + caller[0] <= 1920 and caller[1] * 2 <= 1080 and kiosk[1] <= 1080  # tiled on the screen
    assert (tmp_path / "demo.db").exists()
    # The newcomer is told how to open the manager's console, and that password works.
    console = re.search(r"manager console (https://\S+)/console — user (\S+), password (\S+)", done.stdout)
    assert console, done.stdout
    from hub.server import HubServer, build_service

    srv = HubServer(build_service(tmp_path / "demo.db")).start()
    try:
        pinned = srv.trust.context()  # the hall CA the demo made beside its database
        login = httpx.post(f"{srv.url}/api/v1/console/login", json={"user": console.group(2), "password": console.group(3)},
                           verify=pinned)
        wrong = httpx.post(f"{srv.url}/api/v1/console/login", json={"user": console.group(2), "password": "not-it"},
                           verify=pinned)
    finally:
        srv.stop()
    assert login.status_code == 200 and wrong.status_code == 401

    for flag, value in (("--crowd-rate", "0"), ("--screen", "big"), ("--volume", "101")):
        bad = subprocess.run([sys.executable, "-m", "hub.cli", "demo", flag, value, "--seconds", "1"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
        assert bad.returncode == 2 and flag in bad.stderr, bad.stderr
