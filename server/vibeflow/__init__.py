"""VibeFlow backend: data import and quality, recommendations, runs, evaluation, serving, LSP and HTTP API."""

__version__ = "0.1.0"
