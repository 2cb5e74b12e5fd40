"""Per-module gradient statistics every N steps, vectorised and with no device sync on other steps.

Stats are taken in `on_pre_optimizer_step` (after clipping, i.e. the gradients the optimizer applies). The
update-to-weight ratio ||ΔW||/||W|| is measured across the optimizer step on a strided sample of at most
`SAMPLE` elements per parameter, so memory stays bounded even for full fine-tuning of large models.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from transformers import TrainerCallback

SAMPLE = 65536
VANISHING_ABS = 1e-8
VANISHING_REL = 1e-3  # of the median module gradient norm
EXPLODING_REL = 1e3
EXPLODING_UPDATE_RATIO = 0.1


def module_name(param_name: str) -> str:
    """`base_model.model.model.layers.0.q_proj.lora_A.default.weight` → `model.layers.0.q_proj`."""
    name = param_name.removeprefix("base_model.model.")
    if ".lora_" in name:
        return name.split(".lora_")[0]
    for suffix in (".weight", ".bias"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


class GradientMonitor(TrainerCallback):
    """Emits a `gradients` event (and a `gradients` alert on flags) every `every` optimizer steps."""

    def __init__(
        self, every: int, emit: Callable[..., Any], alert: Callable[[str, str, str, int], None]
    ) -> None:
        self.every = every
        self._emit = emit
        self._alert = alert
        self._params: list[Any] = []
        self._group_of: list[int] = []
        self._groups: list[str] = []
        self._pending: dict[str, Any] | None = None
        self._alerted: set[str] = set()

    def on_train_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        groups: dict[str, int] = {}
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            group = module_name(name)
            self._group_of.append(groups.setdefault(group, len(groups)))
            self._params.append(param)
        self._groups = list(groups)

    def _due(self, state: Any) -> bool:
        return self.every > 0 and bool(self._params) and (state.global_step + 1) % self.every == 0

    @staticmethod
    def _sample(param: Any) -> Any:
        flat = param.detach().reshape(-1)
        stride = max(1, math.ceil(flat.numel() / SAMPLE))
        return flat[::stride]

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._due(state):
            return
        import torch

        device = self._params[0].device
        grads = [p.grad if p.grad is not None else torch.zeros(1, device=p.device) for p in self._params]
        norms = torch.stack([n.to(device, torch.float32) for n in torch._foreach_norm(grads)])
        sums = torch.stack([g.detach().float().sum().to(device) for g in grads])
        counts = torch.tensor([float(p.numel()) for p in self._params], device=device)
        index = torch.tensor(self._group_of, device=device)
        size = len(self._groups)

        def reduce(values: Any) -> Any:
            return torch.zeros(size, device=device).index_add_(0, index, values)

        sq, total, count = reduce(norms.square()), reduce(sums), reduce(counts)
        mean = total / count
        std = (sq / count - mean.square()).clamp_min(0).sqrt()
        before = [self._sample(p).clone() for p in self._params]
        self._pending = {"norm": sq.sqrt(), "mean": mean, "std": std, "before": before, "reduce": reduce}

    def on_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._pending is None:
            return
        import torch

        pending, self._pending = self._pending, None
        device = self._params[0].device
        after = [self._sample(p) for p in self._params]
        delta = torch._foreach_sub(after, pending["before"])
        delta_sq = torch.stack([n.to(device, torch.float32) for n in torch._foreach_norm(delta)]).square()
        weight_sq = torch.stack(
            [n.to(device, torch.float32) for n in torch._foreach_norm(pending["before"])]
        ).square()
        ratio = pending["reduce"](delta_sq).sqrt() / pending["reduce"](weight_sq).sqrt().clamp_min(1e-12)
        stacked = (
            torch.stack([pending["norm"], pending["mean"], pending["std"], ratio]).cpu().tolist()
        )  # one sync
        self._report(state.global_step + 1, *stacked)

    def _report(
        self, step: int, norms: list[float], means: list[float], stds: list[float], ratios: list[float]
    ) -> None:
        finite = sorted(n for n in norms if math.isfinite(n) and n > 0)
        median = finite[len(finite) // 2] if finite else 0.0
        layers, flagged = [], {"vanishing": [], "exploding": [], "dead": []}
        for name, norm, mean, std, ratio in zip(self._groups, norms, means, stds, ratios, strict=True):
            flag = None
            if (
                not math.isfinite(norm)
                or (median and norm > EXPLODING_REL * median)
                or ratio > EXPLODING_UPDATE_RATIO
            ):
                flag = "exploding"
            elif norm == 0:
                flag = "dead"
            elif norm < VANISHING_ABS or (median and norm < VANISHING_REL * median):
                flag = "vanishing"
            if flag:
                flagged[flag].append(name)
            layers.append(
                {
                    "name": name,
                    "grad_norm": norm,
                    "grad_mean": mean,
                    "grad_std": std,
                    "update_ratio": ratio,
                    "flag": flag,
                }
            )
        self._emit("gradients", step=step, layers=layers, flagged={k: v for k, v in flagged.items() if v})
        for flag, names in flagged.items():
            if names and flag not in self._alerted:
                self._alerted.add(flag)
                self._alert(
                    "gradients", _MESSAGES[flag].format(n=len(names), first=names[0]), _FIXES[flag], step
                )


_MESSAGES = {
    "exploding": "{n} module(s) have exploding gradients or updates (e.g. {first})",
    "vanishing": "{n} module(s) have vanishing gradients (e.g. {first})",
    "dead": "{n} module(s) receive no gradient at all (e.g. {first})",
}
_FIXES = {
    "exploding": "lower learning_rate (try ÷3), keep max_grad_norm at 1.0 and use some warmup",
    "vanishing": "raise learning_rate or lora_alpha, or check that those modules are used by the model",
    "dead": "check lora_target_modules: these modules are trainable but unused, or their inputs are masked",
}
