"""eval_loss during training scores a bounded, seeded sample of the held-out split, not all of it."""

from __future__ import annotations

from pathlib import Path

from tests.trainer.conftest import journal, of_type

from vibeflow_trainer.cli import main
from vibeflow_trainer.data import load_conversations
from vibeflow_trainer.engine import _bounded


def test_a_run_scores_at_most_eval_max_rows(make_spec, chat_data, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    spec = make_spec(eval_path=str(chat_data["eval"]), eval_max_rows=5, max_steps=2, checkpoint_every=2)
    assert main(["run", str(spec)]) == 0
    capsys.readouterr()
    events = journal(tmp_path / "out")
    training = next(e for e in of_type(events, "stage") if e["stage"] == "training")["detail"]
    assert (training["eval_rows"], training["eval_rows_held_out"]) == (5, 16)
    assert any("eval_loss" in e for e in of_type(events, "metrics"))


def test_the_sample_is_seeded_in_file_order_and_small_sets_pass_through(chat_data) -> None:  # noqa: ANN001
    evals = load_conversations(chat_data["eval"], "eval_path")
    first, again = _bounded(evals, 5, 7), _bounded(evals, 5, 7)
    assert first.conversations == again.conversations and len(first) == 5
    positions = [evals.conversations.index(c) for c in first.conversations]
    assert positions == sorted(positions)
    assert _bounded(evals, 100, 7) is evals
