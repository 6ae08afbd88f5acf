"""A device's trust in its hall's hub: the hall CA pinned at pairing, and nothing else.

Every connection to the hub (HTTP and WebSocket) uses `HallTrust.context()`, which trusts the
pinned CA only: a hub whose certificate that CA did not sign is refused with TLS_PIN_MISMATCH,
never retried over plain HTTP or unverified TLS.
"""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..messages import render
from ..protocol import ca_fingerprint, normalize_fingerprint


def tls_error(code: str, **params):
    from .client import HubError

    zh, en = render(code, params)
    return HubError(code, zh, en, 0, params)


@dataclass(frozen=True)
class HallTrust:
    ca_pem: str
    fingerprint: str

    def __post_init__(self):
        try:
            actual = ca_fingerprint(self.ca_pem)
        except (ValueError, TypeError):
            raise tls_error("TLS_NOT_PINNED") from None
        if actual != normalize_fingerprint(self.fingerprint):
            raise tls_error("TLS_PIN_MISMATCH")  # a settings file edited by hand, or a CA swapped under it

    def context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies the certificate and the host name
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        # An installer may pin an intermediate of their own PKI rather than a self-signed root.
        ctx.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
        ctx.load_verify_locations(cadata=self.ca_pem)
        return ctx

    def as_dict(self) -> dict:
        return {"ca_fingerprint": self.fingerprint, "ca_pem": self.ca_pem}

    @classmethod
    def from_dict(cls, saved: dict) -> "HallTrust | None":
        if not saved.get("ca_pem"):
            return None
        return cls(saved["ca_pem"], saved.get("ca_fingerprint", ""))


def require_https(url: str) -> str:
    if urlsplit(url).scheme != "https":
        raise tls_error("TLS_REQUIRED")
    return url


def verification_failure(error: BaseException, url: str):
    """The HubError to show when `error` (or what caused it) is a failed certificate check, else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ssl.SSLCertVerificationError):
            if error.verify_code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH: right hall, an address its cert lacks
                return tls_error("TLS_NAME_MISMATCH", host=urlsplit(url).hostname or url)
            return tls_error("TLS_PIN_MISMATCH")
        error = error.__cause__ or error.__context__
    return None


__all__ = ["HallTrust", "require_https", "tls_error", "verification_failure"]
