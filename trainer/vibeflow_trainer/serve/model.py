"""Holds one base model with its LoRA adapters in memory and generates token by token (greedy or sampled),
switching adapters per request, stopping at the tokenizer's EOS exactly as training taught the model to."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vibeflow_trainer.serve.spec import EngineSpec


class RequestError(ValueError):
    """A request the engine cannot serve (unknown model, bad parameter); becomes an OpenAI-style 400/404."""

    def __init__(self, message: str, status: int = 400, param: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.param = param


@dataclass
class Sampling:
    """Decoding parameters of one request (OpenAI names)."""

    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    seed: int | None = None
    stop: tuple[str, ...] = ()
    logit_bias: dict[int, float] | None = None


@dataclass
class Step:
    """One generated token, the text it adds, and whether generation finished (with the reason)."""

    token_id: int | None
    text: str
    finish_reason: str | None = None


def _read_template(value: str | None) -> str | None:
    if value and "{" not in value and Path(value).is_file():
        return Path(value).read_text(encoding="utf-8")
    return value


class ModelHost:
    """Base model + adapters; one request generates at a time (a lock), which is what a CPU can do anyway."""

    def __init__(self, spec: EngineSpec) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from vibeflow_trainer.models import resolve_base_model

        if spec.threads:
            torch.set_num_threads(spec.threads)
        self.spec = spec
        self.lock = threading.Lock()
        resolved = resolve_base_model(spec.base_model)
        self.base_path = resolved.source
        base = AutoModelForCausalLM.from_pretrained(
            resolved.source, local_files_only=resolved.local_files_only, dtype=torch.float32
        )
        base.eval()
        self.tokenizers: dict[str, Any] = {}
        base_tokenizer = AutoTokenizer.from_pretrained(
            resolved.source, local_files_only=resolved.local_files_only
        )
        self.model: Any = base
        self.peft = False
        for name, path in spec.adapters.items():
            self.load_adapter(name, path)
        if spec.served_base_name:
            self.tokenizers[spec.served_base_name] = base_tokenizer
        override = _read_template(spec.chat_template)
        if override:
            for tokenizer in self.tokenizers.values():
                tokenizer.chat_template = override
        self.max_model_len = spec.max_model_len or int(
            getattr(base.config, "max_position_embeddings", 2048) or 2048
        )

    def load_adapter(self, name: str, path: str) -> None:
        """Add an adapter under `name` (its own tokenizer and chat template when the run saved them)."""
        from peft import PeftModel
        from transformers import AutoTokenizer

        if not (Path(path) / "adapter_config.json").is_file():
            raise RequestError(f"{path} has no adapter_config.json", 400, "lora_path")
        if name in self.tokenizers:
            raise RequestError(f"model {name!r} is already loaded", 400, "lora_name")
        loaded = sum(1 for key in self.tokenizers if key != self.spec.served_base_name)
        if loaded >= self.spec.max_loras:
            raise RequestError(f"already serving max_loras={self.spec.max_loras} adapters", 400, "lora_name")
        with self.lock:
            if not self.peft:
                self.model = PeftModel.from_pretrained(self.model, path, adapter_name=name)
                self.peft = True
            else:
                self.model.load_adapter(path, adapter_name=name)
            self.model.eval()
            source = path if (Path(path) / "tokenizer_config.json").is_file() else self.base_path
            tokenizer = AutoTokenizer.from_pretrained(source)
            override = _read_template(self.spec.chat_template)
            if override:
                tokenizer.chat_template = override
            self.tokenizers[name] = tokenizer

    def unload_adapter(self, name: str) -> None:
        if name not in self.tokenizers or name == self.spec.served_base_name:
            raise RequestError(f"no adapter named {name!r}", 404, "lora_name")
        with self.lock:
            self.model.delete_adapter(name)
            del self.tokenizers[name]

    @property
    def names(self) -> list[str]:
        return list(self.tokenizers)

    def tokenizer(self, name: str) -> Any:
        try:
            return self.tokenizers[name]
        except KeyError:
            raise RequestError(
                f"The model `{name}` does not exist. Served: {', '.join(self.names)}", 404, "model"
            ) from None

    def eos_ids(self, name: str) -> list[int]:
        tokenizer = self.tokenizer(name)
        ids = {tokenizer.eos_token_id}
        config = getattr(self.model, "generation_config", None)
        configured = getattr(config, "eos_token_id", None)
        if isinstance(configured, int):
            ids.add(configured)
        elif configured:
            ids.update(configured)
        return sorted(i for i in ids if i is not None)

    def chat_prompt(
        self, name: str, messages: list[dict[str, Any]], add_generation_prompt: bool = True
    ) -> list[int]:
        """Token ids of a chat rendered with the adapter's (training) chat template."""
        tokenizer = self.tokenizer(name)
        if not tokenizer.chat_template:
            raise RequestError(f"model {name!r} has no chat template; use /v1/completions", 400, "messages")
        out = tokenizer.apply_chat_template(
            messages, tokenize=True, add_generation_prompt=add_generation_prompt, return_dict=True
        )
        return list(out["input_ids"])

    def text_prompt(self, name: str, prompt: str) -> list[int]:
        return list(self.tokenizer(name)(prompt, add_special_tokens=True)["input_ids"])

    def generate(self, name: str, prompt_ids: list[int], sampling: Sampling) -> Iterator[Step]:
        """Yield steps until EOS, a stop string or max_tokens; holds the model lock while running."""
        import torch

        tokenizer = self.tokenizer(name)
        if len(prompt_ids) + sampling.max_tokens > self.max_model_len:
            raise RequestError(
                f"prompt ({len(prompt_ids)} tokens) + max_tokens ({sampling.max_tokens}) exceeds the model's "
                f"context of {self.max_model_len} tokens",
                400,
                "max_tokens",
            )
        eos = set(self.eos_ids(name))
        generator = torch.Generator().manual_seed(sampling.seed) if sampling.seed is not None else None
        with self.lock, torch.inference_mode():
            if self.peft and name in self.model.peft_config:
                self.model.set_adapter(name)
                context: Any = _null()
            elif self.peft:
                context = self.model.disable_adapter()
            else:
                context = _null()
            with context:
                yield from self._decode(tokenizer, prompt_ids, sampling, eos, generator)

    def _decode(
        self, tokenizer: Any, prompt_ids: list[int], sampling: Sampling, eos: set[int], generator: Any
    ) -> Iterator[Step]:
        import torch

        current = torch.tensor([prompt_ids], dtype=torch.long)
        past = None
        generated: list[int] = []
        emitted = ""
        for _ in range(sampling.max_tokens):
            out = self.model(input_ids=current, past_key_values=past, use_cache=True)
            past = out.past_key_values
            logits = out.logits[0, -1].float()
            for bias_token, value in (sampling.logit_bias or {}).items():
                if 0 <= bias_token < logits.numel():
                    logits[bias_token] += float(value)
            token = _pick(logits, sampling, generator)
            if token in eos:
                yield Step(token, "", "stop")
                return
            generated.append(token)
            text = tokenizer.decode(generated, skip_special_tokens=True)
            if text.endswith("\ufffd"):  # half of a multi-byte character: wait for the rest
                yield Step(token, "")
            else:
                for stop in sampling.stop:
                    cut = text.find(stop)
                    if cut >= 0:
                        yield Step(token, text[len(emitted) : cut] if cut > len(emitted) else "", "stop")
                        return
                yield Step(token, text[len(emitted) :])
                emitted = text
            current = torch.tensor([[token]], dtype=torch.long)
        yield Step(None, "", "length")


def _pick(logits: Any, sampling: Sampling, generator: Any) -> int:
    import torch

    if sampling.temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / sampling.temperature, dim=-1)
    if sampling.top_p < 1.0:
        sorted_probs, order = torch.sort(probs, descending=True)
        keep = torch.cumsum(sorted_probs, dim=-1) - sorted_probs < sampling.top_p
        sorted_probs = sorted_probs * keep
        choice = torch.multinomial(sorted_probs / sorted_probs.sum(), 1, generator=generator)
        return int(order[choice])
    return int(torch.multinomial(probs, 1, generator=generator))


class _null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_exc: object) -> None:
        return None
