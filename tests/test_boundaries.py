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
           if not (name in ("hub", "hub.protocol", "hub.client") or name.startswith("hub.client.")
                   or name.split(".")[0] in ("hardware", "assets", package))}
    assert not bad, sorted(bad)


def absolute_imports(path: Path) -> set[str]:
    """Every module `path` imports, relative imports resolved against its package."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            names.add(module)
            names.update(f"{module}.{a.name}" for a in node.names)  # `from .. import store`
    return {n for n in names if n.split(".")[0] in OURS}


def test_the_device_client_reaches_the_hub_only_over_the_wire():
    """hub.client is what devices import: it may use the wire contract (hub.protocol), never the
    hub's insides, or a device would run the hub's code instead of asking the hub."""
    forbidden = ("hub.core", "hub.app", "hub.api", "hub.console", "hub.store", "hub.server")
    bad = {f"{p.relative_to(ROOT)}: {name}" for p in files("hub/client") for name in absolute_imports(p)
           if name.startswith(forbidden)}
    assert not bad, sorted(bad)
    assert files("hub/client"), "hub/client/ is a package"


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
