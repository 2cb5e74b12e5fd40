"""Typed errors of the recommender and estimator, each naming what is wrong and how to fix it."""

from __future__ import annotations

from vibeflow.errors import ConfigError, VibeFlowError


class InvalidRequestError(ConfigError):
    """An input to recommend/estimate is missing or impossible (0 examples, empty task, negative budget…)."""


class UnknownModelError(ConfigError):
    """The base model is not in the catalog, not a model folder, and its size cannot be inferred from its name."""


class ModelDirectoryError(UnknownModelError):
    """A base model folder cannot be sized: no config.json, unreadable, or missing the shape fields."""


class UnknownGPUError(ConfigError):
    """The GPU name matches nothing in the catalog."""


class NoFeasibleConfigError(VibeFlowError):
    """No model/method/hardware combination satisfies the constraints (memory, budget, device)."""


class BudgetExceededError(VibeFlowError):
    """Starting this run would exceed the monthly budget or the recipe's per-run limit."""

    def __post_init__(self) -> None:
        self.http_status = 409
        super().__post_init__()


class CalibrationError(VibeFlowError):
    """A local calibration run could not be made (trainer missing, failed, or produced no timings)."""
