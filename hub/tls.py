"""The hub's certificates: a hall CA made at first start, and a server certificate it signs for the
hub's LAN names and addresses; or an installer's own certificate and key.

Devices pin the CA (its fingerprint travels with pairing), so the server certificate can be
re-issued at any time without re-pairing: it is renewed at start when it nears its end or no
longer covers every name the hub is reached by. Certificate times come from the wall clock the
devices check them against, never the hall's (a demo's or a test's clock may be days off).
"""
from __future__ import annotations

import ipaddress
import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from .protocol import ca_fingerprint

log = logging.getLogger("hallq.tls")

CA_CERT, CA_KEY = "hall-ca.pem", "hall-ca.key"
SERVER_CERT, SERVER_KEY = "hub-cert.pem", "hub-key.pem"
CA_YEARS = 20
SERVER_DAYS = 825
RENEW_BEFORE = timedelta(days=60)
SKEW = timedelta(days=1)  # a device whose clock is a little behind still accepts a fresh certificate


class TlsError(Exception):
    """The installer's certificate files cannot be used: `str()` says why."""


@dataclass(frozen=True)
class HubTls:
    certfile: Path  # the server certificate followed by its issuers, as served
    keyfile: Path
    ca_pem: str     # the certificate devices pin
    fingerprint: str


def hub_names(host: str = "", extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Every name and address a device on the LAN may use for this hub."""
    from .discovery import lan_addresses

    short = socket.gethostname().split(".")[0]
    names = ["localhost", "127.0.0.1", *([short, f"{short}.local"] if short else []), *lan_addresses(), *extra]
    if host and host not in ("0.0.0.0", "::"):
        names.append(host)
    return list(dict.fromkeys(n for n in names if n))


def _san(names: list[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def covered_names(cert: x509.Certificate) -> set[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(v) for v in san.get_values_for_type(x509.IPAddress)} | set(san.get_values_for_type(x509.DNSName))


def _write_private(path: Path, data: bytes) -> None:
    """A key file readable by the hub's user only, from the moment it exists."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _make_ca(hall_name: str, now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HallQ"),
                         x509.NameAttribute(NameOID.COMMON_NAME, f"HallQ hall CA {hall_name}"[:64])])
    public = key.public_key()
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - SKEW).not_valid_after(now + timedelta(days=365 * CA_YEARS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def _make_server(ca: x509.Certificate, ca_key, names: list[str], now: datetime):
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key()
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0][:64])]))
            .issuer_name(ca.subject).public_key(public).serial_number(x509.random_serial_number())
            .not_valid_before(now - SKEW).not_valid_after(now + timedelta(days=SERVER_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(_san(names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def hall_tls(directory: str | Path, names: list[str], now: datetime | None = None, hall_name: str = "") -> HubTls:
    """The hall CA and server certificate in `directory` (beside the database): made at first
    start, reused afterwards, the server certificate re-issued when it nears its end or misses a name."""
    now = now or datetime.now(timezone.utc)
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ca_path, ca_key_path = d / CA_CERT, d / CA_KEY
    if ca_path.exists() and ca_key_path.exists():
        ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
        ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
    else:
        ca, ca_key = _make_ca(hall_name or socket.gethostname(), now)
        _write_private(ca_key_path, _key_pem(ca_key))
        ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        log.info("made the hall CA %s", ca_path)
    ca_pem = ca.public_bytes(serialization.Encoding.PEM).decode()
    cert_path, key_path = d / SERVER_CERT, d / SERVER_KEY
    reason = _renewal_reason(cert_path, key_path, ca, names, now)
    if reason:
        cert, key = _make_server(ca, ca_key, names, now)
        _write_private(key_path, _key_pem(key))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + ca_pem.encode())
        log.info("issued the hub's certificate (%s) for %s, valid until %s", reason, ", ".join(names),
                 cert.not_valid_after_utc.date())
    return HubTls(cert_path, key_path, ca_pem, ca_fingerprint(ca_pem))


def _renewal_reason(cert_path: Path, key_path: Path, ca: x509.Certificate, names: list[str], now: datetime) -> str:
    if not (cert_path.exists() and key_path.exists()):
        return "first start"
    try:
        cert = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
    except ValueError:
        return "the old one is unreadable"
    if cert.issuer != ca.subject:
        return "the old one is from another CA"
    if cert.not_valid_after_utc - now < RENEW_BEFORE:
        return "the old one ends soon"
    missing = set(names) - covered_names(cert)
    if missing:
        return f"the old one does not cover {', '.join(sorted(missing))}"
    return ""


def installer_tls(cert: str | Path, key: str | Path) -> HubTls:
    """An installer's certificate file (the server's certificate first, then any issuers) and key.
    Devices pin the last certificate in the file: the CA if it is there, else the certificate itself."""
    cert, key = Path(cert), Path(key)
    try:
        chain = x509.load_pem_x509_certificates(cert.read_bytes())
        serialization.load_pem_private_key(key.read_bytes(), None)
    except (OSError, ValueError, TypeError) as e:
        raise TlsError(f"证书或私钥无法读取 / cannot read the certificate or key: {e}") from None
    pin = chain[-1].public_bytes(serialization.Encoding.PEM).decode()
    return HubTls(cert, key, pin, ca_fingerprint(pin))


def spaced(fingerprint: str) -> str:
    """The fingerprint as people read it aloud or compare it: groups of four."""
    return " ".join(fingerprint[i:i + 4] for i in range(0, len(fingerprint), 4))


__all__ = ["HubTls", "TlsError", "covered_names", "hall_tls", "hub_names", "installer_tls", "spaced"]
