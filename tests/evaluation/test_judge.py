"""LLM-as-judge through the real google-genai client against the local Gemini REST stub."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.support.gemini_stub import GeminiStub, Reply

from vibeflow.evaluation.judge import CRITERIA, parse_verdict, run_judge


def examples(n: int) -> list[dict]:
    return [
        {
            "index": i,
            "prompt": [{"role": "user", "content": f"How do I reset password {i}?"}],
            "reference": "Open settings and choose reset.",
            "base": {"output": f"BASE ANSWER {i}"},
            "tuned": {"output": f"TUNED ANSWER {i}"},
        }
        for i in range(n)
    ]


def verdict(score: int) -> dict:
    return {**{c: score for c in CRITERIA}, "feedback": f"scored {score}"}


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> Iterator[GeminiStub]:
    with GeminiStub(api_key="judge-key") as server:
        monkeypatch.setenv("GEMINI_API_KEY", "judge-key")
        monkeypatch.setenv("VIBEFLOW_GEMINI_BASE_URL", server.base_url)
        monkeypatch.setenv("VIBEFLOW_GEMINI_ATTEMPTS", "1")
        monkeypatch.delenv("VIBEFLOW_GEMINI_DISABLE", raising=False)
        yield server


async def test_judge_scores_base_and_tuned_on_a_seeded_sample(stub: GeminiStub) -> None:
    stub.responder = lambda req: Reply.json_text(verdict(4 if "TUNED" in req.text() else 2))
    result = await run_judge(examples(30), sample=5, seed=1)
    assert result["status"] == "ok" and result["sample"] == 5 and result["invalid"] == 0
    assert result["means"]["tuned"]["average"] == 4.0 and result["means"]["base"]["average"] == 2.0
    assert len(stub.requests) == 10  # 5 examples × (base, tuned)
    request = stub.requests[0]
    assert "Reference answer" in request.text() and "Relevance (1-5)" in request.system_text()
    assert request.generation_config().get("responseMimeType") == "application/json"
    assert len(result["verdicts"]) == 5
    assert all(
        v["tuned"]["feedback"] == "scored 4" and v["base"]["average"] == 2.0
        for v in result["verdicts"].values()
    )


async def test_invalid_json_is_retried_then_left_out(stub: GeminiStub) -> None:
    replies = iter(["not json at all", json.dumps({"relevance": 9})])  # first example's base: two bad replies

    def respond(req) -> Reply:  # noqa: ANN001
        if "BASE ANSWER 0" in req.text():
            return Reply.text(next(replies, json.dumps(verdict(3))))
        return Reply.json_text(verdict(5))

    stub.responder = respond
    result = await run_judge(examples(3), sample=3)
    assert result["status"] == "ok" and result["invalid"] == 1 and result["sample"] == 2
    assert "not valid JSON" in result["note"]


async def test_no_key_skips_with_a_clear_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    result = await run_judge(examples(3))
    assert result["status"] == "skipped" and "GEMINI_API_KEY" in result["note"]


async def test_rejected_key_and_unreachable_service_skip(
    stub: GeminiStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "wrong-key")
    result = await run_judge(examples(4), sample=4)
    assert result["status"] == "skipped" and "could not be used" in result["note"]
    monkeypatch.setenv("GEMINI_API_KEY", "judge-key")
    monkeypatch.setenv(
        "VIBEFLOW_GEMINI_BASE_URL", "http://127.0.0.1:9"
    )  # nothing listens on the discard port
    result = await run_judge(examples(2), sample=2)
    assert result["status"] == "skipped" and "could not be used" in result["note"]


def test_parse_verdict_checks_every_criterion() -> None:
    assert parse_verdict({**verdict(4), "tone_match": "5"})["average"] == pytest.approx(4.2)
    for bad in ([], {"relevance": 3}, {**verdict(4), "coherence": 0}, {**verdict(4), "factuality": "high"}):
        with pytest.raises(ValueError):
            parse_verdict(bad)
