"""VibeFlow trainer: the job that fine-tunes a model from a run spec; never imports the server package."""

__version__ = "0.1.0"
