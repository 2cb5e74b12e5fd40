"""Benchmark of the language server on a 100K-line JSONL dataset, driven by a raw JSON-RPC client over stdio.

Reproduce:

    .venv/bin/python bench/bench_lsp.py                 # 100K lines, 200 edits, 5 cold starts
    .venv/bin/python bench/bench_lsp.py --lines 20000   # quicker

Measures, against `python -m vibeflow lsp` exactly as the editor starts it:

- cold start: process spawn -> `initialize` answered (with the HTTP API, the default, and with --no-http);
- open: `didOpen` of the whole file written -> first `publishDiagnostics` for it (row checks: JSON, missing
  fields, duplicates), and -> the background PII / over-context pass finished ($/progress end);
- edits: 200 single-line edits (each one breaks, duplicates or repairs a random line) -> the
  `publishDiagnostics` carrying that document version; p50 / p95 / max. Includes the 15 ms debounce.

The client is a minimal framed-JSON reader (no pygls) so its own parsing does not inflate the figures.
Writes bench/results/lsp.json and prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORDS = [
    "account",
    "access",
    "add",
    "address",
    "after",
    "again",
    "answer",
    "app",
    "area",
    "ask",
    "back",
    "bank",
    "before",
    "bill",
    "book",
    "box",
    "build",
    "business",
    "buy",
    "call",
    "cancel",
    "card",
    "care",
    "case",
    "change",
    "charge",
    "check",
    "choose",
    "city",
    "close",
    "code",
    "company",
    "computer",
    "confirm",
    "contact",
    "cost",
    "customer",
    "data",
    "date",
    "day",
    "delete",
    "delivery",
    "detail",
    "device",
    "download",
    "email",
    "error",
    "example",
    "fast",
    "file",
    "find",
    "first",
    "fix",
    "form",
    "free",
    "help",
    "home",
    "hour",
    "how",
    "important",
    "information",
    "install",
    "invoice",
    "issue",
    "item",
    "keep",
    "know",
    "last",
    "learn",
    "link",
    "list",
    "login",
    "long",
    "lost",
    "make",
    "manage",
    "message",
    "method",
    "minute",
    "missing",
    "money",
    "month",
    "move",
    "name",
    "need",
    "network",
    "new",
    "next",
    "number",
    "offer",
    "office",
    "online",
    "open",
    "option",
    "order",
    "page",
    "password",
    "pay",
    "people",
    "phone",
    "place",
    "plan",
    "please",
    "policy",
    "price",
    "problem",
    "product",
    "profile",
    "purchase",
    "question",
    "quick",
    "reason",
    "receive",
    "refund",
    "remove",
    "renew",
    "reply",
    "report",
    "request",
    "reset",
    "return",
]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_dataset(path: Path, lines: int, seed: int = 7) -> dict[str, int]:
    """Realistic support rows (~500 bytes) with ~1% duplicates, 0.1% broken JSON, 0.3% PII, 0.2% missing."""
    rng = random.Random(seed)
    stats = {"duplicates": 0, "invalid": 0, "pii": 0, "missing": 0}
    rows: list[str] = []
    for i in range(lines):
        roll = rng.random()
        if roll < 0.01 and rows:
            rows.append(rows[rng.randrange(len(rows))])
            stats["duplicates"] += 1
            continue
        record: dict[str, Any] = {
            "instruction": sentence(rng, rng.randint(8, 20)),
            "response": " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(4)),
        }
        if roll < 0.011:
            rows.append(json.dumps(record)[:-10])
            stats["invalid"] += 1
            continue
        if roll < 0.014:
            record["response"] += f" Contact user{i}@example.com for details."
            stats["pii"] += 1
        elif roll < 0.016:
            del record["response"]
            stats["missing"] += 1
        rows.append(json.dumps(record))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return stats


class Client:
    """Framed JSON-RPC over the server's stdio; a reader thread timestamps every message on arrival."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, VIBEFLOW_HOME=tempfile.mkdtemp(prefix="vf-bench-home-"), VIBEFLOW_CUDA="0")
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vibeflow", "lsp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            bufsize=0,
        )
        self.inbox: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = b""
            while len(body) < length:
                body += out.read(length - len(body))
            self.inbox.put((time.perf_counter(), json.loads(body)))

    @staticmethod
    def frame(message: dict[str, Any]) -> bytes:
        body = json.dumps(message).encode()
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    def write(self, data: bytes) -> float:
        started = time.perf_counter()
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        return started

    def request(self, method: str, params: Any) -> int:
        self.next_id += 1
        self.write(self.frame({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}))
        return self.next_id

    def notify(self, method: str, params: Any) -> float:
        return self.write(self.frame({"jsonrpc": "2.0", "method": method, "params": params}))

    def wait(self, match: Any, timeout: float = 60.0) -> tuple[float, dict[str, Any]]:
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no matching message from the server")
            at, message = self.inbox.get(timeout=left)
            if message.get("method") == "window/workDoneProgress/create":
                self.write(self.frame({"jsonrpc": "2.0", "id": message["id"], "result": None}))
            if match(message):
                return at, message

    def initialize(self) -> float:
        rid = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": None,
                "capabilities": {"window": {"workDoneProgress": True}},
            },
        )
        at, _ = self.wait(lambda m: m.get("id") == rid)
        self.notify("initialized", {})
        return at - self.started

    def close(self) -> None:
        try:
            rid = self.request("shutdown", None)
            self.wait(lambda m: m.get("id") == rid, 10)
            self.notify("exit", None)
            self.proc.wait(10)
        except Exception:  # noqa: BLE001 - best effort
            self.proc.kill()


