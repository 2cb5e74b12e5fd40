"""The offline agent: the same conversation on the deterministic recommender with templated text.

It asks for what is missing (task, data size, priority, hardware — each at most once, then a stated default),
recommends as soon as it can, and answers follow-ups (compare, why, make it cheaper, recipe) from the
estimator. Bad input (0 or 10^12 examples, unknown GPU, $0 budget, empty task) gets the typed error's message
and fix as the reply, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vibeflow.errors import VibeFlowError
from vibeflow.recommend.agent import intents, texts
from vibeflow.recommend.agent.compare import compare_models
from vibeflow.recommend.agent.facts import Facts
from vibeflow.recommend.agent.turn import TurnResult
from vibeflow.recommend.recommender import recommend
from vibeflow.recommend.schemas import Recommendation


def recommend_now(facts: Facts, *, defaults: bool) -> dict[str, Any]:
    """`recommend()` on the known facts (VibeFlowError with a fix when they are impossible)."""
    return recommend(facts.request(defaults=defaults)).model_dump(mode="json")


def _open_questions(facts: Facts) -> list:
    """Missing facts not asked yet (asked-and-unanswered ones take their default instead of a second ask)."""
    return [q for q in facts.missing() if q not in facts.asked]


def _error_turn(error: VibeFlowError, facts: Facts) -> TurnResult:
    replies = list(texts.AFTER_ERROR)
    if "example" in error.message:
        replies = ["About 500 examples", "About 5,000 examples", "Let AI pick"]
    elif "budget" in error.message.lower():
        replies = ["My budget is $20", "Train on this machine (CPU)", "Let AI pick"]
    elif "GPU" in error.message:
        replies = ["A100-80GB", "L40S", "RTX4090", "Train on this machine (CPU)"]
    elif "task" in error.message:
        replies = list(texts.QUESTIONS["task"][1])
    return TurnResult(reply=texts.error_text(error.message, error.fix), suggested_replies=replies)


def offline_turn(
    message: str,
    facts: Facts,
    previous: dict[str, Any] | None,
    *,
    changed: bool,
    force: bool = False,
    finalize: Callable[[dict[str, Any]], dict[str, Any]] = lambda rec: rec,
) -> TurnResult:
    """One templated turn. `changed`: the message changed a fact; `force`: recommend now with defaults;
    `finalize` re-estimates a new recommendation through its recipe before any text quotes its numbers."""
    text = " ".join((message or "").split())
    if not text and not force:
        question, replies, key = texts.question(_open_questions(facts) or ["task"])
        facts.last_question = key
        return TurnResult(reply="Your message is empty. " + question, suggested_replies=replies)
    force = force or intents.wants_pick(text)
    if previous is not None and not changed and not force:
        rec = Recommendation.model_validate(previous)
        if intents.wants_compare(text):
            try:
                rows = compare_models(rec, intents.mentioned_models(text))
            except VibeFlowError as error:
                return _error_turn(error, facts)
            return TurnResult(
                reply=texts.comparison_text(rows),
                suggested_replies=list(texts.AFTER_RECOMMENDATION),
                comparison=rows,
            )
        if intents.wants_recipe(text):
            return TurnResult(
                reply="Press “Create vibeflow.yaml” on the recommendation card (or run `vibeflow brainstorm "
                "--write-recipe vibeflow.yaml`): the recipe gets exactly these settings, and `vibeflow estimate` "
                "on it prints the same numbers.",
                suggested_replies=list(texts.AFTER_RECOMMENDATION),
                recommendation=previous,
                estimate=previous["estimate"],
            )
        if intents.wants_why(text):
            return TurnResult(
                reply=texts.reasons_text(previous),
                suggested_replies=list(texts.AFTER_RECOMMENDATION),
            )
    open_questions = [] if force else _open_questions(facts)
    if open_questions:
        question, replies, key = texts.question(open_questions)
        facts.last_question = key
        facts.asked.append(key)
        known = texts.known_line(facts)
        prefix = f"Noted: {known}. " if known else ""
        return TurnResult(reply=prefix + question, suggested_replies=replies)
    facts.last_question = None
    try:
        rec = finalize(recommend_now(facts, defaults=True))
    except VibeFlowError as error:
        return _error_turn(error, facts)
    assumed = facts.assumed()
    return TurnResult(
        reply=texts.recommendation_text(rec, rec["estimate"], assumed),
        suggested_replies=list(texts.AFTER_RECOMMENDATION),
        recommendation=rec,
        estimate=rec["estimate"],
    )
