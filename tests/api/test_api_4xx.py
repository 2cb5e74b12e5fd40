"""Hostile request values are 4xx with the usual error body (`message` and `fix`), never a 500: recipe text
the YAML reader refuses (control characters), invalid recipe overrides, integers past SQLite's 64 bits in
any path, query or header parameter of the spec and in bodies, non-ASCII digits in references, and an upload
named `..`. In-process (TestClient), so the server's exceptions surface as 500s instead of being raised."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vibeflow.api.app import create_app

TOKEN = "test-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}
BIG = 2**63
HOSTILE_YAML = [
    "name: a\x01b\n",  # control character
    "name: ok\nbase_model: m\x7f\n",  # DEL
    "name: x\x00\n",  # NUL
    "\ufeffname: x\x1b[31m\n",  # BOM then an escape sequence pasted from a terminal
    "name: x\ufffe\n",  # a non-character
]
RECIPE = "name: x\nbase_model: vibeflow-demo-tiny\ndata:\n  path: x.csv\n"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from vibeflow.settings import Settings

    home = tmp_path_factory.mktemp("api-home")
    settings = Settings(home=home, database_url=f"sqlite+aiosqlite:///{home / 'vibeflow.db'}")
    app = create_app(settings, TOKEN)
    with TestClient(app, raise_server_exceptions=False, headers=HEADERS) as client:
        client.portal.call(_add_project, app.state.db)  # so key bodies reach the store
        yield client


async def _add_project(db: Any) -> None:
    from vibeflow.store.models import Project

    async with db.session() as session:
        session.add(Project(name="p"))
        await session.commit()


def _usual(answer: Any) -> dict[str, Any]:
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    body = answer.json()
    assert isinstance(body["message"], str) and body["message"] and isinstance(body["fix"], str), body
    return body


@pytest.mark.parametrize("text", HOSTILE_YAML)
def test_hostile_yaml_on_create_run_is_400(api: TestClient, text: str) -> None:
    body = _usual(api.post("/api/runs", json={"recipe": text, "start": False}))
    assert body["error"] == "RecipeError" and "YAML" in body["message"]


@pytest.mark.parametrize("text", HOSTILE_YAML)
def test_hostile_yaml_on_validate_is_an_issue(api: TestClient, text: str) -> None:
    """Validation answers invalid text with its issues (like any YAML syntax error), located on its line."""
    answer = api.post("/api/recipe/validate", json={"text": text})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["valid"] is False and "invalid YAML" in body["issues"][0]["message"]
    assert body["issues"][0]["line"] >= 1 and body["issues"][0]["fix"]


@pytest.mark.parametrize(
    "overrides",
    [{"training.max_steps": "abc"}, {"nonsense.field": 1}, {"training": 3}, {"method": "telepathy"}],
)
def test_invalid_overrides_are_400(api: TestClient, overrides: dict[str, Any]) -> None:
    body = _usual(api.post("/api/runs", json={"recipe": RECIPE, "overrides": overrides, "start": False}))
    assert body["error"] == "RecipeError"


@pytest.mark.parametrize("action", ["revoke", "rotate"])
@pytest.mark.parametrize("key_id", [str(BIG), str(10**30), "0", "-1", "abc", "1.5"])
def test_key_ids_out_of_range_are_4xx(api: TestClient, action: str, key_id: str) -> None:
    _usual(api.post(f"/api/keys/{key_id}/{action}"))


@pytest.mark.parametrize("ref", [str(BIG), str(10**30), "²", "١٢", "x@" + str(BIG), "x@²", "x@-1"])
@pytest.mark.parametrize("suffix", ["", "/report", "/rows"])
def test_version_references_out_of_range_are_4xx(api: TestClient, ref: str, suffix: str) -> None:
    _usual(api.get(f"/api/datasets/versions/{ref}{suffix}"))


def _integer_parameters(api: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    spec = api.get("/openapi.json").json()
    found = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                schema = param.get("schema", {})
                kinds = [schema, *schema.get("anyOf", [])]
                if any(kind.get("type") == "integer" for kind in kinds):
                    found.append((method, path, param))
    return found


def test_every_integer_parameter_refuses_2_to_the_63(api: TestClient) -> None:
    """The class, not the instances: every integer path/query/header parameter of the spec, sent 2**63."""
    cases = _integer_parameters(api)
    assert len(cases) >= 10
    failures = []
    for method, path, param in cases:
        url = path.replace("{" + param["name"] + "}", str(BIG)) if param["in"] == "path" else path
        url = url.replace("{", "").replace("}", "")  # other path parameters: any text
        kwargs: dict[str, Any] = {}
        if param["in"] == "query":
            kwargs["params"] = {param["name"]: str(BIG)}
        elif param["in"] == "header":
            kwargs["headers"] = {**HEADERS, param["name"]: str(BIG)}
        if method in ("post", "put", "patch"):
            kwargs["json"] = {}
        answer = api.request(method.upper(), url, **kwargs)
        if not 400 <= answer.status_code < 500 or "message" not in answer.json():
            failures.append((method, url, param["name"], answer.status_code, answer.text[:200]))
    assert not failures, failures


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/keys", {"project": "p", "rate_limit_per_minute": BIG}),
        ("/api/deployments/x/split", {"version_b": BIG, "weight_b": 0.5}),
        ("/api/deployments/x/split", {"version_b": 1, "weight_b": 0.5, "version_a": -BIG - 1}),
        ("/api/deployments/x/package", {"version": BIG}),
        ("/api/deployments", {"run": "r", "threads": BIG}),
        ("/api/data/report", {"path": "/nonexistent.csv", "context_length": BIG}),
        ("/api/datasets/versions/x/split", {"seed": BIG}),
        ("/api/evaluations", {"run_id": "r", "sample": BIG}),
        ("/api/runs/r/evaluate", {"max_new_tokens": BIG}),
    ],
)
def test_body_integers_past_64_bits_are_4xx(api: TestClient, path: str, body: dict[str, Any]) -> None:
    _usual(api.post(path, json=body))


@pytest.mark.parametrize("name", ["..", ".", "a/../../b.csv"])
def test_upload_named_dotdot_is_400(api: TestClient, name: str) -> None:
    _usual(api.post("/api/data/upload", files={"file": (name, b"a,b\n1,2\n", "text/csv")}))
