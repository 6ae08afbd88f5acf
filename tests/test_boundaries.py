"""The architecture's import rules: the domain core is pure, and devices reach the hub only
over the wire (a kiosk that imported hub.core would work in the demo and break in a hall)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("hub", "kiosk", "caller", "display", "hardware", "assets")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] in OURS}


def files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", ["kiosk", "caller", "display"])
def test_devices_import_only_protocol_client_and_hardware(package):
    bad = {f"{p.relative_to(ROOT)}: {name}" for p in files(package) for name in imports(p)
           if not (name in ("hub", "hub.protocol", "hub.client") or name.split(".")[0] in ("hardware", "assets", package))}
    assert not bad, sorted(bad)


def test_hub_core_imports_nothing_of_ours_outside_itself():
    bad = {f"{p.relative_to(ROOT)}: {name}" for p in files("hub/core") for name in imports(p)}
    bad |= {f"{p.relative_to(ROOT)}: {'.' * n.level}{n.module or ''}" for p in files("hub/core")
            for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
            if isinstance(n, ast.ImportFrom) and n.level >= 2}
    assert not bad, sorted(bad)


def test_hardware_knows_nothing_of_the_hub_or_the_apps():
    bad = {f"{p.relative_to(ROOT)}: {name}" for p in files("hardware") for name in imports(p)
           if name.split(".")[0] not in ("hardware", "assets")}
    assert not bad, sorted(bad)
