"""Schemathesis against a real hub, one run per device role, all at once: whatever it sends (ids at
the edges of every integer type, odd Unicode, broken JSON, missing fields), the hub answers with no
server error and only with the statuses and bodies its OpenAPI declares."""
from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

SECONDS = 60  # per role; the runs go side by side, so the test takes about a minute
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Signing out or revoking its own device would leave a run answered 401 for the rest of its minute:
# those two operations get their own run with a token of their own.
SELF_ENDING = "/console/logout|/console/devices/"

pytestmark = pytest.mark.fuzz


def schemathesis(hub, token: str, cwd, *extra: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "schemathesis.cli", "run", f"{hub.url}/api/v1/openapi.json",
           "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--max-time", str(SECONDS),
           "--workers", "1", *extra]
    if hub.url.startswith("https:"):
        cmd += ["--tls-verify", "false"]  # our own hub on loopback; pinning is tested elsewhere
    return subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_fuzzing_every_role_finds_no_server_error_and_no_undeclared_answer(hub, tmp_path):
    roles = {"kiosk": None, "caller": 1, "display": None, "console": None}
    tokens = {role: hub.pair(role, f"fuzz-{role}", window) for role, window in roles.items()}
    runs = {role: schemathesis(hub, token, tmp_path, "--exclude-path-regex", SELF_ENDING)
            for role, token in tokens.items()}
    runs["console sign-out and revoke"] = schemathesis(hub, hub.pair("console", "fuzz-self-ending"), tmp_path,
                                                        "--include-path-regex", SELF_ENDING)
    outputs = {name: run.communicate(timeout=SECONDS + 240)[0] for name, run in runs.items()}
    for name, run in runs.items():
        assert run.returncode == 0, f"schemathesis as {name} found failures:\n{outputs[name][-6000:]}"
        assert "generated" in outputs[name] and " passed" in outputs[name], outputs[name][-2000:]
    # Each role's token still worked at the end: the runs exercised the routes, not just 401s.
    for role, token in tokens.items():
        r = httpx.get(f"{hub.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"}, verify=False)
        assert r.status_code == 200 and r.json()["role"] == role
