"""Train↔serve consistency check: renders test conversations through the chat template the run trained with
and asks the engine (ours or vLLM, through vLLM's `/tokenize`) for its prompt token ids; they must match token
for token, and the engine must stop when the model emits the EOS that closes every trained assistant turn.

Run as `python -m vibeflow_trainer.serve.reference --adapter DIR --engine URL --model NAME`; prints one JSON
verdict `{ok, problems, conversations, eos}` (exit 0 when ok, 1 when not, 2 when it could not check).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

BUILTIN_CONVERSATIONS: list[list[dict[str, str]]] = [
    [
        {"role": "user", "content": "Hello! Can you help me reset my password?"},
        {"role": "assistant", "content": "Of course."},
    ],
    [
        {"role": "system", "content": "You are a concise support assistant."},
        {"role": "user", "content": "Where is my order #1234?"},
        {"role": "assistant", "content": "It ships tomorrow."},
    ],
    [
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello, how can I help?"},
        {"role": "user", "content": "Refund status, please — café order ✓"},
        {"role": "assistant", "content": "Your refund was issued."},
    ],
]


def _post(url: str, body: dict[str, Any], api_key: str | None, timeout: float = 120) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:500]
        raise RuntimeError(f"{url} answered {exc.code}: {detail}") from exc


def _training_ids(tokenizer: Any, conversation: list[dict[str, str]], chat_format: str) -> list[int]:
    """The ids training saw for this conversation, by the same code path the trainer used."""
    if chat_format == "prefix_masking":
        from vibeflow_trainer.chat_format import tokenize_prefix_masked

        return tokenize_prefix_masked(tokenizer, conversation)["input_ids"]
    out = tokenizer.apply_chat_template(conversation, tokenize=True, return_dict=True)
    return list(out["input_ids"])


def _sample_conversations(adapter: Path, limit: int) -> list[list[dict[str, str]]]:
    """A few of the run's own conversations (eval split first), when its data is still readable."""
    try:
        spec = json.loads((adapter / "manifest.json").read_text())["spec"]
    except (OSError, ValueError, KeyError):
        return []
    from vibeflow_trainer.data import load_conversations

    for key in ("eval_path", "train_path"):
        path = spec.get(key)
        if not path:
            continue
        try:
            loaded = load_conversations(path, key)
        except Exception:  # noqa: BLE001 - data moved or deleted: the built-in chats still check the template
            continue
        out = []
        for conversation in loaded.conversations[:limit]:
            last = max(i for i, turn in enumerate(conversation) if turn["role"] == "assistant")
            out.append(conversation[: last + 1])
        return out
    return []


def _diff_at(a: list[int], b: list[int]) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def check(adapter: Path, engine: str, model: str, api_key: str | None, samples: int = 3) -> dict[str, Any]:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(adapter))
    try:
        chat_format = json.loads((adapter / "manifest.json").read_text()).get("chat_format") or "template"
    except (OSError, ValueError):
        chat_format = "template"
    problems: list[str] = []
    results = []
    conversations = BUILTIN_CONVERSATIONS + _sample_conversations(adapter, samples)
    eos = tokenizer.eos_token_id
    for number, conversation in enumerate(conversations):
        prompt_messages = conversation[:-1]
        trained = _training_ids(tokenizer, conversation, chat_format)
        expected = list(
            tokenizer.apply_chat_template(
                prompt_messages, tokenize=True, add_generation_prompt=True, return_dict=True
            )["input_ids"]
        )
        served = _post(
            f"{engine}/tokenize",
            {"model": model, "messages": prompt_messages, "add_generation_prompt": True},
            api_key,
        )["tokens"]
        item: dict[str, Any] = {"index": number, "prompt_tokens": len(expected), "match": served == expected}
        if trained[: len(expected)] != expected:
            at = _diff_at(trained, expected)
            problems.append(
                f"conversation {number}: the training template renders the prompt differently from the "
                f"conversation it trained on (token {at}); prompts would not match what the model learned"
            )
        if served != expected:
            at = _diff_at(served, expected)
            item.update(
                first_diff=at,
                training=tokenizer.decode(expected[max(0, at - 8) : at + 8]),
                engine=tokenizer.decode(served[max(0, at - 8) : at + 8]),
            )
            problems.append(
                f"conversation {number}: the engine's prompt differs from training at token {at} "
                f"(training: {item['training']!r} vs engine: {item['engine']!r}) — the engine uses another chat "
                "template or tokenizer"
            )
        tail = trained[len(expected) :]
        if eos not in tail:
            problems.append(
                f"conversation {number}: the trained assistant turn does not end with EOS ({eos})"
            )
        results.append(item)
    stop = _post(
        f"{engine}/v1/chat/completions",
        {
            "model": model,
            "messages": BUILTIN_CONVERSATIONS[0][:-1],
            "max_tokens": 4,
            "temperature": 0,
            "logit_bias": {str(eos): 100},
        },
        api_key,
    )
    choice = stop["choices"][0]
    eos_ok = choice.get("finish_reason") == "stop" and not (choice.get("message") or {}).get("content")
    if not eos_ok:
        problems.append(
            f"the engine did not stop at EOS token {eos} ({tokenizer.eos_token!r}): finish_reason="
            f"{choice.get('finish_reason')!r}, text={(choice.get('message') or {}).get('content')!r}"
        )
    return {
        "ok": not problems,
        "chat_format": chat_format,
        "checked": len(results),
        "problems": problems,
        "conversations": results,
        "eos": {"token_id": eos, "token": tokenizer.eos_token, "stops": eos_ok},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vibeflow_trainer.serve.reference", description=__doc__)
    parser.add_argument("--adapter", required=True, help="the run's output directory (tokenizer + template)")
    parser.add_argument("--engine", required=True, help="engine base URL, e.g. http://127.0.0.1:8001")
    parser.add_argument("--model", required=True, help="served model/adapter name to check")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("VIBEFLOW_ENGINE_API_KEY"),
        help="the engine's API key (default: $VIBEFLOW_ENGINE_API_KEY)",
    )
    parser.add_argument("--samples", type=int, default=3, help="conversations taken from the run's data")
    args = parser.parse_args(argv)
    try:
        verdict = check(Path(args.adapter), args.engine.rstrip("/"), args.model, args.api_key, args.samples)
    except Exception as exc:  # noqa: BLE001 - the backend reads one JSON line either way
        print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}", "problems": [str(exc)]}))
        return 2
    print(json.dumps(verdict))
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
