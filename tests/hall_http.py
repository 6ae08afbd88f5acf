"""Plain synchronous HTTP to a test hub, for tests that also drive a browser (Playwright's sync
API must not share its thread with an asyncio loop)."""
from __future__ import annotations

import uuid

import httpx


class HallHttp:
    def __init__(self, hub):
        self.hub = hub
        self.http = httpx.Client(base_url=hub.url + "/api/v1", timeout=10, verify=hub.ssl)
        self.tokens: dict[str, str] = {}

    def token(self, role: str, window: int | None = None) -> str:
        key = f"{role}:{window}"
        if key not in self.tokens:
            self.tokens[key] = self.hub.pair(role, f"{role}{window or ''}", window)
        return self.tokens[key]

    def post(self, path: str, role: str = "console", window: int | None = None, **body) -> httpx.Response:
        body.setdefault("request_id", uuid.uuid4().hex)
        return self.http.post(path, json=body, headers={"Authorization": f"Bearer {self.token(role, window)}"})

    def get(self, path: str, role: str | None = "console", **params) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(role)}"} if role else {}
        return self.http.get(path, params=params, headers=headers)

    def ok(self, response: httpx.Response) -> dict:
        assert response.status_code == 200, response.text
        return response.json()

    def issue(self, service_id: str = "business-license") -> dict:
        return self.ok(self.post("/tickets", "kiosk", service_id=service_id))["ticket"]

    def window(self, w: int, action: str, **body) -> dict:
        return self.ok(self.post(f"/windows/{w}/{action}", "caller", w, **body))

    def login(self, w: int = 1, clerk: str = "c001", pin: str = "1111") -> None:
        self.window(w, "login", clerk_id=clerk, pin=pin)

    def rate(self, token: str, score: int, reasons=(), comment: str = "", request_id: str | None = None):
        return self.http.post(f"/public/tickets/{token}/evaluation",
                              json={"request_id": request_id or uuid.uuid4().hex, "score": score,
                                    "reasons": list(reasons), "comment": comment})

    def close(self) -> None:
        self.http.close()
