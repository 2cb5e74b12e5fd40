"""Run management tests: recipe, store, queue, trainer process lifecycle, CLI and HTTP."""
