"""Money: GPU-hours times the dated list price (spot and on-demand, with a range) plus storage."""

from __future__ import annotations

from datetime import date

from vibeflow.recommend.catalog import GPUSpec, PriceQuote, price_age_days, storage_rate
from vibeflow.recommend.schemas import CostEstimate, PriceLine, TimeEstimate

SPOT_EXPECTED_OVERHEAD = 0.10  # recoveries from checkpoints after preemptions (10–30 % interruption odds)
SPOT_WORST_OVERHEAD = 0.30
STALE_DAYS = 90


def _cheapest(quotes: list[PriceQuote], tier: str) -> PriceQuote | None:
    priced = [q for q in quotes if getattr(q, tier) is not None]
    return min(priced, key=lambda q: (getattr(q, tier), q.provider)) if priced else None


def _line(tier: str, quote: PriceQuote, time: TimeEstimate, gpus: int) -> PriceLine:
    price = float(getattr(quote, tier))
    hours, low_h, high_h = time.seconds / 3600, time.low_s / 3600, time.high_s / 3600
    if tier == "spot":
        hours *= 1 + SPOT_EXPECTED_OVERHEAD
        high_h *= 1 + SPOT_WORST_OVERHEAD
    rate = price * gpus
    return PriceLine(
        tier="on_demand" if tier == "on_demand" else "spot",
        provider=quote.provider,
        usd_per_gpu_hour=price,
        compute_usd=round(hours * rate, 2),
        low_usd=round(low_h * rate, 2),
        high_usd=round(high_h * rate, 2),
        source=quote.source,
        as_of=quote.as_of,
    )


def snapshot_text(line: PriceLine | None, today: date | None = None) -> tuple[str, int | None]:
    if line is None or line.tier == "local":
        return "local run: no hourly price (your own hardware; electricity not counted)", None
    age = price_age_days(line.as_of, today)
    aged = f"{age} days old" if age is not None else "age unknown"
    stale = " — may be out of date, check the provider" if age is not None and age > STALE_DAYS else ""
    return (
        f"{line.provider} list price snapshot as of {line.as_of} ({aged}){stale}; live prices will come "
        "from the SkyPilot catalog",
        age,
    )


def cost_estimate(
    device: GPUSpec,
    cloud: bool,
    spot: bool,
    provider: str | None,
    time: TimeEstimate,
    gpu_count: int,
    storage_gb: float,
) -> tuple[CostEstimate, list[str]]:
    """Cost lines for this device; warnings when no price is known for the requested tier or provider."""
    warnings: list[str] = []
    if not cloud:
        local = PriceLine(
            tier="local",
            provider="your machine",
            usd_per_gpu_hour=0.0,
            compute_usd=0.0,
            low_usd=0.0,
            high_usd=0.0,
            source="local hardware",
            as_of=date.today().isoformat(),
        )
        text, _ = snapshot_text(local)
        return CostEstimate(
            chosen=local,
            on_demand=None,
            spot=None,
            storage_gb=round(storage_gb, 3),
            storage_usd_per_month=0.0,
            total_first_month_usd=0.0,
            price_snapshot=text,
        ), warnings
    quotes = [q for q in device.prices if provider is None or q.provider.lower() == provider.lower()]
    if provider and not quotes:
        known = sorted({q.provider for q in device.prices})
        warnings.append(
            f"no {provider} price for {device.id} in the snapshot (known: {', '.join(known) or 'none'})"
        )
        quotes = list(device.prices)
    od_quote, spot_quote = _cheapest(quotes, "on_demand"), _cheapest(quotes, "spot")
    on_demand = _line("on_demand", od_quote, time, gpu_count) if od_quote else None
    spot_line = _line("spot", spot_quote, time, gpu_count) if spot_quote else None
    chosen = spot_line if spot and spot_line else on_demand
    if spot and not spot_line and on_demand:
        warnings.append(f"no spot price for {device.id} in the snapshot: priced at on-demand rates")
    if chosen is None:
        warnings.append(f"no price for {device.id} in the snapshot: cost unknown")
    rate = storage_rate().usd_per_gb_month
    storage_usd = round(storage_gb * rate, 2)
    text, age = snapshot_text(chosen)
    total = round((chosen.compute_usd if chosen else 0.0) + storage_usd, 2)
    return CostEstimate(
        chosen=chosen,
        on_demand=on_demand,
        spot=spot_line,
        storage_gb=round(storage_gb, 3),
        storage_usd_per_month=storage_usd,
        total_first_month_usd=total,
        price_snapshot=text,
        price_snapshot_age_days=age,
    ), warnings


def chosen_cost(estimate_cost: CostEstimate) -> float:
    return estimate_cost.chosen.compute_usd if estimate_cost.chosen else 0.0
