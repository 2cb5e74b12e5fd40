"""Dataset facts for the agent and the estimator: a stored version's size, token lengths and quality summary.

`dataset_stats(session, ref)` gives the estimator's data statistics from the version's quality report (exact
token counts), the same numbers `vibeflow estimate` reads for a recipe whose `data.version` names it;
`dataset_summary` is what the agent's `inspect_dataset` tool returns.
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vibeflow.recommend.recipe_adapter import data_stats_from_report
from vibeflow.settings import Settings, load_settings


async def _version(session: AsyncSession, settings: Settings, ref: str):  # noqa: ANN202 - DatasetVersion
    from vibeflow.data.versions import DatasetService

    return await DatasetService(session, settings).get_version(ref)


async def dataset_stats(session: AsyncSession, settings: Settings, ref: str) -> dict[str, Any]:
    """Rows and token lengths of a stored dataset version (NotFoundError with a fix if it does not exist)."""
    version = await _version(session, settings, ref)
    stats = data_stats_from_report(version.report or {}, rows=version.rows)
    stats["ref"] = version.ref
    return stats


async def dataset_summary(session: AsyncSession, settings: Settings, ref: str) -> dict[str, Any]:
    """A compact view of a version's quality report for the agent: size, lengths, score, top issues."""
    version = await _version(session, settings, ref)
    report = version.report or {}
    lengths = report.get("lengths") or {}
    issues = sorted(
        report.get("issues") or [], key=lambda i: {"error": 0, "warning": 1}.get(i.get("severity"), 2)
    )
    out: dict[str, Any] = {
        "ref": version.ref,
        "rows": version.rows,
        "role": version.role,
        "format": version.format,
        "quality_score": version.score,
        "token_lengths": {
            key: lengths.get(key)
            for key in ("input", "output", "total")
            if isinstance(lengths.get(key), dict)
        },
        "tokenizer": lengths.get("tokenizer"),
        "languages": report.get("languages"),
        "issues": [
            {
                "kind": issue.get("kind"),
                "severity": issue.get("severity"),
                "message": issue.get("message"),
                "suggestion": issue.get("suggestion") or issue.get("fix"),
            }
            for issue in issues[:8]
        ],
    }
    try:
        out["estimator_stats"] = data_stats_from_report(report, rows=version.rows)
    except Exception as error:  # noqa: BLE001 - a report without lengths is still worth summarising
        out["estimator_stats"] = {"error": str(error)}
    return out


def dataset_stats_sync(ref: str, settings: Settings | None = None) -> dict[str, Any]:
    """Blocking `dataset_stats` for the CLI: opens the store, reads the version's report, closes."""
    from vibeflow.store.db import open_database

    settings = settings or load_settings()

    async def run() -> dict[str, Any]:
        async with open_database(settings) as db, db.session() as session:
            return await dataset_stats(session, settings, ref)

    return asyncio.run(run())
