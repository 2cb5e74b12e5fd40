"""Gradient insight: per-module norm/mean/std/update ratio match direct torch computations; flags fire."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
from torch import nn

from vibeflow_trainer.gradients import GradientMonitor, module_name


def test_module_names_group_lora_pairs() -> None:
    assert module_name("base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight") == (
        "model.layers.0.self_attn.q_proj"
    )
    assert module_name("model.layers.1.mlp.up_proj.weight") == "model.layers.1.mlp.up_proj"
    assert module_name("model.norm.bias") == "model.norm"


def _step(model: nn.Module, monitor: GradientMonitor, grads: dict[str, torch.Tensor], step: int) -> None:
    for name, param in model.named_parameters():
        param.grad = grads[name].clone()
    state = SimpleNamespace(global_step=step - 1)
    monitor.on_pre_optimizer_step(None, state, None)
    with torch.no_grad():
        for param in model.parameters():
            param -= 0.1 * param.grad
    monitor.on_optimizer_step(None, state, None)


def test_stats_match_torch_and_flags() -> None:
    torch.manual_seed(0)
    model = nn.ModuleDict(
        {"a": nn.Linear(8, 8), "b": nn.Linear(8, 8), "c": nn.Linear(8, 8), "d": nn.Linear(8, 8)}
    )
    emitted: list[tuple[str, dict]] = []
    alerts: list[tuple[str, str]] = []
    monitor = GradientMonitor(
        every=2,
        emit=lambda kind, **fields: emitted.append((kind, fields)),
        alert=lambda kind, message, fix, step: alerts.append((kind, message)),
    )
    monitor.on_train_begin(None, SimpleNamespace(global_step=0), None, model=model)
    grads = {name: torch.randn_like(p) * 0.01 for name, p in model.named_parameters()}
    grads["c.weight"].zero_()
    grads["c.bias"].zero_()  # module c: dead
    grads["d.weight"] *= 1e5  # module d: exploding
    before = {name: p.detach().clone() for name, p in model.named_parameters()}

    _step(model, monitor, grads, step=1)
    assert emitted == []  # not a sampling step: nothing computed

    _step(model, monitor, grads, step=2)
    kind, event = emitted[0]
    assert kind == "gradients" and event["step"] == 2
    layers = {layer["name"]: layer for layer in event["layers"]}
    flat_a = torch.cat([grads["a.weight"].flatten(), grads["a.bias"].flatten()])
    assert layers["a"]["grad_norm"] == pytest.approx(flat_a.norm().item(), rel=1e-5)
    assert layers["a"]["grad_mean"] == pytest.approx(flat_a.mean().item(), rel=1e-4, abs=1e-9)
    assert layers["a"]["grad_std"] == pytest.approx(flat_a.std(unbiased=False).item(), rel=1e-4)
    w_before = torch.cat([(before[n] - 0.1 * grads[n]).flatten() for n in ("a.weight", "a.bias")])
    assert layers["a"]["update_ratio"] == pytest.approx(
        (0.1 * flat_a).norm().item() / w_before.norm().item(), rel=1e-4
    )
    assert (layers["a"]["flag"], layers["c"]["flag"], layers["d"]["flag"]) == (None, "dead", "exploding")
    assert event["flagged"] == {"exploding": ["d"], "dead": ["c"]}
    assert sorted(kind for kind, _ in alerts) == ["gradients", "gradients"]
