"""A clerk's PIN against guessing: five wrong PINs in ten minutes lock that clerk (through hub
restarts) until a supervisor unlocks them in the console; and the console shows each person only
what their role may do. A real hub, the caller's client and Chromium."""
from __future__ import annotations

import pytest

from hub.client import HubClient, HubError
from web_fixtures import browser, page, run_async  # noqa: F401

SUPERVISOR, VIEWER, ADMIN = "李值班", "赵查看", "王管理"
PASSWORD = "console-pass-1"


@pytest.fixture
def staff(hub):
    for name, role in ((SUPERVISOR, "supervisor"), (VIEWER, "viewer"), (ADMIN, "admin")):
        hub.server.service.add_user("test", name, role, PASSWORD)
    return hub


def clerk_login(hub, clerk: str, pin: str) -> str:
    """The window 2 caller's login; answers "ok" or the refusal's code and message."""
    async def go():
        caller = HubClient(hub.url, hub.pair("caller", "2号叫号器", 2), trust=hub.trust, retry_delay=0.05)
        try:
            await caller.login(2, clerk, pin)
            await caller.logout(2)
            return "ok"
        except HubError as e:
            return f"{e.code}: {e.message}"
        finally:
            await caller.aclose()
    return run_async(go)


def lock_c002(hub) -> None:
    for _ in range(4):
        assert clerk_login(hub, "c002", "0000").startswith("BAD_LOGIN")
    answer = clerk_login(hub, "c002", "9999")
    assert answer.startswith("CLERK_LOCKED") and "值班主任" in answer and "c002" in answer


def test_five_wrong_pins_lock_the_clerk_across_a_restart(staff, clock):
    """Bad input: wrong PINs for c002; then the right PIN while locked; other clerks unaffected;
    four wrong PINs, ten quiet minutes and a fifth do not lock."""
    hub = staff
    for _ in range(4):
        assert clerk_login(hub, "c001", "0000").startswith("BAD_LOGIN")
    clock.advance(minutes=11)
    assert clerk_login(hub, "c001", "0000").startswith("BAD_LOGIN")  # the old four have lapsed
    assert clerk_login(hub, "c001", "1111") == "ok"

    lock_c002(hub)
    assert clerk_login(hub, "c002", "2222").startswith("CLERK_LOCKED")  # the right PIN, still locked
    hub.stop()
    hub.start()
    assert clerk_login(hub, "c002", "2222").startswith("CLERK_LOCKED")
    assert clerk_login(hub, "c001", "1111") == "ok"
    assert [c["clerk_id"] for c in hub.server.service.locked_clerks()] == ["c002"]


def sign_in(page, hub, user: str) -> None:
    page.goto(f"{hub.url}/console")
    page.fill("#user", user)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_selector(".zone-card")


def test_a_viewer_sees_the_lock_but_only_a_supervisor_unlocks(staff, page):
    hub = staff
    lock_c002(hub)

    sign_in(page, hub, VIEWER)
    assert "赵查看" in page.locator("#me").text_content() and "只读查看" in page.locator("#me").text_content()
    locked = page.locator("#locked-clerks li[data-clerk=c002]")
    locked.wait_for()
    assert locked.locator("button").count() == 0
    for view in ("devices", "config", "users", "audit"):
        assert page.locator(f"nav a[data-view={view}]").is_hidden()
    assert page.locator("#notice-form").is_hidden()
    page.goto(f"{hub.url}/console#config")  # typed in by hand: the live hall instead
    page.wait_for_selector(".zone-card")
    assert page.locator("#view-config").is_hidden()
    page.click("#logout")
    page.wait_for_selector("#login-view:not([hidden])")

    sign_in(page, hub, SUPERVISOR)
    assert page.locator("nav a[data-view=audit]").is_visible()
    assert page.locator("nav a[data-view=config]").is_hidden() and page.locator("nav a[data-view=users]").is_hidden()
    page.locator("#locked-clerks li[data-clerk=c002] button").click()
    page.wait_for_selector("#locked-box", state="hidden")
    assert clerk_login(hub, "c002", "2222") == "ok"
    page.click("nav a[data-view=audit]")
    row = page.locator("#audit-rows tr[data-action='clerk.unlocked']")
    row.wait_for()
    assert SUPERVISOR in row.text_content() and "c002" in row.text_content()
    assert page.locator("#audit-rows tr[data-action='clerk.locked']").count() == 1


def test_an_admin_adds_and_disables_an_account_in_the_console(staff, page):
    """Bad input: a password too short for a new account (refused, named)."""
    hub = staff
    sign_in(page, hub, ADMIN)
    page.click("nav a[data-view=users]")
    page.wait_for_selector(f"#user-rows tr[data-user='{SUPERVISOR}']")
    page.fill("#new-user", "孙夜班")
    page.select_option("#new-user-role", "supervisor")
    page.fill("#new-user-password", "short")
    page.click("#user-add")
    page.wait_for_function("document.querySelector('#user-error').textContent.includes('密码至少 8 位')")
    page.fill("#new-user-password", "night-shift-1")
    page.click("#user-add")
    page.wait_for_selector("#user-rows tr[data-user='孙夜班']")
    assert "值班主任" in page.locator("#user-rows tr[data-user='孙夜班']").text_content()
    assert page.locator(f"#user-rows tr[data-user='{ADMIN}'] button.danger").count() == 0  # not oneself

    page.once("dialog", lambda d: d.accept())
    page.click(f"#user-rows tr[data-user='{VIEWER}'] button.danger")
    page.wait_for_selector(f"#user-rows tr[data-user='{VIEWER}'].revoked")
    users = {u["name"]: u for u in hub.server.service.user_list()["users"]}
    assert users["孙夜班"]["role"] == "supervisor" and users[VIEWER]["disabled_at"]
