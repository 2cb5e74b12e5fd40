"""CLI subcommands for deployments."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this module's subcommands (none yet)."""
