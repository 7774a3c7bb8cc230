"""Personal-data encryption at rest: AES-256-GCM for values, HMAC-SHA256 for exact look-up.

Both keys are derived (HKDF) from settings.DATA_KEY, so one secret is configured. Ciphertexts carry a
key id so that a rotated key can still read old rows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

KEY_ID = "k1"


@lru_cache(maxsize=4)
def _keys(data_key: str) -> tuple[AESGCM, bytes]:
    raw = base64.urlsafe_b64decode(data_key.encode())
    if len(raw) < 32:
        raise ValueError("CIVICGRID_DATA_KEY must be at least 32 bytes (urlsafe base64)")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    return AESGCM(derive(b"civicgrid-enc-v1")), derive(b"civicgrid-mac-v1")


def _current() -> tuple[AESGCM, bytes]:
    return _keys(settings.DATA_KEY)


def encrypt(plaintext: str) -> str:
    aead, _ = _current()
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), KEY_ID.encode())
    return f"{KEY_ID}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    key_id, _, body = token.partition(":")
    if key_id != KEY_ID:
        raise ValueError(f"unknown data key id {key_id!r}")
    blob = base64.urlsafe_b64decode(body.encode())
    aead, _ = _current()
    return aead.decrypt(blob[:12], blob[12:], key_id.encode()).decode()


def keyed_hash(data: bytes, *, purpose: str) -> str:
    """HMAC-SHA256 of `data` exactly as given (no normalising), keyed so that a stored hash of personal data
    cannot be checked against guesses without the data key."""
    _, mac_key = _current()
    return hmac.new(mac_key, purpose.encode() + b"\x00" + data, hashlib.sha256).hexdigest()


def lookup_hash(value: str, *, purpose: str) -> str:
    """Keyed hash for equality look-up; `purpose` separates domains (an ID number never matches a phone)."""
    _, mac_key = _current()
    message = f"{purpose}\x00{value.strip().upper()}".encode()
    return hmac.new(mac_key, message, hashlib.sha256).hexdigest()
