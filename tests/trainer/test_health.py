"""Health rules on the metric stream: NaN and sustained divergence are fatal; the rest are one-off alerts."""

from __future__ import annotations

import pytest

from vibeflow_trainer.errors import DivergenceError
from vibeflow_trainer.health import DIVERGENCE_PATIENCE, PLATEAU_WINDOW, HealthMonitor


def test_nan_loss_or_grad_norm_is_fatal() -> None:
    with pytest.raises(DivergenceError, match="loss became nan at step 3"):
        HealthMonitor().observe_train(3, float("nan"), 1.0)
    with pytest.raises(DivergenceError, match="gradient norm became inf"):
        HealthMonitor().observe_train(3, 2.0, float("inf"))


def test_divergence_alerts_then_fails_after_patience() -> None:
    monitor = HealthMonitor()
    monitor.observe_train(1, 2.0, 1.0)
    alerts = monitor.observe_train(2, 50.0, 1.0)
    assert [a.kind for a in alerts] == ["divergence"]
    for step in range(3, 2 + DIVERGENCE_PATIENCE - 1):
        assert monitor.observe_train(step, 60.0, 1.0) == []  # each alert kind is raised once
    with pytest.raises(DivergenceError, match="diverged"):
        monitor.observe_train(99, 70.0, 1.0)


def test_small_absolute_rises_are_not_divergence() -> None:
    monitor = HealthMonitor()
    monitor.observe_train(1, 0.01, 1.0)
    for step in range(2, 20):
        assert monitor.observe_train(step, 0.2, 1.0) == []  # 20x but only 0.19 nats above


def test_plateau_and_overfitting_alerts() -> None:
    monitor = HealthMonitor()
    kinds = [a.kind for step in range(PLATEAU_WINDOW + 2) for a in monitor.observe_train(step, 1.0, 1.0)]
    assert kinds == ["plateau"]
    fitting = HealthMonitor()
    fitting.observe_train(1, 2.0, 1.0)
    assert fitting.observe_eval(1, 1.5) == []
    fitting.observe_train(2, 1.5, 1.0)
    assert fitting.observe_eval(2, 1.6) == []
    fitting.observe_train(3, 1.0, 1.0)
    assert [a.kind for a in fitting.observe_eval(3, 1.8)] == ["overfitting"]


def test_oom_risk_alert() -> None:
    monitor = HealthMonitor()
    assert monitor.observe_gpu(10_000, 80_000) == []
    assert [a.kind for a in monitor.observe_gpu(79_000, 80_000)] == ["oom_risk"]
