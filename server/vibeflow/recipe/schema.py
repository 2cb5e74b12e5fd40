"""Generates the JSON Schema of `vibeflow.yaml` from the pydantic model; editors validate the recipe with it.

Regenerate after changing the model: `python -m vibeflow.recipe.schema --write` (a test fails when stale).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from vibeflow.recipe.model import Recipe

SCHEMA_PATH = Path(__file__).with_name("vibeflow.schema.json")
SCHEMA_ID = "https://vibeflow.dev/schemas/vibeflow.schema.json"


def recipe_schema() -> dict[str, Any]:
    schema = Recipe.model_json_schema()
    return {"$schema": schema.pop("$schema"), "$id": SCHEMA_ID, **schema}


def render_schema() -> str:
    return json.dumps(recipe_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {SCHEMA_PATH.name} (default: print it)")
    args = parser.parse_args(argv)
    if args.write:
        SCHEMA_PATH.write_text(render_schema(), encoding="utf-8")
        print(f"wrote {SCHEMA_PATH}")
    else:
        print(render_schema(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
