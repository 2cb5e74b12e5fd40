"""The wire contract with the VS Code extension: custom notifications, requests and command ids, in one place.

docs/language-server.md documents every name here; the extension implements the commands (the server
never registers them, so VS Code does not route them back to us).
"""

from __future__ import annotations

from typing import Any, Literal

SERVER_NAME = "vibeflow"

# Server -> client notifications.
STATUS = "vibeflow/status"  # {state, message, detail?}: drives the extension's LanguageStatusItem
READY = "vibeflow/ready"  # {url, token, pid, version}: the HTTP API answers with this bearer token now

# Client -> server requests.
EXPLAIN_RECIPE = "vibeflow/explainRecipe"  # {uri} -> {values, advice[], estimate|null, datasetRows|null}

# Commands shown by CodeLens; arguments are always one JSON object (documented per command).
CMD_ESTIMATE = "vibeflow.estimate"  # {recipeUri, recipePath}
CMD_START_TRAINING = "vibeflow.startTraining"  # {recipeUri, recipePath}
CMD_EXPLAIN = "vibeflow.explainSettings"  # {recipeUri, recipePath}
CMD_QUALITY_REPORT = "vibeflow.openQualityReport"  # {recipeUri, recipePath, dataPath}
CMD_SHOW_PROBLEMS = "workbench.actions.view.problems"  # VS Code built-in, no arguments

COMMANDS = (CMD_ESTIMATE, CMD_START_TRAINING, CMD_EXPLAIN, CMD_QUALITY_REPORT)

State = Literal["starting", "ready", "busy", "error"]

DIAGNOSTIC_SOURCE = "vibeflow"


def status_payload(state: State, message: str, detail: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"state": state, "message": message}
    if detail:
        payload["detail"] = detail
    return payload


def experimental_capabilities(http: dict[str, Any] | None, version: str) -> dict[str, Any]:
    """What `initialize` returns under `capabilities.experimental.vibeflow`."""
    return {
        "vibeflow": {
            "version": version,
            "http": http,  # {url, token, pid, ready: false} once the socket is bound; null with --no-http
            "notifications": [STATUS, READY],
            "requests": [EXPLAIN_RECIPE],
            "commands": list(COMMANDS),
        }
    }
