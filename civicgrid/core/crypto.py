"""Personal-data encryption at rest: AES-256-GCM for values, HMAC-SHA256 for exact look-up.

The encryption key is derived (HKDF) from settings.DATA_KEY; ciphertexts carry the id of the key that
sealed them, so after a rotation the keys in settings.DATA_KEYS_PREVIOUS still read old rows until
`rotate_data_key` has re-encrypted them. The look-up (HMAC) key is derived from settings.LOOKUP_KEY or,
unset, from the oldest configured data key: rotating the encryption key leaves every stored look-up hash
valid (API keys and idempotency keys are stored only as such hashes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache
from typing import NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

LEGACY_KEY_ID = "k1"  # sealed before key ids were derived from the key: any configured key may fit


class Key(NamedTuple):
    id: str
    aead: AESGCM
    mac: bytes


@lru_cache(maxsize=8)
def _key(data_key: str) -> Key:
    raw = base64.urlsafe_b64decode(data_key.encode())
    if len(raw) < 32:
        raise ValueError("CIVICGRID_DATA_KEY must be at least 32 bytes (urlsafe base64)")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(raw)

    key_id = "k" + hashlib.sha256(b"civicgrid-key-id\x00" + raw).hexdigest()[:8]
    return Key(key_id, AESGCM(derive(b"civicgrid-enc-v1")), derive(b"civicgrid-mac-v1"))


def _current() -> Key:
    return _key(settings.DATA_KEY)


def _readers() -> list[Key]:
    return [_current(), *(_key(k) for k in getattr(settings, "DATA_KEYS_PREVIOUS", ()))]


def _mac_key() -> bytes:
    lookup = getattr(settings, "LOOKUP_KEY", "")
    return _key(lookup).mac if lookup else _readers()[-1].mac


def current_key_id() -> str:
    return _current().id


def key_id_of(token: str) -> str:
    return token.partition(":")[0]


def encrypt(plaintext: str) -> str:
    key = _current()
    nonce = os.urandom(12)
    sealed = key.aead.encrypt(nonce, plaintext.encode(), key.id.encode())
    return f"{key.id}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    key_id, _, body = token.partition(":")
    fitting = [k for k in _readers() if k.id == key_id or key_id == LEGACY_KEY_ID]
    if not fitting:
        raise ValueError(f"unknown data key id {key_id!r}: is the key in CIVICGRID_DATA_KEYS_PREVIOUS?")
    blob = base64.urlsafe_b64decode(body.encode())
    for key in fitting:
        try:
            return key.aead.decrypt(blob[:12], blob[12:], key_id.encode()).decode()
        except InvalidTag:
            continue
    raise ValueError(f"no configured data key opens this value (key id {key_id!r})")


def keyed_hash(data: bytes, *, purpose: str) -> str:
    """HMAC-SHA256 of `data` exactly as given (no normalising), keyed so that a stored hash of personal data
    cannot be checked against guesses without the data key."""
    return hmac.new(_mac_key(), purpose.encode() + b"\x00" + data, hashlib.sha256).hexdigest()


def lookup_hash(value: str, *, purpose: str) -> str:
    """Keyed hash for equality look-up; `purpose` separates domains (an ID number never matches a phone)."""
    message = f"{purpose}\x00{value.strip().upper()}".encode()
    return hmac.new(_mac_key(), message, hashlib.sha256).hexdigest()


def lookup_hasher(purpose: str):
    """`lookup_hash` for many values (bulk loads such as the demo's 400,000 hashes): the key is read and
    its HMAC state prepared once, then copied per value. Same digests as `lookup_hash`."""
    prepared = hmac.new(_mac_key(), digestmod=hashlib.sha256)
    prefix = f"{purpose}\x00"

    def lookup(value: str) -> str:
        mac = prepared.copy()
        mac.update(f"{prefix}{value.strip().upper()}".encode())
        return mac.hexdigest()
    return lookup
