"""`BrainstormAgent`: one chat turn end to end — facts, Gemini or offline, card, persistence — per project.

Whatever path answers, a new recommendation is re-estimated through the recipe it would write, so the card's
estimate is exactly what `vibeflow estimate` prints for the generated `vibeflow.yaml`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from vibeflow.errors import VibeFlowError
from vibeflow.gemini import GeminiConfig, load_gemini_config
from vibeflow.recommend.agent import conversation as store
from vibeflow.recommend.agent import texts
from vibeflow.recommend.agent.datasets import dataset_stats, dataset_summary
from vibeflow.recommend.agent.facts import Facts, read_message
from vibeflow.recommend.agent.gemini_turn import GeminiUnavailable, gemini_turn
from vibeflow.recommend.agent.offline import offline_turn
from vibeflow.recommend.agent.recipe_text import RecipeDraft, build_recipe
from vibeflow.recommend.agent.toolbox import Toolbox
from vibeflow.recommend.agent.turn import TurnResult
from vibeflow.recommend.errors import InvalidRequestError
from vibeflow.recommend.explain import estimate_lines
from vibeflow.recommend.recipe_adapter import data_stats_from_file
from vibeflow.recommend.schemas import Recommendation
from vibeflow.settings import Settings

log = logging.getLogger("vibeflow.agent")
MAX_MESSAGE_CHARS = 8000
TURN_TIMEOUTS = 3  # a turn may take this many request timeouts in all


class BrainstormAgent:
    """The brainstorm conversation of a project over one DB session (commit happens here)."""

    def __init__(self, session: AsyncSession, settings: Settings, gemini: GeminiConfig | None = None) -> None:
        self.session = session
        self.settings = settings
        self.gemini = gemini or load_gemini_config()

    # ---- helpers ------------------------------------------------------------------------------------------
    def _offline_reason(self) -> str | None:
        if self.gemini.disabled:
            return "disabled"
        if not self.gemini.has_key:
            return "no_key"
        return None

    async def _inspect(self, ref: str) -> dict[str, Any]:
        try:
            return await dataset_summary(self.session, self.settings, ref)
        except VibeFlowError as error:
            return error.to_dict()

    def _draft(
        self, project: str, facts: Facts, rec: dict[str, Any], recipe_dir: str | None = None
    ) -> RecipeDraft:
        return build_recipe(
            Recommendation.model_validate(rec),
            project=project,
            task=facts.task,
            n_examples=facts.n_examples,
            dataset_version=facts.dataset_version,
            dataset_stats=facts.dataset_stats,
            data_path=facts.data_path,
            budget_usd=facts.budget_usd if facts.gpu != "cpu" else None,
            recipe_dir=recipe_dir,
        )

    def _with_recipe_estimate(self, project: str, facts: Facts, rec: dict[str, Any]) -> dict[str, Any]:
        """The recommendation with the estimate of the recipe it generates (identical to `vibeflow estimate`)."""
        try:
            draft = self._draft(project, facts, rec)
        except VibeFlowError as error:  # should not happen: the recommendation is valid by construction
            log.warning("recipe for the recommendation failed: %s", error)
            return rec
        reasons = [r for r in rec["reasons"] if not r.startswith(("Estimate:", "Confidence:"))]
        reasons += estimate_lines(draft.estimate)
        return {**rec, "estimate": draft.estimate.model_dump(mode="json"), "reasons": reasons}

    async def _select_dataset(self, facts: Facts, ref: str) -> str | None:
        """Load a dataset version's statistics into the facts; returns an error text when it cannot."""
        try:
            stats = await dataset_stats(self.session, self.settings, ref)
        except VibeFlowError as error:
            return texts.error_text(error.message, error.fix)
        facts.dataset_version = stats.pop("ref")
        facts.data_path = None
        facts.dataset_stats = stats
        facts.n_examples = int(stats["rows"])
        facts.avg_tokens_in = facts.avg_tokens_out = None
        return None

    @staticmethod
    def _select_file(facts: Facts, path: str) -> str | None:
        """Plan for a data file on this machine, sampled exactly as `vibeflow estimate` samples it."""
        source = Path(path).expanduser()
        if not source.is_absolute():
            return texts.error_text(
                f"data_path {path!r} is relative", "send the absolute path of the data file on this machine"
            )
        try:
            stats = data_stats_from_file(source)
        except VibeFlowError as error:
            return texts.error_text(error.message, error.fix)
        except (ValueError, OSError) as error:  # unreadable JSON/CSV
            return texts.error_text(
                f"cannot read {source.name}: {error}", "check the file, or import it in the Data panel first"
            )
        facts.data_path, facts.dataset_version = str(source.resolve()), None
        facts.dataset_stats = stats
        facts.n_examples = int(stats["rows"])
        facts.avg_tokens_in = facts.avg_tokens_out = None
        return None

    # ---- turns --------------------------------------------------------------------------------------------
    async def send(
        self,
        project: str,
        message: str,
        dataset_version: str | None = None,
        data_path: str | None = None,
        *,
        force: bool = False,
    ) -> dict[str, Any]:
        message = (message or "").strip()
        if len(message) > MAX_MESSAGE_CHARS:
            raise InvalidRequestError(
                f"message of {len(message):,} characters is too long",
                fix=f"keep it under {MAX_MESSAGE_CHARS:,}",
            )
        conv = await store.live_conversation(self.session, project)
        assert conv is not None
        state = dict(conv.state or {})
        before = Facts.model_validate(state.get("facts") or {})
        previous = state.get("recommendation")
        history = [
            (m.role, m.content) for m in await store.messages(self.session, conv.id, store.HISTORY_FOR_MODEL)
        ]
        await store.add_message(self.session, conv, "user", message or "(empty)")

        facts = read_message(message, before)
        data_error = None
        if dataset_version and dataset_version != before.dataset_version:
            data_error = await self._select_dataset(facts, dataset_version)
        elif data_path and data_path != before.data_path:
            data_error = self._select_file(facts, data_path)
        changed = facts.model_dump(exclude={"asked", "last_question", "problems"}) != before.model_dump(
            exclude={"asked", "last_question", "problems"}
        )
        if data_error:
            result = TurnResult(reply=data_error, suggested_replies=["About 1,000 examples", "Let AI pick"])
        else:
            result = await self._answer(
                project, message, facts, previous, history, changed=changed, force=force
            )

        if result.recommendation is not None:  # already carries its recipe's estimate (see finalize)
            state["recommendation"] = result.recommendation
        if result.comparison is not None:
            state["comparison"] = result.comparison
        state["facts"] = facts.model_dump(mode="json")
        conv.state = state
        await store.add_message(
            self.session,
            conv,
            "assistant",
            result.reply,
            mode=result.mode,
            notice=result.notice,
            card=result.card(),
            tool_calls=result.tool_calls,
        )
        await self.session.commit()
        return {
            "conversation_id": conv.id,
            "reply": result.reply,
            **result.card(),
            "mode": result.mode,
            "notice": result.notice,
        }

    async def _answer(
        self,
        project: str,
        message: str,
        facts: Facts,
        previous: dict[str, Any] | None,
        history: list[tuple[str, str]],
        *,
        changed: bool,
        force: bool,
    ) -> TurnResult:
        reason = self._offline_reason()
        detail = ""

        def finalize(rec: dict[str, Any]) -> dict[str, Any]:
            return self._with_recipe_estimate(project, facts, rec)

        if reason is None:
            work = facts.model_copy(deep=True)
            toolbox = Toolbox(
                work,
                recommendation=previous,
                inspect=self._inspect,
                defaults=force,
                finalize=lambda rec: self._with_recipe_estimate(project, work, rec),
            )
            dataset = await self._inspect(work.dataset_version) if work.dataset_version else None
            turn = gemini_turn(
                message if not force else f"{message}\n(Let AI pick: recommend now with sensible defaults.)",
                work,
                history,
                toolbox,
                self.gemini,
                dataset=dataset,
                sources=[previous, dataset],
            )
            try:
                try:  # a whole turn (several tool rounds) is bounded too: the user is never left waiting
                    result = await asyncio.wait_for(turn, timeout=self.gemini.timeout_s * TURN_TIMEOUTS)
                except TimeoutError:
                    raise GeminiUnavailable(
                        "timeout", f"the turn took over {self.gemini.timeout_s * TURN_TIMEOUTS:g} s"
                    ) from None
            except GeminiUnavailable as error:
                log.warning("brainstorm falls back to offline mode (%s): %s", error.reason, error.detail)
                reason, detail = error.reason, error.detail
            else:
                for name in Facts.model_fields:  # facts the model passed to the tools are now known
                    setattr(facts, name, getattr(work, name))
                if force and result.recommendation is None:  # "Let AI pick" must end with a recommendation
                    forced = offline_turn(
                        message, facts, previous, changed=changed, force=True, finalize=finalize
                    )
                    result.recommendation, result.estimate = forced.recommendation, forced.estimate
                    result.reply = f"{result.reply}\n\n{forced.reply}".strip()
                if not result.suggested_replies:
                    result.suggested_replies = self._suggestions(facts, result)
                return result
        result = offline_turn(message, facts, previous, changed=changed, force=force, finalize=finalize)
        result.mode = "offline"
        result.notice = texts.offline_notice(reason, detail if reason not in ("no_key", "disabled") else None)
        return result

    @staticmethod
    def _suggestions(facts: Facts, result: TurnResult) -> list[str]:
        if result.recommendation is not None or result.comparison is not None:
            return list(texts.AFTER_RECOMMENDATION)
        missing = facts.missing()
        if missing:
            return texts.question(missing)[1]
        return list(texts.AFTER_RECOMMENDATION)

    async def pick(
        self, project: str, dataset_version: str | None = None, data_path: str | None = None
    ) -> dict[str, Any]:
        """Let AI pick: a recommendation now, from what is known, with stated defaults for the rest."""
        return await self.send(project, "Let AI pick", dataset_version, data_path, force=True)

    async def recipe(
        self, project: str, recommendation: dict[str, Any] | None = None, recipe_dir: str | None = None
    ) -> dict[str, Any]:
        """`vibeflow.yaml` text for the conversation's (or the given) recommendation, and its estimate."""
        conv = await store.live_conversation(self.session, project)
        assert conv is not None
        state = conv.state or {}
        facts = Facts.model_validate(state.get("facts") or {})
        rec = recommendation or state.get("recommendation")
        if rec is None:
            raise InvalidRequestError(
                "there is no recommendation in this conversation yet",
                fix="describe the task in the Brainstorm chat (or press “Let AI pick”) first, or pass a recommendation",
            )
        try:
            parsed = Recommendation.model_validate(rec)
        except ValueError as error:
            raise InvalidRequestError(
                f"the recommendation is not valid: {str(error).splitlines()[0]}",
                fix="pass the `recommendation` object exactly as /api/agent/messages returned it",
            ) from None
        draft = self._draft(project, facts, parsed.model_dump(mode="json"), recipe_dir)
        await self.session.commit()
        return {
            "yaml": draft.yaml,
            "estimate": draft.estimate.model_dump(mode="json"),
            "estimate_command": draft.estimate_command,
            "file_name": "vibeflow.yaml",
        }

    async def conversation(self, project: str) -> dict[str, Any]:
        conv = await store.live_conversation(self.session, project)
        assert conv is not None
        items = await store.messages(self.session, conv.id)
        await self.session.commit()
        state = conv.state or {}
        return {
            "conversation_id": conv.id,
            "project": project,
            "facts": state.get("facts") or Facts().model_dump(mode="json"),
            "recommendation": state.get("recommendation"),
            "messages": [store.message_view(m) for m in items],
            "gemini": {"model": self.gemini.model, "available": self._offline_reason() is None},
        }

    async def reset(self, project: str) -> dict[str, Any]:
        archived = await store.archive(self.session, project)
        await self.session.commit()
        return {"archived_conversation_id": archived, "project": project}
