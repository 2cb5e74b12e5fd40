"""Allows `python -m vibeflow_trainer ...`."""

from vibeflow_trainer.cli import entrypoint

entrypoint()
