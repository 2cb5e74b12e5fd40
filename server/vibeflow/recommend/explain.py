"""The "Why these settings?" lines: each choice of a recommendation explained with the estimator's numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vibeflow.recommend import rules
from vibeflow.recommend.catalog import CPU_ID
from vibeflow.recommend.schemas import Estimate, RecommendRequest
from vibeflow.recommend.timing import human

if TYPE_CHECKING:
    from vibeflow.recommend.recommender import Candidate


def _money(value: float) -> str:
    return f"${value:,.2f}"


def _method_line(best: Candidate, pool: list[Candidate]) -> str:
    same = [c for c in pool if c.model.id == best.model.id and c.device.id == best.device.id]
    gb = best.estimate.memory.total_gb
    where = best.device.id if best.device.cuda else "this machine's RAM"
    if best.method == "lora":
        text = (
            f"Method: LoRA — training a small adapter on the frozen {best.model.name} needs ~{gb:.1f} GB, "
            f"which fits {where} ({best.notes['fit']}). It trains only "
            f"{best.estimate.memory.trainable_params / 1e6:.1f}M parameters, near full fine-tuning quality"
        )
        if best.device.cuda:
            text += "; QLoRA would save memory you don't need and run slower"
        return text + "."
    if best.method == "qlora":
        lora = next((c for c in pool if c.model.id == best.model.id and c.method == "lora"), None)
        why = "LoRA in bf16 does not fit" if lora is None else "it is the cheapest way to fit this model"
        return (
            f"Method: QLoRA — {why} on {best.device.id}; loading the base in 4-bit brings it to ~{gb:.1f} GB. "
            "Expect about 95% of LoRA's quality and slower steps (weights are de-quantised on the fly)."
        )
    others = ", ".join(sorted({c.method for c in same if c.method != "full"})) or "adapters"
    return (
        f"Method: full fine-tuning — {best.estimate.workload.n_examples:,} examples is enough data to update "
        f"every weight (product rule: >100K examples); it needs ~{gb:.1f} GB on {where}. "
        f"{others.upper()} would be cheaper with a lower ceiling."
    )


def _hardware_line(best: Candidate, req: RecommendRequest, cloud: bool) -> str:
    est = best.estimate
    if req.gpu:
        if cloud:
            return (
                f"Hardware: {best.device.id} as you asked, priced as a cloud rental. If this GPU is in your own "
                "machine, set compute.target: local and the run costs $0."
            )
        return f"Hardware: {best.device.name} as you asked ({est.time.human} estimated)."
    if not cloud:
        return f"Hardware: this machine ({best.device.name}); no GPU rental cost."
    chosen = est.cost.chosen
    price = (
        f"{_money(chosen.usd_per_gpu_hour)}/h {chosen.tier.replace('_', '-')} on {chosen.provider}"
        if chosen
        else "no price known"
    )
    basis = {
        "cost": "the cheapest GPU that fits",
        "speed": "the fastest option that fits",
        "accuracy": "the cheapest GPU that fits the strongest suitable model",
    }[req.priority]
    return f"Hardware: {best.device.name} — {basis} ({price})."


def explain(
    best: Candidate,
    pool: list[Candidate],
    req: RecommendRequest,
    profile: rules.TaskProfile,
    band: tuple[float, float],
    cloud: bool,
    split: tuple[int, int],
) -> list[str]:
    h, est, model = best.hyper, best.estimate, best.model
    matched = (
        f" (matched: {', '.join(profile.matched[:4])})"
        if profile.matched
        else " (no keyword matched: treated as general chat)"
    )
    lines = [f"Task: read as {profile.label}, {profile.complexity} complexity{matched}."]
    fit_task = sorted(set(profile.tags) & set(model.good_for))
    good = f"good for {', '.join(t.replace('-', ' ') for t in fit_task)}; " if fit_task else ""
    band_text = f"{band[0]:g}–{band[1]:g}B range"
    if not band[0] <= model.params_b <= band[1]:
        band_text += (
            "; the best pick that can be trained on this machine is outside it"
            if best.device.id == CPU_ID
            else "; the best pick for this hardware and budget is outside it"
        )
    licence = "allows commercial use" if model.commercial_use else "does NOT allow commercial use"
    lines.append(
        f"Base model: {model.name} — {good}{model.size_text} parameters, for a {profile.complexity} task with "
        f"{req.priority} priority we look in the {band_text}; licence {model.license} {licence}; "
        f"{model.context_length:,}-token context covers your ~{req.avg_tokens_in + req.avg_tokens_out:.0f}-token "
        "examples."
    )
    lines.append(_method_line(best, pool))
    lines.append(_hardware_line(best, req, cloud))
    n_train, n_eval = split
    if n_eval:
        lines.append(
            f"Data: {n_train:,} examples train, {n_eval:,} held out (20%) to evaluate fine-tuned vs base."
        )
    lines.append(f"Learning rate {h.learning_rate:g}: {best.notes['lr']}.")
    lines.append(f"Epochs {h.num_epochs:g}: {best.notes['epochs']}.")
    eff = h.batch_size * h.gradient_accumulation
    lines.append(
        f"Batch {h.batch_size} x accumulation {h.gradient_accumulation} = {eff} examples per update: "
        f"{best.notes['batch']}."
    )
    if h.lora_r:
        lines.append(
            f"LoRA rank {h.lora_r} (alpha {h.lora_alpha}): {best.notes['rank']}; adapters on "
            f"{best.notes['targets']}."
        )
    lines.append(
        f"max_seq_length {h.max_seq_length}: covers ~{req.avg_tokens_in + req.avg_tokens_out:.0f}-token "
        "examples with room for the longer ones."
    )
    lines += estimate_lines(est)
    return lines


def estimate_lines(est: Estimate) -> list[str]:
    """The "Estimate: …" and "Confidence: …" reasons of an estimate (the agent re-renders them for the recipe's)."""
    lines: list[str] = []
    chosen = est.cost.chosen
    if chosen and chosen.tier != "local":
        other = est.cost.on_demand if chosen.tier == "spot" else None
        extra = f" ({_money(other.compute_usd)} on-demand)" if other else ""
        lines.append(
            f"Estimate: {est.time.human} (range {human(est.time.low_s)}–{human(est.time.high_s)}), "
            f"{_money(chosen.compute_usd)} {chosen.tier.replace('_', '-')}{extra}, range "
            f"{_money(chosen.low_usd)}–{_money(chosen.high_usd)}; {est.cost.price_snapshot}."
        )
    else:
        lines.append(
            f"Estimate: {est.time.human} (range {human(est.time.low_s)}–{human(est.time.high_s)}) "
            "on your own hardware, $0."
        )
    lines.append(f"Confidence: {est.confidence.level} — {est.confidence.reasons[0]}.")
    return lines
