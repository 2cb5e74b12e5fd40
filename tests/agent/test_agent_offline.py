"""The offline agent (no key): templated clarifying questions, the deterministic recommendation, follow-ups,
clear answers for absurd inputs, "Let AI pick", and a conversation that survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.agent.conftest import Send

from vibeflow.recommend.recommender import recommend
from vibeflow.settings import load_settings
from vibeflow.store.db import open_database

pytestmark = pytest.mark.usefixtures("offline")


async def test_questions_in_order_then_recommendation(send: Send) -> None:
    first = await send("hello")
    assert first["mode"] == "offline" and "no Gemini API key" in first["notice"]
    assert (
        "What should the fine-tuned model do?" in first["reply"]
        and "Let AI pick" in first["suggested_replies"]
    )
    second = await send("A customer-support bot for our helpdesk")
    assert "How many training examples" in second["reply"]
    third = await send("about 1500")  # a bare number answers the data-size question
    assert "1,500 examples" in third["reply"] and "What matters most" in third["reply"]
    fourth = await send("Keep the cost low")
    assert "Which hardware?" in fourth["reply"]
    fifth = await send("I have an L40S")
    rec = fifth["recommendation"]
    expected = recommend(
        {
            "task": "A customer-support bot for our helpdesk",
            "n_examples": 1500,
            "priority": "cost",
            "gpu": "L40S",
        }
    )
    assert (rec["base_model"], rec["device"], rec["method"]) == (expected.base_model, "L40S", expected.method)
    # the text quotes the card's numbers, nothing else
    chosen = fifth["estimate"]["cost"]["chosen"]
    assert (
        f"${chosen['compute_usd']:,.2f}" in fifth["reply"]
        and fifth["estimate"]["time"]["human"] in fifth["reply"]
    )
    assert fifth["suggested_replies"] == [
        "Compare with other models",
        "Make it cheaper",
        "Why these settings?",
        "Create vibeflow.yaml",
    ]

    compared = await send("Compare with other models")
    assert 2 <= len(compared["comparison"]) <= 3 and compared["comparison"][0]["note"] == "recommended"
    why = await send("Why these settings?")
    assert why["reply"].startswith("Why these settings?") and rec["reasons"][0] in why["reply"]
    faster = await send("actually speed matters more, as fast as possible")
    assert (
        faster["recommendation"] is not None
        and faster["estimate"]["time"]["seconds"] <= fifth["estimate"]["time"]["seconds"]
    )


async def test_one_message_with_everything(send: Send) -> None:
    answer = await send("I want a customer-support bot, 1K examples, accuracy matters, I have an A100")
    rec = answer["recommendation"]
    assert rec["device"] == "A100-40GB"
    assert any("40 GB" in w for w in rec["warnings"])  # "A100" read as the 40 GB model, and said so


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("support bot, 0 examples, cheap, L40S", "nothing to train on"),
        ("support bot, 10^12 examples, fast, A100-80GB", "far beyond"),
        ("support bot, 500 examples, cheap, my RTX 3060 GPU", "unknown GPU 'RTX 3060'"),
        ("support bot, 500 examples, cheap, budget $0", "$0 cannot pay"),
    ],
    ids=["zero-examples", "1e12-examples", "unknown-gpu", "zero-budget"],
)
async def test_absurd_inputs_get_clear_answers(send: Send, message: str, expected: str) -> None:
    answer = await send(message)
    assert (
        answer["recommendation"] is None and expected in answer["reply"] and "What to do:" in answer["reply"]
    )
    assert answer["suggested_replies"]  # a way forward is always offered


async def test_empty_message_and_budget_recovery(send: Send) -> None:
    empty = await send("   ")
    assert (
        empty["reply"].startswith("Your message is empty")
        and "What should the fine-tuned model do?" in empty["reply"]
    )
    refused = await send("support bot, 500 examples, cheap, budget $0")
    assert "$0 cannot pay" in refused["reply"]
    local = await send("Train on this machine (CPU)")  # a free local run is fine with a $0 budget
    assert local["recommendation"]["device"] == "cpu" and local["recommendation"]["target"] == "local"


async def test_let_ai_pick_states_its_assumptions(agent_call) -> None:  # noqa: ANN001
    picked = await agent_call("pick", "default")
    assert picked["recommendation"] is not None and "Assumed" in picked["reply"]
    assert "data size: 1,000 examples" in picked["reply"]


async def test_history_is_persisted_per_project_and_reset_archives(
    send: Send, agent_call, vibeflow_home: Path
) -> None:  # noqa: ANN001
    await send("support bot, 1000 examples, accuracy, L40S", project="alpha")
    await send("an SQL assistant", project="beta")
    # a fresh database connection (as after a backend restart) sees the same conversation
    settings = load_settings()
    async with open_database(settings) as other, other.session() as session:
        from vibeflow.recommend.agent import BrainstormAgent

        alpha = await BrainstormAgent(session, settings).conversation("alpha")
    roles = [m["role"] for m in alpha["messages"]]
    assert roles == ["user", "assistant"] and alpha["messages"][1]["recommendation"]["device"] == "L40S"
    assert alpha["messages"][0]["created_at"] and alpha["messages"][1]["mode"] == "offline"
    beta = await agent_call("conversation", "beta")
    assert (
        beta["messages"][0]["content"] == "an SQL assistant" and beta["facts"]["task"] == "an SQL assistant"
    )

    reset = await agent_call("reset", "alpha")
    assert reset["archived_conversation_id"] == alpha["conversation_id"]
    fresh = await agent_call("conversation", "alpha")
    assert fresh["messages"] == [] and fresh["conversation_id"] != alpha["conversation_id"]
    again = await send("hello", project="alpha")  # facts were reset too: it asks for the task again
    assert "What should the fine-tuned model do?" in again["reply"]


async def test_compare_named_models_offline(send: Send) -> None:
    await send("customer support bot, 3000 examples, accuracy, A100-80GB")
    compared = await send("compare with llama 3b and gemma 2b")
    assert [r["base_model"] for r in compared["comparison"]][1:] == ["llama-3.2-3b", "gemma-2-2b"]
    assert "Llama 3.2 3B" in compared["reply"] and compared["recommendation"] is None
    unknown = await send("compare with acme/turbo-llm")  # nothing recognisable: the alternatives are compared
    assert len(unknown["comparison"]) >= 2
