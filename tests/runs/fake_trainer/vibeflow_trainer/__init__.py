"""Scripted stand-in for the trainer package, put first on PYTHONPATH by tests that need fast, scripted runs."""
