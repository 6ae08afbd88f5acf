"""Domain errors carry a stable code; the API turns codes into zh_CN/en messages."""
from __future__ import annotations


class DomainError(Exception):
    def __init__(self, code: str, status: int = 409, **params):
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.params!r})"


def not_found(code: str, **params) -> DomainError:
    return DomainError(code, status=404, **params)


def invalid(code: str, **params) -> DomainError:
    return DomainError(code, status=422, **params)
