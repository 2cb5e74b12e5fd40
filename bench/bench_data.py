"""Benchmark of the data-quality engine against a plain `datasets` load + pandas dedup on a 1M-row file.

Reproduce (the file is generated once and reused):

    .venv/bin/python bench/bench_data.py            # 1M rows
    .venv/bin/python bench/bench_data.py --rows 100000

Each phase runs in a fresh spawned child process (same script run), so its wall time, CPU time and peak RSS
(sampled from /proc every 20 ms: total, anonymous and file-backed) are its own, imports included:

(a) baseline: `datasets.load_dataset("json")` + pandas `drop_duplicates` on (instruction, response);
(b) VibeFlow: the importer (`vibeflow.data.readers.load_source` when present, else `load_dataset("json")` plus
    a batched canonical map) + the full quality report (near duplicates, language, PII, encoding, ...) with the
    default (approximate) token counter.

The phases alternate `--repeat` times (default 3), each after waiting up to `--max-wait` s for the load average
to drop under `--quiet-load`, and the fastest run of each is compared (the machine may be shared). Writes
bench/results/data.json (every run included) and prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import random
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"

_VOCABULARY = (
    "the a an account access add address after again answer app are area ask at back bank be before bill "
    "book box bring build business buy call can cancel card care case change charge check choose city "
    "close code come company computer confirm contact cost could country customer data date day delete "
    "delivery detail device different do does download during each easy email end error even every "
    "example fast file find first fix follow for form free from get give go good great group guide have "
    "help here home hour how if important in information install into invoice issue it item just keep "
    "kind know last later learn let like line link list little live log long look lost make manage many "
    "may message method minute missing money month more most move much must my name need network never "
    "new next night no not notice now number of offer office often old on once one online only open "
    "option or order other our out over own page part password pay people phone place plan please point "
    "policy possible price problem process product profile provide purchase question quick quite reach "
    "read ready reason receive recent refund remove renew reply report request reset return right room "
    "run safe same save screen search second secure see send server service set setting share ship short "
    "should show sign simple since site size small so some soon speed start status step still stop store "
    "subscription support sure system take team tell than thank that their them then there these they "
    "thing think this time to today too track transfer try turn two under until update upgrade use user "
    "usually very via wait want warranty was way we web week well what when where which while who why "
    "will window with within without work would write wrong year yes you your"
)
WORDS = _VOCABULARY.split()

FOREIGN = {
    "fr": "Bonjour, je voudrais savoir comment réinitialiser mon mot de passe car je ne peux plus me connecter "
    "à mon compte depuis hier soir. Merci de votre aide, c'est très urgent pour moi.",
    "es": "Hola, quisiera saber cómo puedo cambiar la dirección de envío de mi pedido porque me mudé la "
    "semana pasada y todavía no he recibido el paquete. Muchas gracias por su ayuda.",
    "de": "Guten Tag, ich möchte wissen, wie ich mein Abonnement kündigen kann, weil ich den Dienst nicht "
    "mehr brauche und die Rechnung zu hoch ist. Vielen Dank für Ihre Hilfe.",
    "ru": "Здравствуйте, подскажите, пожалуйста, как вернуть деньги за заказ, который пришёл повреждённым. "
    "Я уже отправил фотографии, но ответа пока нет.",
    "zh": "你好，我想知道如何更改我的账户密码，因为我忘记了原来的密码，无法登录。请尽快帮我解决这个问题，谢谢。",
}

PII = (
    "you can reach me at jane.doe{n}@example.com any time",
    "call me back on +1 415 555 {n:04d} please",
    "my card is 4111 1111 1111 1111 and it was charged twice",
    "the key is AKIAIOSFODNN7EXAMPL{c} in the config",
)


# Planted defect -> the report issue that should find it. Counts differ a little by design: copies of rows
# that carry a defect carry it too, and a copy of a blank row is reported as missing, not duplicate.
PLANTED_AS = {
    "exact": "duplicate",
    "near": "near_duplicate",
    "missing": "missing",
    "pii": "pii",
    "mojibake": "encoding",
    "long": "too_long",
    "foreign": "language_mismatch",
    "short": "too_short",
}


def _sentence(rng: random.Random, n: int) -> str:
    words = rng.choices(WORDS, k=n)
    return " ".join(words).capitalize() + "."


def _text(rng: random.Random, lo: int, hi: int) -> str:
    n = rng.randint(lo, hi)
    parts = []
    while n > 0:
        k = min(n, rng.randint(6, 16))
        parts.append(_sentence(rng, k))
        n -= k
    return " ".join(parts)


def generate(path: Path, rows: int, seed: int = 7) -> dict[str, int]:
    """Write `rows` JSONL records {instruction, response} with planted defects; return the planted counts."""
    rng = random.Random(seed)
    planted = {k: 0 for k in ("exact", "near", "missing", "pii", "mojibake", "long", "foreign", "short")}
    history: list[tuple[str, str]] = []
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for i in range(rows):
            roll = rng.random()
            instruction = _text(rng, 12, 40)
            response = _text(rng, 30, 110)
            if history and roll < 0.02:
                instruction, response = history[rng.randrange(len(history))]
                if rng.random() < 0.5:
                    instruction = "  " + instruction.upper() + " "
                planted["exact"] += 1
            elif history and roll < 0.03:
                instruction, response = history[rng.randrange(len(history))]
                words = response.split() or ["empty"]
                words[rng.randrange(len(words))] = rng.choice(WORDS)
                response = " ".join(words)
                planted["near"] += 1
            elif roll < 0.04:
                if rng.random() < 0.5:
                    response = ""
                else:
                    instruction = "   "
                planted["missing"] += 1
            elif roll < 0.045:
                instruction += " " + rng.choice(PII).format(n=i % 10000, c=chr(65 + i % 26))
                planted["pii"] += 1
            elif roll < 0.048:
                response += " Le café est très naïve — voilà!".encode().decode("cp1252", errors="replace")
                planted["mojibake"] += 1
            elif roll < 0.05:
                response = _text(rng, 1200, 1600)
                planted["long"] += 1
            elif roll < 0.06:
                lang = rng.choice(sorted(FOREIGN))
                instruction = FOREIGN[lang] + f" ({i})"
                planted["foreign"] += 1
            elif roll < 0.07:
                instruction = " ".join(rng.choices(WORDS, k=3)) + "?"
                planted["short"] += 1
            if len(history) < 50000 and rng.random() < 0.1:
                history.append((instruction, response))
            out.write(json.dumps({"instruction": instruction, "response": response}, ensure_ascii=False))
            out.write("\n")
    tmp.replace(path)
    return planted


# ---- measurement ------------------------------------------------------------------------------------------------


class _Memory:
    """Samples this process's resident memory (total, anonymous, file-backed) every 20 ms; keeps the peaks."""

    def __init__(self) -> None:
        self.peak = {"rss": 0, "anon": 0, "file": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        fields = {"VmRSS:": "rss", "RssAnon:": "anon", "RssFile:": "file"}
        if not os.path.exists(
            "/proc/self/status"
        ):  # not Linux: peak RSS only, from getrusage (bytes on macOS)
            self.peak["rss"] = max(self.peak["rss"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
            return
        with open("/proc/self/status") as f:
            for line in f:
                key = fields.get(line.split(" ", 1)[0].split("\t", 1)[0])
                if key:
                    self.peak[key] = max(self.peak[key], int(line.split()[1]) * 1024)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def __enter__(self) -> _Memory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def _baseline(path: str, workdir: str) -> dict[str, Any]:
    import datasets

    datasets.disable_progress_bars()
    start = time.perf_counter()
    ds = datasets.load_dataset("json", data_files=path, split="train", cache_dir=os.path.join(workdir, "hf"))
    loaded = time.perf_counter()
    frame = ds.to_pandas()
    unique = frame.drop_duplicates(subset=["instruction", "response"])
    end = time.perf_counter()
    return {
        "rows": len(ds),
        "unique_rows": len(unique),
        "stages": {"load": loaded - start, "dedup": end - loaded},
    }


def _canonical_fallback(path: str, workdir: str):  # noqa: ANN202 - used only when vibeflow.data.readers is absent
    import datasets
    import pyarrow as pa
    import pyarrow.compute as pc

    from vibeflow.data.canonical import MESSAGE_TYPE

    raw = datasets.load_dataset("json", data_files=path, split="train", cache_dir=os.path.join(workdir, "hf"))

    def convert(batch: pa.Table) -> pa.Table:
        n = batch.num_rows
        inp = pc.fill_null(batch.column("instruction").combine_chunks(), "")
        out = pc.fill_null(batch.column("response").combine_chunks(), "")
        contents = pc.take(pa.concat_arrays([inp, out]), pa.array([j for i in range(n) for j in (i, n + i)]))
        roles = pa.array(["user", "assistant"] * n)
        messages = pa.ListArray.from_arrays(
            pa.array(range(0, 2 * n + 1, 2), pa.int32()),
            pa.StructArray.from_arrays([roles, contents], fields=list(MESSAGE_TYPE)),
        )
        return pa.table({"messages": messages, "input_text": inp, "output_text": out})

    ds = raw.with_format("arrow").map(
        convert, batched=True, batch_size=10_000, remove_columns=raw.column_names
    )
    ds = ds.with_format(None).add_column("row", list(range(1, len(ds) + 1)))
    return ds, "jsonl", {"input": "instruction", "output": "response"}


def _vibeflow(path: str, workdir: str, tokenizer: str | None) -> dict[str, Any]:
    os.environ["VIBEFLOW_HOME"] = os.path.join(workdir, "home")
    start = time.perf_counter()
    from vibeflow.data.quality.report import build_report
    from vibeflow.data.tokens import get_token_counter

    try:
        from vibeflow.data.readers import load_source
    except ImportError:
        load_source = None
    if load_source is not None:
        result = load_source(path)
        ds, fmt, mapping, importer = result.dataset, result.format, result.mapping.to_dict(), "load_source"
    else:
        ds, fmt, mapping = _canonical_fallback(path, workdir)
        importer = "datasets json + canonical map (fallback)"
    imported = time.perf_counter()
    report = build_report(ds, fmt=fmt, mapping=mapping, token_counter=get_token_counter(tokenizer))
    end = time.perf_counter()
    found = {i.kind: i.count for i in report.issues}
    return {
        "rows": report.rows,
        "importer": importer,
        "score": report.score,
        "issues": found,
        "near_duplicate_checks": report.checks["near_duplicate"],
        "languages": report.languages,
        "stages": {
            "import": imported - start,
            "report": end - imported,
            **{f"report/{k}": v for k, v in report.timings.items()},
        },
    }


def _child(phase: str, path: str, tokenizer: str | None, queue: Any) -> None:
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vf-bench-") as workdir, _Memory() as memory:
        start = time.perf_counter()
        out = _baseline(path, workdir) if phase == "a" else _vibeflow(path, workdir, tokenizer)
        out["wall_s"] = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["cpu_s"] = usage.ru_utime + usage.ru_stime
    out["load_before"] = load_before
    out["load_after"] = os.getloadavg()[0]
    out["peak_rss_bytes"] = memory.peak["rss"]
    out["peak_anon_bytes"] = memory.peak["anon"]
    out["peak_file_bytes"] = memory.peak["file"]
    out["ru_maxrss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put(out)


def wait_quiet(threshold: float, max_wait: float) -> float:
    """Wait (up to max_wait s) for the 1-minute load average to drop below threshold; returns it."""
    deadline = time.monotonic() + max_wait
    while threshold > 0 and os.getloadavg()[0] >= threshold and time.monotonic() < deadline:
        time.sleep(2)
    return os.getloadavg()[0]


def run_phase(phase: str, path: Path, tokenizer: str | None) -> dict[str, Any]:
    """Run one phase in a fresh spawned interpreter (clean memory, imports counted) and return its figures."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(phase, str(path), tokenizer, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def _gb(n: int) -> str:
    return f"{n / 2**30:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--regen", action="store_true", help="regenerate the input file")
    parser.add_argument(
        "--tokenizer", default=None, help="model/tokenizer for lengths (default: approximation)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternate a/b this many times, keep the fastest"
    )
    parser.add_argument(
        "--quiet-load", type=float, default=1.0, help="wait for a load average below this (0: off)"
    )
    parser.add_argument(
        "--max-wait", type=float, default=90.0, help="longest wait for a quiet machine, seconds"
    )
    args = parser.parse_args(argv)

    RESULTS.mkdir(parents=True, exist_ok=True)
    data = RESULTS / f"bench_{args.rows}.jsonl"
    planted_file = data.with_suffix(".planted.json")
    if args.regen or not data.exists() or not planted_file.exists():
        print(f"generating {data} ({args.rows:,} rows) ...", flush=True)
        planted_file.write_text(json.dumps(generate(data, args.rows, args.seed)))
    planted = json.loads(planted_file.read_text())

    runs: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
    for _ in range(args.repeat):
        for phase in ("a", "b"):
            wait_quiet(args.quiet_load, args.max_wait)
            runs[phase].append(run_phase(phase, data, args.tokenizer))
    a = min(runs["a"], key=lambda r: r["wall_s"])
    b = min(runs["b"], key=lambda r: r["wall_s"])
    ratio = b["wall_s"] / a["wall_s"]
    ok_time, ok_mem = ratio <= 2.0, b["peak_rss_bytes"] < 2 * 2**30
    command = f".venv/bin/python bench/bench_data.py --rows {args.rows}" + (
        f" --tokenizer {args.tokenizer}" if args.tokenizer else ""
    )
    result = {
        "rows": args.rows,
        "file_bytes": data.stat().st_size,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "planted": planted,
        "baseline": a,
        "vibeflow": b,
        "ratio": ratio,
        "cpu_ratio": b["cpu_s"] / a["cpu_s"],
        "target": {
            "ratio_max": 2.0,
            "peak_rss_max_bytes": 2 * 2**30,
            "time_ok": ok_time,
            "memory_ok": ok_mem,
        },
        "all_runs": runs,
        "command": command,
    }
    (RESULTS / "data.json").write_text(json.dumps(result, indent=2))

    print(
        f"\n## Data bench: {args.rows:,} rows, {data.stat().st_size / 2**20:.0f} MiB JSONL, {os.cpu_count()} CPUs\n"
    )
    print(
        "| phase | wall s | CPU s | peak RSS GiB | peak anon GiB | peak file-backed GiB | load avg before |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, r in (
        ("(a) datasets json load + pandas dedup", a),
        ("(b) VibeFlow import + full quality report", b),
    ):
        print(
            f"| {label} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {_gb(r['peak_rss_bytes'])} | "
            f"{_gb(r['peak_anon_bytes'])} | {_gb(r['peak_file_bytes'])} | {r['load_before']:.1f} |"
        )
    print(
        f"\nratio b/a = {ratio:.2f} wall (target <= 2.0: {'met' if ok_time else 'NOT met'}), "
        f"{b['cpu_s'] / a['cpu_s']:.2f} CPU; peak RSS of b {'<' if ok_mem else '>='} 2 GiB "
        f"({'met' if ok_mem else 'NOT met'}); fastest of {args.repeat} alternating run(s) of each phase"
    )
    if max(a["load_before"], b["load_before"]) > 0.5:
        print("note: other processes were using the CPUs (load average column); wall times are inflated")
    print("\n| stage of (b) | s |\n|---|---:|")
    for name, value in b["stages"].items():
        print(f"| {name} | {value:.2f} |")
    print("\n| planted defect | rows planted | report issue | rows reported |\n|---|---:|---|---:|")
    for name, count in planted.items():
        kind = PLANTED_AS[name]
        print(f"| {name} | {count:,} | {kind} | {b['issues'].get(kind, 0):,} |")
    others = {k: v for k, v in b["issues"].items() if k not in PLANTED_AS.values()}
    print("\nother issues reported: " + ", ".join(f"{k}={v:,}" for k, v in others.items()))
    print(f"\nreproduce: {command}\nresults: {RESULTS / 'data.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
