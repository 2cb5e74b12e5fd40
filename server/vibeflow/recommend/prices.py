"""Hook for live GPU prices: replaces the dated snapshot with SkyPilot's local catalog when one is configured.

SkyPilot keeps per-cloud price tables as CSV (`~/.sky/catalogs/<version>/<cloud>/vms.csv`, columns
InstanceType, AcceleratorName, AcceleratorCount, Price, SpotPrice, Region …). Point
`VIBEFLOW_SKYPILOT_CATALOG_DIR` at a catalog version folder (e.g. ~/.sky/catalogs/v7) and estimates use the
cheapest per-GPU price of each cloud instead of the snapshot. SkyPilot itself is never imported here.
"""

from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vibeflow.recommend.catalog import GPUSpec

ENV_DIR = "VIBEFLOW_SKYPILOT_CATALOG_DIR"
# SkyPilot accelerator names -> catalog GPU ids (A100 without memory is the 40 GB part).
SKY_NAMES = {
    "T4": "T4",
    "L4": "L4",
    "A10G": "A10G",
    "RTX4090": "RTX4090",
    "L40S": "L40S",
    "A100": "A100-40GB",
    "A100-80GB": "A100-80GB",
    "H100": "H100-80GB",
    "H200": "H200",
}


def _floats(row: dict[str, str], key: str) -> float | None:
    try:
        value = float(row.get(key) or "nan")
    except ValueError:
        return None
    return value if value == value and value > 0 else None


def read_skypilot_catalog(root: Path) -> dict[str, list[dict[str, object]]]:
    """Cheapest per-GPU on-demand and spot price of each cloud, keyed by catalog GPU id."""
    found: dict[str, list[dict[str, object]]] = {}
    for table in sorted(root.glob("*/vms.csv")):
        cloud = table.parent.name
        best: dict[str, dict[str, object]] = {}
        with table.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                gpu = SKY_NAMES.get((row.get("AcceleratorName") or "").strip())
                count = _floats(row, "AcceleratorCount")
                if not gpu or not count:
                    continue
                on_demand, spot = _floats(row, "Price"), _floats(row, "SpotPrice")
                entry = best.setdefault(
                    gpu,
                    {
                        "provider": cloud,
                        "on_demand": None,
                        "spot": None,
                        "source": f"SkyPilot catalog {table}",
                        "as_of": date.fromtimestamp(table.stat().st_mtime).isoformat(),
                    },
                )
                for key, price in (("on_demand", on_demand), ("spot", spot)):
                    if price is not None:
                        per_gpu = round(price / count, 4)
                        current = entry[key]
                        if current is None or per_gpu < float(current):  # type: ignore[arg-type]
                            entry[key] = per_gpu
        for gpu, entry in best.items():
            if entry["on_demand"] is not None or entry["spot"] is not None:
                found.setdefault(gpu, []).append(entry)
    return found


def apply_live_prices(devices: list[GPUSpec]) -> list[GPUSpec]:
    """The devices with prices from the configured SkyPilot catalog; unchanged when none is configured."""
    folder = os.environ.get(ENV_DIR)
    if not folder or not Path(folder).expanduser().is_dir():
        return devices
    from vibeflow.recommend.catalog import PriceQuote

    live = read_skypilot_catalog(Path(folder).expanduser())
    out = []
    for device in devices:
        quotes = live.get(device.id)
        if quotes:
            device = device.model_copy(update={"prices": [PriceQuote.model_validate(q) for q in quotes]})
        out.append(device)
    return out
