"""Password hashes, shared by the hall's console accounts and the region's: salted scrypt, kept as a JSON
record of its parameters so they can be raised later without breaking old hashes. Standard library only,
so the region (on its own machine) can use it without the hub's internals."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def _derive(password: str, salt: bytes, params: dict) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=params["n"], r=params["r"], p=params["p"],
                          maxmem=64 * 1024 * 1024, dklen=32)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    return json.dumps({"algo": "scrypt", **_SCRYPT, "salt": salt.hex(), "hash": _derive(password, salt, _SCRYPT).hex()})


def verify_password(record_json: str | None, password: str) -> bool:
    """True if `password` matches; with no record, the same work is done on a dummy so that an
    unknown name answers as slowly as a known one."""
    record = json.loads(record_json) if record_json else {**_SCRYPT, "salt": "00" * 16, "hash": ""}
    digest = _derive(password, bytes.fromhex(record["salt"]), record)
    return bool(record_json) and hmac.compare_digest(digest.hex(), record["hash"])
