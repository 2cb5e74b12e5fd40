"""Plain-text rendering of estimates, recommendations and catalogs (terminal output and editor hovers)."""

from __future__ import annotations

from vibeflow.recommend.catalog import GPUSpec, ModelSpec
from vibeflow.recommend.schemas import Estimate, Recommendation
from vibeflow.recommend.timing import human

RULE = "━" * 64


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def render_estimate(est: Estimate) -> str:
    t, c, m = est.time, est.cost, est.memory
    fit = next((f for f in m.fits if f.device == est.device), None)
    lines = [
        f"Estimate — {est.model_name} · {est.request.method.upper()} · {est.device} ({est.target})",
        RULE,
        f"Work:     {est.workload.n_examples:,} examples x {est.workload.epochs:g} epochs = "
        f"{est.workload.steps:,} steps, {est.workload.tokens_total:,.0f} tokens",
        f"Memory:   {m.total_gb:.1f} GB peak — {fit.reason if fit else ''}",
        f"          weights {m.breakdown.weights_gb:.1f} · adapters {m.breakdown.lora_params_gb:.2f} · grads "
        f"{m.breakdown.gradients_gb:.2f} · optimizer {m.breakdown.optimizer_gb:.2f} · activations "
        f"{m.breakdown.activations_gb:.2f} · logits {m.breakdown.logits_gb:.2f} GB",
        f"Time:     {t.human} (range {human(t.low_s)}–{human(t.high_s)}) at ~{t.tokens_per_s:,.0f} tokens/s",
        f"          provisioning {human(t.breakdown.provisioning_s)} · startup {human(t.breakdown.startup_s)} · "
        f"training {human(t.breakdown.training_s)} · eval {human(t.breakdown.evaluation_s)} · checkpoints "
        f"{human(t.breakdown.checkpointing_s)}",
    ]
    chosen = c.chosen
    if chosen is None:
        lines.append("Cost:     unknown (no price for this GPU in the snapshot)")
    elif chosen.tier == "local":
        lines.append("Cost:     $0 — runs on your machine")
    else:
        lines.append(
            f"Cost:     {_usd(chosen.compute_usd)} {chosen.tier.replace('_', '-')} on {chosen.provider} "
            f"(range {_usd(chosen.low_usd)}–{_usd(chosen.high_usd)}) at {_usd(chosen.usd_per_gpu_hour)}/GPU-h"
        )
        for line in (c.spot, c.on_demand):
            if line and line is not chosen and line.tier != chosen.tier:
                lines.append(
                    f"          {line.tier.replace('_', '-')}: {_usd(line.compute_usd)} on {line.provider}"
                )
        lines.append(
            f"          + storage {c.storage_gb:.2f} GB ≈ {_usd(c.storage_usd_per_month)}/month; first month "
            f"{_usd(c.total_first_month_usd)}"
        )
        lines.append(f"Prices:   {c.price_snapshot}")
    lines.append(
        f"Confidence: {est.confidence.level} ({est.confidence.score:.2f}) — {'; '.join(est.confidence.reasons)}"
    )
    if est.tips:
        lines.append("Tips to reduce cost:")
        for tip in est.tips:
            saving = f"saves {_usd(tip.saving_usd)}" if tip.saving_usd > 0 else f"saves {human(tip.saving_s)}"
            lines.append(f"  • {tip.action} → {saving} ({tip.saving_pct:.0f}%) — {tip.tradeoff}")
    for warning in est.warnings:
        lines.append(f"⚠ {warning}")
    return "\n".join(lines)


def render_recommendation(rec: Recommendation) -> str:
    h = rec.hyperparameters
    lines = [
        "Recommended setup",
        RULE,
        f"Base model: {rec.model_name} ({rec.hf_id})",
        f"Method:     {rec.method.upper()}   Preset: {rec.preset}",
        f"Hardware:   {rec.device} ({rec.target}{', spot' if rec.spot else ''})",
        f"Settings:   lr {h.learning_rate:g} · epochs {h.num_epochs:g} · batch {h.batch_size} x {h.gradient_accumulation}"
        f" · seq {h.max_seq_length}" + (f" · rank {h.lora_r} (alpha {h.lora_alpha})" if h.lora_r else ""),
        "",
        "Why these settings?",
        *[f"  • {reason}" for reason in rec.reasons],
    ]
    if rec.alternatives:
        lines.append("Alternatives:")
        lines += [
            f"  • {a.label}: {a.note} — {_usd(a.cost_usd)}, {human(a.time_s)}" for a in rec.alternatives
        ]
    if rec.estimate.tips:
        lines.append("Tips to reduce cost:")
        lines += [
            f"  • {t.action} → saves {_usd(t.saving_usd) if t.saving_usd else human(t.saving_s)}"
            for t in rec.estimate.tips
        ]
    lines += [f"⚠ {w}" for w in rec.warnings]
    return "\n".join(lines)


def render_models(items: list[ModelSpec]) -> str:
    lines = [f"{'id':<20} {'params':>8} {'context':>8}  {'licence':<14} {'template':<8} good for", "-" * 96]
    for m in items:
        size = m.size_text
        tag = " (demo)" if m.demo else ""
        lines.append(
            f"{m.id:<20} {size:>8} {m.context_length:>8,}  {m.license:<14} {m.chat_template:<8} "
            f"{', '.join(m.good_for[:5])}{tag}"
        )
    return "\n".join(lines)


def render_gpus(items: list[GPUSpec]) -> str:
    lines = [
        f"{'id':<10} {'memory':>7} {'bf16':>5} {'TFLOPS':>7}  prices per GPU-hour (on-demand / spot, as of)",
        "-" * 96,
    ]
    for g in items:
        quotes = "; ".join(
            f"{q.provider} {(f'${q.on_demand:.2f}') if q.on_demand is not None else '-'} / "
            f"{(f'${q.spot:.2f}') if q.spot is not None else '-'} ({q.as_of})"
            for q in g.prices
        )
        lines.append(
            f"{g.id:<10} {g.memory_gb:>5g}GB {'yes' if g.bf16 else 'no':>5} {g.peak_tflops:>7g}  "
            f"{quotes or 'local: $0'}"
        )
    return "\n".join(lines)
