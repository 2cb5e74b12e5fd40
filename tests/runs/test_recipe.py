"""vibeflow.yaml: errors name the line and the fix, presets match the product documents, schema stays current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.runs.conftest import run_cli

from vibeflow.recipe import PRESETS, RecipeError, parse_recipe, resolve_training
from vibeflow.recipe.loader import load_recipe, validate_text
from vibeflow.recipe.schema import SCHEMA_PATH, render_schema
from vibeflow.recipe.template import render_recipe

BROKEN = """\
name: support-bot
method: lora
data:
  path: data.csv
  fixes: [dedup_exact, polish]
training:
  learnig_rate: 2.0e-4
  batch_size: many
compute:
  target: moon
"""


def test_every_problem_is_located_with_a_fix() -> None:
    recipe, issues = validate_text(BROKEN)
    assert recipe is None
    by_field = {issue.field: issue for issue in issues}
    typo = by_field["training.learnig_rate"]
    assert typo.line == 7 and "unknown field" in typo.message and "did you mean 'learning_rate'" in typo.fix
    assert by_field["training.batch_size"].line == 8 and "integer" in by_field["training.batch_size"].message
    assert by_field["compute.target"].line == 10 and "'local'" in by_field["compute.target"].fix
    assert by_field["data.fixes.1"].line == 5 and "polish" in by_field["data.fixes.1"].message
    assert [i.line for i in issues] == sorted(i.line for i in issues)


def test_parse_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "vibeflow.yaml"
    path.write_text(BROKEN)
    with pytest.raises(RecipeError) as caught:
        load_recipe(path)
    error = caught.value
    assert error.file == str(path.resolve()) and error.line == 5 and error.fix
    assert f"{path.resolve()}:5" in str(error) and len(error.details["issues"]) == 4


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("name: x\ndata:\n  path: [a.csv\n", 4, "invalid YAML"),
        ("name: x\nname: y\ndata:\n  path: a.csv\n", 2, "set twice"),
        ("data:\n  path: a.csv\n", 1, "required field 'name'"),
        ("name: x\ndata:\n  path: a.csv\n  version: s@1\n", 2, "exactly one of data.path"),
        ("name: x\ndata:\n  path: a.csv\ntraining:\n  learning_rate: -1\n", 5, "greater than 0"),
        ("name: x\npreset: wild\ndata:\n  path: a.csv\n", 2, "'conservative', 'balanced' or 'aggressive'"),
        ("- a\n- b\n", 1, "mapping"),
    ],
)
def test_single_problems(text: str, line: int, needle: str) -> None:
    _, issues = validate_text(text)
    assert issues and issues[0].line == line and needle in issues[0].message, issues


def test_presets_follow_the_product_documents() -> None:
    expected = {"conservative": (8, 1e-4, 2), "balanced": (16, 2e-4, 3), "aggressive": (32, 3e-4, 4)}
    for name, (rank, lr, epochs) in expected.items():
        values = resolve_training(parse_recipe(f"name: x\npreset: {name}\ndata:\n  path: a.csv\n"))
        assert (values["lora_r"], values["learning_rate"], values["num_epochs"]) == (rank, lr, epochs)
        assert values["lora_alpha"] == 2 * rank and values["checkpoint_every"] == 100
        assert values["keep_checkpoints"] == 3
        assert values["batch_size"] * values["gradient_accumulation"] == 8
    assert set(PRESETS) == set(expected)


def test_overrides_win_and_keep_ratios() -> None:
    recipe = parse_recipe(
        "name: x\ndata:\n  version: s@1\ntraining:\n  learning_rate: 5.0e-5\n  lora:\n    r: 4\n"
    )
    values = resolve_training(recipe)
    assert values["learning_rate"] == 5e-5 and values["lora_r"] == 4 and values["lora_alpha"] == 8
    assert values["batch_size"] == 4  # still the balanced preset
    full = resolve_training(parse_recipe("name: x\nmethod: full\ndata:\n  path: a.csv\n"))
    assert full["learning_rate"] == 5e-5  # full fine-tuning uses a ~10x lower learning rate


def test_schema_file_is_up_to_date() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == render_schema(), (
        "regenerate with: python -m vibeflow.recipe.schema --write"
    )
    schema = json.loads(render_schema())
    assert schema["required"] == ["name", "data"] and schema["additionalProperties"] is False
    assert set(schema["properties"]) >= {
        "name",
        "base_model",
        "method",
        "preset",
        "data",
        "training",
        "compute",
    }


def test_starter_recipe_is_valid_for_every_preset() -> None:
    for preset in PRESETS:
        text = render_recipe("demo", preset, "data/train.csv")
        recipe = parse_recipe(text)
        assert recipe.preset == preset and recipe.data.path == "data/train.csv"
        assert f"#   r: {PRESETS[preset]['lora_r']}" in text  # preset values shown as comments


def test_init_writes_a_commented_recipe_and_never_overwrites(tmp_path: Path) -> None:
    data = tmp_path / "data" / "train.csv"
    data.parent.mkdir()
    data.write_text("question,answer\nhi,hello\n")
    first = run_cli("init", "--preset", "conservative", "--data", str(data), "--dir", str(tmp_path))
    assert first.returncode == 0, first.stderr
    written = tmp_path / "vibeflow.yaml"
    text = written.read_text()
    assert (
        "preset: conservative" in text
        and "path: data/train.csv" in text
        and "# learning_rate: 1.0e-4" in text
    )
    recipe, _ = load_recipe(tmp_path)
    assert recipe.name == tmp_path.name
    written.write_text(text + "# my edit\n")
    again = run_cli("init", "--dir", str(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr
    assert written.read_text().endswith("# my edit\n")


def test_cli_reports_recipe_errors_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "vibeflow.yaml").write_text(BROKEN)
    result = run_cli("train", str(tmp_path), "--json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "vibeflow.yaml:5" in result.stderr and "fix:" in result.stderr
    assert json.loads(result.stdout)["line"] == 5
    missing = run_cli("train", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "vibeflow init" in missing.stderr
