"""Real headless Chromium for the web pages (never downloaded: the system's /usr/bin/chromium).

Import into a test module: `from web_fixtures import browser, page  # noqa: F401`.
`browser` is shared by a module's tests; each test gets a fresh `page` (own context, so own
sessionStorage and localStorage) at 1440x900, or `phone`: the same, 375 px wide, touch, mobile.
"""
from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def trusting(ca: Path) -> str:
    """Chromium's switch to trust certificates chained to this CA (the test hubs' hall CA): it takes
    the SHA-256 of the CA's public key, as a hall's PCs would have the CA installed."""
    cert = x509.load_pem_x509_certificate(ca.read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "--ignore-certificate-errors-spki-list=" + base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="module")
def browser(hall_ca):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, trusting(hall_ca)])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    # The hub's CSP forbids eval, which Playwright's string predicates (wait_for_function) use; the
    # pages themselves are checked under the CSP in test_api_headers.py.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", bypass_csp=True)
    pg = context.new_page()
    pg.set_default_timeout(8000)
    yield pg
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                  locale="zh-CN", bypass_csp=True)  # bypass_csp: as for `page`
    pg = context.new_page()
    pg.set_default_timeout(8000)
    yield pg
    context.close()


def run_async(make_coro, timeout: float = 30.0):
    """Run a coroutine (e.g. HubClient calls) to completion in its own thread and loop, out of
    the way of Playwright's synchronous API in the test's thread."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(asyncio.wait_for(make_coro(), timeout))).result()
