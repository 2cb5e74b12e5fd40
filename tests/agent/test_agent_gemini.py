"""The brainstorm agent with the real google-genai client against the Gemini REST stub: function-call round
trips into our estimator, clarifying questions, and every failure falling back to offline mode."""

from __future__ import annotations

import logging

import pytest
from tests.agent.conftest import Send
from tests.support.gemini_stub import GeminiStub, Reply

from vibeflow.recommend.recommender import recommend

FACTS = {"task": "customer support replies", "n_examples": 1000, "priority": "accuracy", "gpu": "A100-40GB"}


async def test_clarifying_question_then_recommendation_round_trip(stub: GeminiStub, send: Send) -> None:
    stub.reply_text("Happy to help! How many training examples do you have?")
    first = await send("I want a customer-support bot")
    assert first["mode"] == "gemini" and first["notice"] is None and first["recommendation"] is None
    assert first["reply"].endswith("do you have?")
    # the deterministic reader knows the task and offers data-size answers
    assert "About 5,000 examples" in first["suggested_replies"]
    assert "customer-support bot" in stub.requests[-1].system_text()

    stub.reply_function_call("recommend_setup", FACTS)
    stub.responder = lambda req: Reply.text(
        "LoRA on the A100 fits comfortably; see the card for cost and time."
    )
    second = await send("1000 examples, accuracy matters, I have an A100 40GB")
    assert second["mode"] == "gemini" and second["notice"] is None
    card = second["recommendation"]
    expected = recommend(FACTS)
    assert (card["base_model"], card["method"], card["device"]) == (
        expected.base_model,
        expected.method,
        expected.device,
    )
    assert second["estimate"] == card["estimate"]
    assert card["estimate"]["time"]["seconds"] == pytest.approx(expected.estimate.time.seconds)
    assert card["estimate"]["cost"]["chosen"]["compute_usd"] == pytest.approx(
        expected.estimate.cost.chosen.compute_usd
    )

    # the second request of that turn carries our tool result back to the model: numbers from the estimator
    follow_up = stub.requests[-1]
    assert [c["name"] for c in follow_up.function_calls()] == ["recommend_setup"]
    [response] = follow_up.function_responses()
    assert response["name"] == "recommend_setup"
    sent = response["response"]
    assert sent["base_model"] == expected.base_model
    assert sent["estimate"]["cost_usd"] == pytest.approx(expected.estimate.cost.chosen.compute_usd)
    # history of the earlier turn is sent back as context
    assert "I want a customer-support bot" in follow_up.text()
    assert set(follow_up.tool_names()) >= {
        "recommend_setup",
        "estimate_run",
        "compare_models",
        "inspect_dataset",
    }


async def test_compare_and_estimate_tools(stub: GeminiStub, send: Send) -> None:
    stub.reply_function_call("recommend_setup", FACTS).reply_text("Recommended.")
    await send("support bot, 1000 examples, accuracy, A100 40GB")
    stub.reply_function_call("compare_models", {"models": ["qwen2.5-7b", "llama-3.2-3b", "qwen2.5-0.5b"]})
    stub.reply_text("The 3B model is cheaper but weaker.")
    compared = await send("compare with llama 3b and qwen 0.5b")
    rows = compared["comparison"]
    assert [r["base_model"] for r in rows] == ["qwen2.5-7b", "llama-3.2-3b", "qwen2.5-0.5b"]
    assert all(r["device"] == "A100-40GB" and r["cost_usd"] > 0 for r in rows)
    assert rows[1]["memory_gb"] < rows[0]["memory_gb"] and rows[2]["cost_usd"] < rows[0]["cost_usd"]
    sent = stub.requests[-1].function_responses()[0]["response"]["models"]
    assert [r["cost_usd"] for r in sent] == [r["cost_usd"] for r in rows]

    stub.reply_function_call(
        "estimate_run", {"base_model": "qwen2.5-7b", "method": "qlora", "device": "L4", "n_examples": 800}
    )
    stub.reply_text("On an L4 with QLoRA it is slower.")
    what_if = await send("what about QLoRA on an L4?")
    assert what_if["estimate"]["device"] == "L4" and what_if["estimate"]["request"]["method"] == "qlora"


async def test_tool_errors_are_relayed_to_the_model(stub: GeminiStub, send: Send) -> None:
    stub.reply_function_call("recommend_setup", {**FACTS, "gpu": "RTX 3060"})
    stub.reply_text("I don't know an RTX 3060; did you mean an RTX 4090?")
    answer = await send("support bot, 1000 examples, accuracy, RTX 3060")
    assert answer["mode"] == "gemini" and answer["recommendation"] is None
    [response] = stub.requests[-1].function_responses()
    assert response["response"]["error"] == "UnknownGPUError" and "RTX4090" in response["response"]["fix"]


