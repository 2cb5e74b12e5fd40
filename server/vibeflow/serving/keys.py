"""API keys: random secrets shown once, stored as scrypt hashes (per-key salt) with a public lookup prefix;
verified keys are cached in memory by a SHA-256 of the secret so the hot path stays fast."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

KEY_PREFIX = "vf"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
KDF = f"scrypt:n={SCRYPT_N},r={SCRYPT_R},p={SCRYPT_P}"


@dataclass(frozen=True)
class NewKey:
    """A freshly minted key: `secret` is the only copy of the full key and is never stored."""

    secret: str
    prefix: str
    hash: str
    salt: str
    kdf: str = KDF


def _scrypt(secret: str, salt: bytes, kdf: str) -> str:
    params = dict(part.split("=") for part in kdf.split(":", 1)[1].split(","))
    digest = hashlib.scrypt(
        secret.encode(), salt=salt, n=int(params["n"]), r=int(params["r"]), p=int(params["p"]), dklen=32
    )
    return digest.hex()


def mint() -> NewKey:
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}-{prefix}-{secrets.token_urlsafe(32)}"
    salt = secrets.token_bytes(16)
    return NewKey(secret=secret, prefix=prefix, hash=_scrypt(secret, salt, KDF), salt=salt.hex())


def prefix_of(secret: str) -> str | None:
    """The lookup prefix of a presented key, or None when it is not shaped like one of ours."""
    parts = secret.split("-", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def verify(secret: str, stored_hash: str, salt_hex: str, kdf: str) -> bool:
    return hmac.compare_digest(_scrypt(secret, bytes.fromhex(salt_hex), kdf), stored_hash)


def fingerprint(secret: str) -> str:
    """Memory-only cache key for a verified secret (never persisted)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def redacted(prefix: str) -> str:
    return f"{KEY_PREFIX}-{prefix}-…"
