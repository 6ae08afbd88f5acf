"""Mounts the console's and the citizen pages' routes on the hub app."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    from . import admin, citizen, reports

    for module in (admin, citizen, reports):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
