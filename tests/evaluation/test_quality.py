"""Overall score formula, quality gate, hints (each naming an action), forgetting verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vibeflow.evaluation import quality
from vibeflow.evaluation.scoring import forgetting_check, retention_verdict


def test_overall_score_follows_the_documented_weights() -> None:
    parts = quality.components({"token_f1": 0.5, "length_appropriateness": 1.0}, judge_mean=4.0)
    assert parts == {"accuracy": 50.0, "judge": 75.0, "length": 100.0}
    assert quality.overall_score(parts) == pytest.approx(0.4 * 50 + 0.4 * 75 + 0.2 * 100)
    no_judge = quality.components({"token_f1": 0.5, "length_appropriateness": 1.0}, judge_mean=None)
    assert quality.overall_score(no_judge) == pytest.approx((0.4 * 50 + 0.2 * 100) / 0.6, abs=0.05)


@pytest.mark.parametrize(
    ("score", "gate"),
    [(100, "ready"), (70.1, "ready"), (70, "review"), (50, "review"), (49.9, "retrain"), (0, "retrain")],
)
def test_quality_gate_bands(score: float, gate: str) -> None:
    assert quality.gate(score) == gate


def _scores(base: float, tuned: float, length_alert: str | None = None) -> dict:
    return {
        "base": {"overall": base, "components": {"accuracy": base}, "length_alert": None},
        "tuned": {"overall": tuned, "components": {"accuracy": tuned}, "length_alert": length_alert},
    }


def test_hints_below_expectations_cover_data_size_hyperparameters_and_model_with_actions() -> None:
    context = {
        "run_id": "bot-1",
        "train_rows": 240,
        "data_score": 62.0,
        "train_version": "support@3",
        "steps": 30,
        "num_epochs": 1,
        "loss": 1.0,
        "eval_loss": 1.1,
        "base_model": "Qwen/Qwen2.5-0.5B-Instruct",
        "base_is_demo": False,
    }
    hints = quality.hints(context, _scores(40, 55, length_alert="too_long"))
    kinds = [h["kind"] for h in hints]
    assert {"data_quality", "data_size", "hyperparameters", "model_size", "length"} <= set(kinds)
    by_kind = {h["kind"]: h for h in hints}
    assert "62/100" in by_kind["data_quality"]["detail"]
    assert by_kind["data_quality"]["action"]["command"] == "vibeflow data report support@3"
    assert "240" in by_kind["data_size"]["title"]
    assert "30 steps" in by_kind["hyperparameters"]["detail"]
    assert by_kind["hyperparameters"]["action"]["command"].startswith(
        "vibeflow runs retry bot-1 --set training.num_epochs="
    )
    assert by_kind["model_size"]["action"]["command"].startswith("vibeflow recommend")
    capped = quality.hints({**context, "max_steps": 30}, _scores(40, 55))
    assert next(h for h in capped if h["kind"] == "hyperparameters")["action"]["command"].endswith(
        "max_steps=120"
    )
    assert all(h["action"]["label"] and h["action"]["command"] for h in hints)


def test_overfitting_and_demo_base_hints() -> None:
    context = {
        "run_id": "r",
        "steps": 500,
        "num_epochs": 3,
        "loss": 0.5,
        "eval_loss": 1.5,
        "base_is_demo": True,
    }
    hints = quality.hints(context, _scores(10, 20))
    assert hints[0]["kind"] == "model_size" and "random weights" in hints[0]["title"]
    hyper = next(h for h in hints if h["kind"] == "hyperparameters")
    assert "overfitting" in hyper["detail"] and hyper["action"]["command"].endswith("num_epochs=2")


def test_a_good_model_gets_no_below_expectation_hints() -> None:
    assert quality.hints({"run_id": "r", "train_rows": 50}, _scores(40, 85)) == []


def test_forgetting_alert_below_95_percent_retention() -> None:
    alert = retention_verdict(base=0.8, tuned=0.7, chance=0.25, questions=42)
    assert (
        alert["status"] == "alert" and alert["alert"] is True and alert["retention"] == pytest.approx(0.875)
    )
    assert "87%" in alert["note"] or "88%" in alert["note"]
    ok = retention_verdict(base=0.8, tuned=0.78, chance=0.25, questions=42)
    assert ok["status"] == "ok" and not ok["alert"]
    at_chance = retention_verdict(base=0.3, tuned=0.1, chance=0.25, questions=42)
    assert at_chance["status"] == "inconclusive" and not at_chance["alert"]


def test_forgetting_check_reads_the_quiz_scores(tmp_path: Path) -> None:
    """Base picks the right choice on 9 of 10 questions, tuned on 6: retention 67% → alert (and a hint)."""
    questions = [{"id": f"q{i}", "topic": "t", "answer": i % 4} for i in range(10)]

    def scores(right: int) -> list[list[float]]:
        rows = []
        for i, q in enumerate(questions):
            row = [-3.0, -3.0, -3.0, -3.0]
            row[q["answer"] if i < right else (q["answer"] + 1) % 4] = -1.0
            rows.append(row)
        return rows

    (tmp_path / "forgetting.json").write_text(
        json.dumps({"questions": questions, "choice_scores": {"base": scores(9), "tuned": scores(6)}})
    )
    verdict = forgetting_check(tmp_path)
    assert verdict["base_accuracy"] == 0.9 and verdict["tuned_accuracy"] == 0.6 and verdict["alert"]
    hints = quality.hints({"run_id": "r", "forgetting": verdict}, _scores(80, 85))
    assert [h["kind"] for h in hints] == ["forgetting"]
    assert forgetting_check(tmp_path / "missing")["status"] == "skipped"
