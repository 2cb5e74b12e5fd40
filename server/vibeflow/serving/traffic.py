"""Traffic between a deployment's versions: A/B splits by weight and rollback to the previously live version
(a mixin of ServingManager, whose store helpers, locks and engine loading it uses)."""

from __future__ import annotations

from typing import Any

from vibeflow.errors import ConfigError, NotFoundError
from vibeflow.store.models_serving import Deployment


class TrafficMixin:
    """`rollback` and `set_split`; only versions that passed the consistency check may take traffic."""

    get: Any
    lock: Any
    history: Any
    _update: Any
    _ensure_loaded: Any

    async def _verified_versions(self, dep_id: str) -> list[int]:
        """Version numbers in the order they were activated (deploy, rollback)."""
        return [e.detail["version"] for e in await self.history(dep_id) if e.kind in ("activate", "rollback")]

    async def rollback(self, ref: str) -> Deployment:
        dep = await self.get(ref)
        async with self.lock(dep.id):
            current = next((v for v in dep.versions if v.id == dep.current_version_id), None)
            order = [
                n for n in await self._verified_versions(dep.id) if current is None or n != current.number
            ]
            if not order:
                raise ConfigError(
                    f"deployment {dep.name} has no earlier version to roll back to",
                    fix="deploy another run first; see `vibeflow deployments list`",
                )
            target = next(v for v in dep.versions if v.number == order[-1])
            if dep.status == "live":
                await self._ensure_loaded(dep, target)
            return await self._update(
                dep.id,
                "rollback",
                {"version": target.number, "from": current.number if current else None},
                current_version_id=target.id,
                split=[{"version_id": target.id, "weight": 1.0}],
            )

    async def set_split(
        self, ref: str, version_b: int, weight_b: float, version_a: int | None = None
    ) -> Deployment:
        """Send `weight_b` of the traffic to version B and the rest to version A (default: the current one)."""
        if not 0.0 <= weight_b <= 1.0:
            raise ConfigError(f"weight must be between 0 and 1, got {weight_b}", fix="e.g. --weight 0.2")
        dep = await self.get(ref)
        async with self.lock(dep.id):
            verified = set(await self._verified_versions(dep.id))
            by_number = {v.number: v for v in dep.versions}
            current = next((v for v in dep.versions if v.id == dep.current_version_id), None)
            a_number = version_a if version_a is not None else (current.number if current else None)
            for number in (a_number, version_b):
                if number not in by_number:
                    raise NotFoundError(
                        f"deployment {dep.name} has no version {number}", fix=f"versions: {sorted(by_number)}"
                    )
                if number not in verified:
                    raise ConfigError(
                        f"version {number} never passed the consistency check",
                        fix="only versions that went live can take traffic",
                    )
            if a_number == version_b:
                raise ConfigError("A and B are the same version", fix="pick two different versions")
            a, b = by_number[a_number], by_number[version_b]
            if dep.status == "live":
                await self._ensure_loaded(dep, a)
                await self._ensure_loaded(dep, b)
            split = [
                {"version_id": a.id, "weight": round(1.0 - weight_b, 6)},
                {"version_id": b.id, "weight": round(weight_b, 6)},
            ]
            return await self._update(
                dep.id,
                "split",
                {"a": a.number, "b": b.number, "weight_b": weight_b},
                split=split,
                current_version_id=a.id,
            )
