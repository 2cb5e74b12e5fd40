"""Server options from `initializationOptions` (all optional), with defaults tuned for 100K-line datasets."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any


@dataclass
class Options:
    """Tunables; the extension may send any of these (camelCase) in `initializationOptions`."""

    max_diagnostics: int = 1000  # per file; a first Information diagnostic says how many were left out
    progress_min_lines: int = 5000  # datasets at least this long report $/progress and a busy status
    debounce_ms: int = 15  # trailing delay before re-publishing a dataset's diagnostics after an edit
    recipe_debounce_ms: int = 60  # the same for vibeflow.yaml
    basic_chunk: int = 20000  # lines checked per event-loop turn when a dataset opens
    deep_chunk: int = 2000  # lines per turn of the background PII / length pass
    deep_checks: bool = True  # PII and over-context checks in the background

    @classmethod
    def from_client(cls, raw: Any) -> Options:
        options = cls()
        if not isinstance(raw, dict):
            return options
        for field in fields(cls):
            camel = "".join(part.capitalize() if i else part for i, part in enumerate(field.name.split("_")))
            value = raw.get(camel, raw.get(field.name))
            default = getattr(options, field.name)
            if isinstance(default, bool):
                valid = isinstance(value, bool)
            else:
                valid = isinstance(value, int) and not isinstance(value, bool) and value >= 0
            if valid:
                setattr(options, field.name, value)
        return options
