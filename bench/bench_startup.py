"""Cold-start benchmark: `vibeflow --help` and a served API against bare `python -c pass` and `import torch`.

Reproduce:

    .venv/bin/python bench/bench_startup.py            # 7 alternating repeats, medians reported
    .venv/bin/python bench/bench_startup.py --repeat 3

The language server's cold start shares this path, so it must not pay for torch. Ratios are taken against
the bare interpreter start measured in the same run (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

SERVE_PROBE = (
    "import asyncio\n"
    "from vibeflow.api.app import create_app\n"
    "from vibeflow.settings import load_settings\n"
    "app = create_app(load_settings(), 't')\n"
    "async def go():\n"
    "    async with app.router.lifespan_context(app):\n"
    "        pass\n"
    "asyncio.run(go())\n"
)

CASES = {
    "python -c pass (baseline)": [sys.executable, "-c", "pass"],
    "vibeflow --help": [sys.executable, "-m", "vibeflow", "--help"],
    "API app + store open": [sys.executable, "-c", SERVE_PROBE],
    "import torch (what we avoid)": [sys.executable, "-c", "import torch"],
}


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in CASES}
    for cmd in CASES.values():
        timed(cmd)  # warm the page cache once
    for _ in range(args.repeat):
        for name, cmd in CASES.items():
            samples[name].append(timed(cmd))
    base = statistics.median(samples["python -c pass (baseline)"])
    rows = {name: statistics.median(values) for name, values in samples.items()}
    print("| case | median s | × bare python |\n| --- | ---: | ---: |")
    for name, value in rows.items():
        print(f"| {name} | {value:.3f} | {value / base:.1f} |")
    out = Path(__file__).parent / "results" / "startup.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"medians_s": rows, "samples_s": samples}, indent=2))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