def cold_starts(runs: int, *args: str) -> list[float]:
    times = []
    for _ in range(runs):
        client = Client(*args)
        times.append(client.initialize())
        client.close()
    return times


def diagnostics_for(uri: str, version: int) -> Any:
    def match(message: dict[str, Any]) -> bool:
        params = message.get("params") or {}
        return (
            message.get("method") == "textDocument/publishDiagnostics"
            and params.get("uri") == uri
            and params.get("version") == version
        )

    return match


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(lines: int, edits: int, starts: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="vf-bench-lsp-"))
    data = work / "train.jsonl"
    injected = make_dataset(data, lines)
    text = data.read_text(encoding="utf-8")
    uri = data.as_uri()
    with_http = cold_starts(starts)
    lsp_only = cold_starts(starts, "--no-http")

    client = Client("--no-http")
    client.initialize()
    open_frame = Client.frame(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "jsonl", "version": 1, "text": text}},
        }
    )
    sent = client.write(open_frame)
    at, first = client.wait(diagnostics_for(uri, 1))
    first_s = at - sent
    first_count = len(first["params"]["diagnostics"])
    done_at, _ = client.wait(
        lambda m: m.get("method") == "$/progress" and m["params"]["value"].get("kind") == "end", 120
    )
    full_s = done_at - sent

    rng = random.Random(11)
    doc = text.split("\n")
    latencies: list[float] = []
    for version in range(2, edits + 2):
        line = rng.randrange(len(doc) - 1)
        kind = version % 3
        new = (
            doc[rng.randrange(len(doc) - 1)]
            if kind == 0
            else doc[line][:-3]
            if kind == 1
            else json.dumps({"instruction": f"edited {version}", "response": f"fresh answer {version}"})
        )
        change = {
            "range": {
                "start": {"line": line, "character": 0},
                "end": {"line": line, "character": len(doc[line])},
            },
            "text": new,
        }
        doc[line] = new
        sent = client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
        )
        at, _ = client.wait(diagnostics_for(uri, version))
        latencies.append(at - sent)
    client.close()
    return {
        "lines": lines,
        "bytes": len(text.encode()),
        "injected": injected,
        "edits": edits,
        "cold_start_initialize_s": {"with_http": with_http, "lsp_only": lsp_only},
        "first_diagnostics_s": first_s,
        "first_diagnostics_count": first_count,
        "all_checks_s": full_s,
        "edit_latency_ms": {
            "p50": 1000 * statistics.median(latencies),
            "p95": 1000 * percentile(latencies, 0.95),
            "max": 1000 * max(latencies),
            "mean": 1000 * statistics.fmean(latencies),
        },
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
    }


def table(r: dict[str, Any]) -> str:
    cs = r["cold_start_initialize_s"]
    e = r["edit_latency_ms"]
    rows = [
        (
            "cold start -> initialize answered (with HTTP API)",
            f"median {statistics.median(cs['with_http']):.2f} s, max {max(cs['with_http']):.2f} s",
            "<= 1.5 s",
        ),
        (
            "cold start -> initialize answered (--no-http)",
            f"median {statistics.median(cs['lsp_only']):.2f} s",
            "",
        ),
        (
            f"didOpen ({r['lines']:,} lines, {r['bytes'] / 1e6:.0f} MB) -> first diagnostics",
            f"{r['first_diagnostics_s']:.2f} s ({r['first_diagnostics_count']} shown)",
            "<= 1 s",
        ),
        ("didOpen -> PII / over-context pass done", f"{r['all_checks_s']:.2f} s", "background"),
        (
            f"one-line edit -> diagnostics ({r['edits']} edits)",
            f"p50 {e['p50']:.1f} ms, p95 {e['p95']:.1f} ms, max {e['max']:.1f} ms",
            "p95 <= 50 ms",
        ),
    ]
    out = ["| measure | result | target |", "| --- | --- | --- |"]
    out += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results/lsp.json")
    args = parser.parse_args()
    result = run(args.lines, args.edits, args.starts)
    print(table(result))
    print(
        f"\nReproduce: .venv/bin/python bench/bench_lsp.py --lines {args.lines} --edits {args.edits} "
        f"--starts {args.starts}"
    )
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "lsp.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
