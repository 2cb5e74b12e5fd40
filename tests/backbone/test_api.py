"""HTTP API against a real `vibeflow serve` process: token guard, OpenAPI, and the data workflow end to end."""

from __future__ import annotations

from pathlib import Path

import httpx
from tests.conftest import EXAMPLES

KINDS = {
    "missing",
    "duplicate",
    "near_duplicate",
    "too_short",
    "too_long",
    "over_context",
    "length_imbalance",
    "encoding",
    "language_mismatch",
    "pii",
    "leakage",
    "size",
}


def test_token_required(server: tuple[str, str]) -> None:
    url, token = server
    assert httpx.get(f"{url}/openapi.json").status_code == 401
    assert httpx.get(f"{url}/api/datasets", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert httpx.get(f"{url}/api/health").json()["status"] == "ok"
    spec = httpx.get(f"{url}/openapi.json", headers={"Authorization": f"Bearer {token}"}).json()
    for path in (
        "/api/data/upload",
        "/api/data/import",
        "/api/data/report",
        "/api/datasets",
        "/api/datasets/versions/{ref}/fix",
        "/api/datasets/versions/{ref}/split",
        "/api/datasets/versions/{ref}/rows",
    ):
        assert path in spec["paths"], path


def test_upload_import_fix_split_rows(client: httpx.Client) -> None:
    source = EXAMPLES / "support.csv"
    before = source.read_bytes()
    with source.open("rb") as handle:
        uploaded = client.post("/api/data/upload", files={"file": ("support.csv", handle, "text/csv")}).json()
    assert Path(uploaded["path"]).read_bytes() == before

    imported = client.post("/api/data/import", json={"path": uploaded["path"], "name": "support"}).json()
    assert imported["ref"] == "support@1" and imported["operation"] == "import"
    report = imported["report"]
    assert 0 <= report["score"] <= 100 and report["rows"] == imported["rows"]
    found = {issue["kind"] for issue in report["issues"]}
    assert {"missing", "duplicate", "pii", "encoding"} <= found <= KINDS

    fixed = client.post(
        "/api/datasets/versions/support@1/fix", json={"ops": ["drop_missing", "dedup_exact"]}
    ).json()
    assert fixed["ref"] == "support@2" and fixed["parent_id"] == imported["id"]
    assert fixed["rows"] < imported["rows"]
    assert not {"missing", "duplicate"} & {i["kind"] for i in fixed["report"]["issues"]}

    split = client.post("/api/datasets/versions/support@2/split", json={"test": 0.2, "seed": 7}).json()
    assert split["train"]["rows"] + split["test"]["rows"] == fixed["rows"]
    assert split["train"]["role"] == "train" and split["test"]["role"] == "test"

    low = client.get("/api/datasets/versions/support@1/rows", params={"max_score": 60, "limit": 1000}).json()
    assert low["total"] > 0 and all(row["score"] <= 60 for row in low["rows"])
    page = client.get("/api/datasets/versions/support@1/rows", params={"offset": 0, "limit": 5}).json()
    assert [row["row"] for row in page["rows"]] == sorted(row["row"] for row in page["rows"])

    listed = client.get("/api/datasets").json()
    assert [v["ref"] for v in listed[0]["versions"]] == ["support@1", "support@2", "support@3", "support@4"]
    assert source.read_bytes() == before  # the user's file is never modified


def test_bad_input_is_a_clear_4xx(client: httpx.Client, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"prompt": "a", "completion": "b"}\n{not json\n')
    answer = client.post("/api/data/import", json={"path": str(broken)})
    assert 400 <= answer.status_code < 500
    body = answer.json()
    assert body["message"] and body["fix"] and "broken.jsonl" in (body["file"] or "")
    assert client.get("/api/datasets").json() == []  # nothing partially written

    missing = client.post("/api/data/report", json={"path": str(tmp_path / "nope.csv")})
    assert missing.status_code == 404 and "nope.csv" in missing.json()["message"]
    unknown = client.get("/api/datasets/versions/ghost@3")
    assert unknown.status_code == 404
