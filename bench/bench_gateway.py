"""Measures the gateway's added latency: the same short completions sent straight to the CPU engine and through
the gateway (API key check, rate limit, A/B arm choice, metering, proxying), interleaved in random order per
pair so background load hits both alike. Target: ≤ 5 % added latency at p50 and p95.

    python bench/bench_gateway.py [--requests 200] [--max-tokens 16] [--warmup 10]

It builds a demo-base LoRA adapter with peft, registers it as a completed run in a throwaway VIBEFLOW_HOME,
starts `vibeflow serve` (gateway on its own port), deploys on the CPU engine and creates a key.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="pairs (direct + gateway) to time")
    parser.add_argument("--max-tokens", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1, help="CPU engine torch threads")
    parser.add_argument("--raw", help="write every latency (ms) as JSON to this file")
    args = parser.parse_args()

    from tests.serving.adapters import make_adapter
    from tests.serving.conftest import _register_runs, start_backend

    home = Path(tempfile.mkdtemp(prefix="vf-bench-gateway-"))
    os.environ["VIBEFLOW_HOME"] = str(home)
    adapter = make_adapter(home / "adapter")
    runs = asyncio.run(_register_runs(home, {"a": adapter}))
    proc, url, token = start_backend(home)
    try:
        api = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=600)
        dep = api.post(
            "/api/deployments",
            json={
                "run": runs["a"],
                "engine": "cpu",
                "name": "bench",
                "create_key": True,
                "threads": args.threads,
            },
        )
        dep.raise_for_status()
        info = dep.json()
        api.post(
            "/api/keys/{}/revoke".format(info["api_key"]["id"])
        )  # default limit is 100/min: use a roomy key
        key = api.post("/api/keys", json={"deployment": "bench", "rate_limit_per_minute": 1_000_000}).json()[
            "key"
        ]
        engine_url, gateway_url = info["engine_url"], info["endpoint"].removesuffix("/v1")
        body = {"prompt": "Where is my order?", "max_tokens": args.max_tokens, "temperature": 0}
        direct = httpx.Client(base_url=engine_url, timeout=60)
        gateway = httpx.Client(base_url=gateway_url, headers={"Authorization": f"Bearer {key}"}, timeout=60)

        def call(client: httpx.Client, model: str) -> float:
            started = time.perf_counter()
            answer = client.post("/v1/completions", json={**body, "model": model})
            elapsed = (time.perf_counter() - started) * 1000
            answer.raise_for_status()
            return elapsed

        for _ in range(args.warmup):
            call(direct, "bench-v1")
            call(gateway, "bench")
        times: dict[str, list[float]] = {"direct": [], "gateway": []}
        rng = random.Random(0)
        for _ in range(args.requests):
            order = [("direct", direct, "bench-v1"), ("gateway", gateway, "bench")]
            rng.shuffle(order)
            for label, client, model in order:
                times[label].append(call(client, model))
        usage = api.get("/api/deployments/bench/usage").json()["total"]
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    result = {
        "requests": args.requests,
        "max_tokens": args.max_tokens,
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_avg_1m": os.getloadavg()[0],
    }
    for label, values in times.items():
        result[label] = {
            "p50_ms": round(pct(values, 50), 2),
            "p95_ms": round(pct(values, 95), 2),
            "mean_ms": round(statistics.fmean(values), 2),
        }
    for q in ("p50", "p95"):
        base, through = result["direct"][f"{q}_ms"], result["gateway"][f"{q}_ms"]
        result[f"added_{q}_pct"] = round(100 * (through - base) / base, 2)
        result[f"added_{q}_ms"] = round(through - base, 2)
    pairs = [g - d for d, g in zip(times["direct"], times["gateway"], strict=True)]
    result["paired_added_ms"] = {"p50": round(pct(pairs, 50), 2), "p95": round(pct(pairs, 95), 2)}
    result["pass"] = result["added_p50_pct"] <= 5 and result["added_p95_pct"] <= 5
    if args.raw:
        Path(args.raw).write_text(json.dumps(times))
    result["gateway_metered_requests"] = usage["requests"]
    print(json.dumps(result, indent=2))
    return 0 if result["pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