async def test_inspect_dataset_reads_the_quality_report(stub: GeminiStub, send: Send, dataset: str) -> None:
    stub.reply_function_call("inspect_dataset", {})
    stub.reply_function_call("recommend_setup", {"task": "support replies", "priority": "cost", "gpu": "L4"})
    stub.reply_text("Your 60 tickets are clean; here is a cheap setup.")
    answer = await send("plan a cheap fine-tune on L4 for my tickets", dataset_version=dataset)
    summary = stub.requests[1].function_responses()[0]["response"]
    assert (
        summary["ref"] == dataset and summary["rows"] == 60 and summary["token_lengths"]["total"]["mean"] > 0
    )
    # recommend_setup was given no size: the dataset's rows and exact token lengths were used
    request = answer["recommendation"]["estimate"]["request"]
    assert request["n_examples"] + request["n_eval_examples"] == 60
    assert request["avg_tokens_in"] == pytest.approx(summary["estimator_stats"]["avg_tokens_in"])
    assert "Selected dataset" in stub.requests[0].system_text()


async def test_unbacked_price_in_the_prose_is_flagged(
    stub: GeminiStub, send: Send, caplog: pytest.LogCaptureFixture
) -> None:
    stub.reply_function_call("recommend_setup", FACTS)
    stub.reply_text("This will cost about $123.45 and take a day.")
    with caplog.at_level(logging.WARNING, logger="vibeflow.agent"):
        answer = await send("support bot, 1000 examples, accuracy, A100 40GB")
    assert "$123.45" in answer["notice"] and "estimator" in answer["notice"]
    assert "prices no tool produced" in caplog.text


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        (lambda s: s.reply_error(429, "Resource has been exhausted"), "Gemini returned an error"),
        (lambda s: s.reply_error(500), "Gemini returned an error"),
        (lambda s: s.reply_text("slow", delay_s=5), "did not answer in time"),
        (lambda s: s.reply_raw("{this is not json"), "could not be used"),
        (lambda s: s.reply_function_call("format_disk", {"path": "/"}), "tool that does not exist"),
        (lambda s: [s.reply_function_call("list_gpus") for _ in range(8)], "kept calling tools"),
    ],
    ids=["429", "500", "timeout", "invalid-json", "unknown-tool", "endless-tools"],
)
async def test_failures_fall_back_to_offline(
    stub: GeminiStub,
    send: Send,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    script,
    reason: str,
) -> None:  # noqa: ANN001
    monkeypatch.setenv("VIBEFLOW_GEMINI_TIMEOUT_S", "1")
    script(stub)
    with caplog.at_level(logging.WARNING):
        answer = await send("support bot, 1000 examples, accuracy matters, A100 40GB")
    assert answer["mode"] == "offline" and reason in answer["notice"] and "same numbers" in answer["notice"]
    assert answer["recommendation"]["base_model"] == recommend(FACTS).base_model  # the user is never stuck
    assert "falls back to offline mode" in caplog.text


async def test_wrong_key_falls_back_and_the_key_is_never_stored(
    stub: GeminiStub,
    send: Send,
    monkeypatch: pytest.MonkeyPatch,
    agent_call,
    caplog: pytest.LogCaptureFixture,
) -> None:  # noqa: ANN001
    monkeypatch.setenv("GEMINI_API_KEY", "sk-wrong-secret")
    with caplog.at_level(logging.DEBUG):
        answer = await send("support bot, 1000 examples, accuracy matters, A100 40GB")
    assert answer["mode"] == "offline" and "API key not valid" in answer["notice"]
    stored = await agent_call("conversation", "default")
    assert "sk-wrong-secret" not in str(stored) and "sk-wrong-secret" not in caplog.text


async def test_let_ai_pick_always_ends_with_a_recommendation(stub: GeminiStub, agent_call) -> None:  # noqa: ANN001
    stub.reply_function_call("recommend_setup", {})  # Gemini leaves every argument to our defaults
    stub.reply_text("I picked a setup for a general assistant with 1,000 examples; tell me if that is wrong.")
    picked = await agent_call("pick", "default")
    assert picked["mode"] == "gemini" and picked["recommendation"] is not None
    assert "Let AI pick" in stub.requests[0].text()
    stub.reply_text(
        "What GPU do you have?"
    )  # Gemini asks instead of picking: the deterministic pick is added
    again = await agent_call("pick", "default")
    assert (
        again["mode"] == "gemini" and again["recommendation"] is not None and "I recommend" in again["reply"]
    )


async def test_a_turn_is_bounded_in_time(
    stub: GeminiStub, send: Send, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VIBEFLOW_GEMINI_TIMEOUT_S", "0.6")
    # each request answers within its 0.6 s timeout, but the turn as a whole takes longer than 3 x 0.6 s
    slow_call = Reply.function_calls([("list_gpus", {})])
    slow_call.delay_s = 0.5
    stub.responder = lambda req: slow_call
    answer = await send("support bot, 1000 examples, accuracy matters, A100 40GB")
    assert answer["mode"] == "offline" and "did not answer in time" in answer["notice"]
