"""API key lifecycle in the store (create, rotate, revoke, list) and authentication with an in-memory cache of
verified secrets, so scrypt runs once per key per backend process, not on every request.

Revocation is immediate: every revoke/rotate commits, then clears the cache and bumps an epoch. A verification
that was already in flight (it read the key before the commit) still answers its own request, but it caches
its result only if no revocation happened meanwhile, so the next request re-reads the key and is refused.
The cache is per process: keys are revoked through the backend that runs the gateway (the API and CLI do)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from vibeflow.errors import ConfigError, NotFoundError
from vibeflow.serving import keys
from vibeflow.serving.limits import DEFAULT_PER_MINUTE
from vibeflow.store.models_serving import ApiKey


@dataclass(frozen=True)
class AuthedKey:
    """What the gateway needs about a verified key."""

    id: int
    project_id: int
    rate_limit_per_minute: int


def key_view(row: ApiKey) -> dict[str, Any]:
    return {
        "id": row.id,
        "project_id": row.project_id,
        "name": row.name,
        "prefix": keys.redacted(row.prefix),
        "rate_limit_per_minute": row.rate_limit_per_minute,
        "created_at": row.created_at,
        "last_used_at": row.last_used_at,
        "revoked_at": row.revoked_at,
        "replaced_by_id": row.replaced_by_id,
        "active": row.revoked_at is None,
    }


def _row(minted: keys.NewKey, project_id: int, name: str, limit: int) -> ApiKey:
    return ApiKey(
        project_id=project_id,
        name=name,
        prefix=minted.prefix,
        hash=minted.hash,
        salt=minted.salt,
        kdf=minted.kdf,
        rate_limit_per_minute=limit,
    )


class KeyStore:
    """Keys of every project; `authenticate` is the gateway's hot path."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self._verified: dict[str, AuthedKey] = {}
        self._epoch = 0  # bumped by every revocation: a verification begun before one is never cached

    def _forget(self) -> None:
        """Called after a revocation is committed: drop every cached verification, including in-flight ones."""
        self._epoch += 1
        self._verified.clear()

    async def create(
        self, project_id: int, name: str = "default", rate_limit: int | None = None
    ) -> tuple[ApiKey, str]:
        limit = DEFAULT_PER_MINUTE if rate_limit is None else rate_limit
        if limit < 1:
            raise ConfigError(
                f"rate limit must be at least 1 request per minute, got {limit}", fix="use --rate-limit 100"
            )
        minted = await asyncio.to_thread(keys.mint)
        row = _row(minted, project_id, name, limit)
        async with self.db.session() as session:
            session.add(row)
            await session.commit()
        return row, minted.secret

    async def _get(self, session: Any, key_id: int) -> ApiKey:
        row = await session.get(ApiKey, key_id)
        if row is None:
            raise NotFoundError(
                f"no API key with id {key_id}", fix="list keys with `vibeflow deployments keys list`"
            )
        return row

    async def revoke(self, key_id: int) -> ApiKey:
        async with self.db.session() as session:
            row = await self._get(session, key_id)
            if row.revoked_at is None:
                row.revoked_at = datetime.now(UTC)
                await session.commit()
        self._forget()
        return row

    async def rotate(self, key_id: int) -> tuple[ApiKey, str]:
        """Revoke the key and mint a replacement with the same name and limit, in one transaction."""
        minted = await asyncio.to_thread(keys.mint)
        async with self.db.session() as session:
            old = await self._get(session, key_id)
            if old.revoked_at is not None:
                raise ConfigError(f"key {key_id} is revoked", fix="create a new key instead")
            new = _row(minted, old.project_id, old.name, old.rate_limit_per_minute)
            session.add(new)
            await session.flush()
            old.revoked_at = datetime.now(UTC)
            old.replaced_by_id = new.id
            await session.commit()
        self._forget()
        return new, minted.secret

    async def list(self, project_id: int | None = None) -> list[ApiKey]:
        async with self.db.session() as session:
            query = select(ApiKey).order_by(ApiKey.id)
            if project_id is not None:
                query = query.where(ApiKey.project_id == project_id)
            return list((await session.execute(query)).scalars())

    async def any_active(self) -> bool:
        async with self.db.session() as session:
            found = await session.execute(select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1))
            return found.first() is not None

    async def authenticate(self, secret: str) -> AuthedKey | None:
        fingerprint = keys.fingerprint(secret)
        cached = self._verified.get(fingerprint)
        if cached is not None:
            return cached
        prefix = keys.prefix_of(secret)
        if prefix is None:
            return None
        epoch = self._epoch
        async with self.db.session() as session:
            row = (await session.execute(select(ApiKey).where(ApiKey.prefix == prefix))).scalar_one_or_none()
            if row is None or row.revoked_at is not None:
                return None
            if not await asyncio.to_thread(keys.verify, secret, row.hash, row.salt, row.kdf):
                return None
            row.last_used_at = datetime.now(UTC)
            await session.commit()
            authed = AuthedKey(row.id, row.project_id, row.rate_limit_per_minute)
        if epoch == self._epoch:  # no revocation committed while this one was being verified
            self._verified[fingerprint] = authed
        return authed
