"""Finish hooks: lets other services (calibration, budget, auto-evaluation) react to a run ending without runs/ importing them."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

# hook(run_id, status, db, settings) -> awaitable; called once per run after its terminal status is committed.
FinishHook = Callable[[str, str, Any, Any], Awaitable[None]]
_finish_hooks: list[FinishHook] = []


def on_run_finished(hook: FinishHook) -> FinishHook:
    """Registers a hook (usable as a decorator); registering the same function twice is a no-op."""
    if hook not in _finish_hooks:
        _finish_hooks.append(hook)
    return hook


async def run_finish_hooks(run_id: str, status: str, db: Any, settings: Any) -> None:
    """Runs every hook; one failing hook is logged and never stops the others or the run manager."""
    for hook in list(_finish_hooks):
        try:
            await hook(run_id, status, db, settings)
        except Exception:  # noqa: BLE001 - a hook's bug must not break run bookkeeping
            log.exception("finish hook %s failed for run %s", getattr(hook, "__name__", hook), run_id)
