"""The hub's web pages and their files (hub/static): the manager's console and the citizen's
ticket page share one /static mount."""
from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"


def page(name: str, cache: str = "no-cache") -> FileResponse:
    return FileResponse(STATIC / name, headers={"Cache-Control": cache})
