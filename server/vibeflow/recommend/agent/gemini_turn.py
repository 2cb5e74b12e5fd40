"""One agent turn with Gemini: a function-calling loop over our tools, then a price check of the reply text.

Any failure — no key, network, timeout, API error, an unreadable reply, an unknown tool, endless tool calls —
raises `GeminiUnavailable` with a short reason, and the service answers the same message offline instead.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from google.genai import types

from vibeflow.gemini import GeminiConfig, GeminiError, generate
from vibeflow.recommend.agent import texts
from vibeflow.recommend.agent.facts import Facts
from vibeflow.recommend.agent.prompts import system_instruction
from vibeflow.recommend.agent.toolbox import DECLARATIONS, Toolbox, UnknownToolError, for_model
from vibeflow.recommend.agent.turn import TurnResult

log = logging.getLogger("vibeflow.agent")
MAX_ROUNDS = 6
DOLLARS = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)")


class GeminiUnavailable(Exception):
    """This turn cannot be answered by Gemini; `reason` picks the offline notice."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def history_contents(history: list[tuple[str, str]], message: str) -> list[types.Content]:
    contents = [
        types.Content(role="user" if role == "user" else "model", parts=[types.Part(text=text)])
        for role, text in history
        if text.strip()
    ]
    contents.append(types.Content(role="user", parts=[types.Part(text=message or "(empty message)")]))
    return contents


def _numbers(value: Any, out: set[float]) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        out.add(round(float(value), 2))
    elif isinstance(value, dict):
        for item in value.values():
            _numbers(item, out)
    elif isinstance(value, list):
        for item in value:
            _numbers(item, out)


def unbacked_prices(text: str, sources: list[Any]) -> list[str]:
    """Dollar amounts in the reply that no tool result contains (to the cent, or rounded to whole dollars)."""
    known: set[float] = set()
    for source in sources:
        _numbers(source, known)
    rounded = {round(v) for v in known} | {round(v, 1) for v in known}
    out = []
    for raw in DOLLARS.findall(text):
        value = float(raw.replace(",", ""))
        if value == 0 or round(value, 2) in known or value in rounded:
            continue
        out.append(f"${raw}")
    return out


async def gemini_turn(
    message: str,
    facts: Facts,
    history: list[tuple[str, str]],
    toolbox: Toolbox,
    config: GeminiConfig,
    *,
    dataset: dict[str, Any] | None = None,
    sources: list[Any] | None = None,
) -> TurnResult:
    contents = history_contents(history, message)
    system = system_instruction(facts, dataset)
    for _ in range(MAX_ROUNDS):
        try:
            reply = await generate(contents, config=config, system_instruction=system, tools=DECLARATIONS)
        except GeminiError as error:
            raise GeminiUnavailable(error.reason, error.message) from None
        if not reply.function_calls:
            break
        contents.append(reply.content or types.Content(role="model", parts=[]))
        responses = []
        for call in reply.function_calls:
            try:
                result = await toolbox.call(call.name, call.args)
            except UnknownToolError as error:
                raise GeminiUnavailable("unknown_tool", f"Gemini called {error.name!r}") from None
            responses.append(
                types.Part.from_function_response(name=call.name, response=for_model(call.name, result))
            )
        contents.append(types.Content(role="user", parts=responses))
    else:
        raise GeminiUnavailable("too_many_calls", f"more than {MAX_ROUNDS} rounds of tool calls")
    text = reply.text.strip()
    if not text:
        if toolbox.new_recommendation is None:
            log.warning("gemini returned an empty answer (finish reason %s)", reply.finish_reason)
            raise GeminiUnavailable("bad_reply", f"empty answer (finish reason {reply.finish_reason})")
        text = texts.recommendation_text(toolbox.new_recommendation, toolbox.new_recommendation["estimate"])
    notice = None
    suspicious = unbacked_prices(
        text, [toolbox.recommendation, toolbox.estimate, toolbox.comparison, *(sources or [])]
    )
    if suspicious:
        log.warning("gemini quoted prices no tool produced: %s", suspicious)
        notice = (
            f"Gemini mentioned {', '.join(suspicious)}, which no VibeFlow estimate produced — "
            "trust the figures on the card (they come from the estimator)."
        )
    return TurnResult(
        reply=text,
        recommendation=toolbox.new_recommendation,
        estimate=toolbox.estimate,
        comparison=toolbox.comparison,
        mode="gemini",
        notice=notice,
        tool_calls=toolbox.calls,
    )
