"""The training recipe (`vibeflow.yaml`): its model, presets, YAML loading with line-accurate errors, and schema."""

from vibeflow.recipe.loader import RecipeError, load_recipe, parse_recipe
from vibeflow.recipe.model import Recipe
from vibeflow.recipe.presets import PRESETS, resolve_training

__all__ = ["PRESETS", "Recipe", "RecipeError", "load_recipe", "parse_recipe", "resolve_training"]
