"""Deterministic synthetic customer-support chats for demos, tests, benchmarks and the demo tokenizer."""

from __future__ import annotations

import json
import random
from pathlib import Path

from vibeflow_trainer.data import Conversation

_SYSTEM = "You are a friendly support agent for Northwind Store. Answer briefly and politely."
_PRODUCTS = [
    "wireless headphones",
    "coffee grinder",
    "running shoes",
    "desk lamp",
    "phone case",
    "backpack",
    "water bottle",
    "mechanical keyboard",
    "yoga mat",
    "electric kettle",
    "smart watch",
    "winter jacket",
    "laptop stand",
    "bluetooth speaker",
    "blender",
    "sunglasses",
    "office chair",
    "travel mug",
]
_NAMES = [
    "Alex",
    "Sam",
    "Maria",
    "John",
    "Priya",
    "Chen",
    "Fatima",
    "Lucas",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
]
_CITIES = ["London", "Berlin", "Madrid", "Toronto", "Sydney", "Chicago", "Paris", "Dublin", "Austin", "Oslo"]
_INTENTS: list[tuple[list[str], list[str]]] = [
    (
        [
            "Where is my order {order}?",
            "Can you tell me the status of order {order}?",
            "My order {order} has not arrived yet.",
        ],
        [
            "Your order {order} with the {product} left our warehouse and should reach {city} in {days} days.",
            "I checked order {order}: the {product} is on its way and will arrive in {days} days.",
        ],
    ),
    (
        [
            "How do I return the {product}?",
            "I want to send back my {product}.",
            "Can I return a {product} I bought last week?",
        ],
        [
            "You can return the {product} within 30 days. Open Orders, choose Return, and print the free label.",
            "Returns are free for 30 days. Pack the {product}, attach the label from your account, and drop it off.",
        ],
    ),
    (
        [
            "My {product} stopped working.",
            "The {product} I received is broken.",
            "Is there a warranty on the {product}?",
        ],
        [
            "I am sorry to hear that. The {product} has a two year warranty, so we will send a replacement today.",
            "Sorry about that! Please reply with a photo of the {product} and we will replace it for free.",
        ],
    ),
    (
        [
            "Do you ship to {city}?",
            "How long does delivery to {city} take?",
            "What does shipping to {city} cost?",
        ],
        [
            "Yes, we ship to {city}. Standard delivery takes {days} days and is free above 50 dollars.",
            "We deliver to {city} in about {days} days. Express shipping is available at checkout.",
        ],
    ),
    (
        [
            "I was charged twice for order {order}.",
            "Why did my card get charged two times?",
            "Please refund the double payment.",
        ],
        [
            "I am sorry for the trouble. I refunded the second charge for order {order}; it appears in {days} days.",
            "Thanks for telling us. The duplicate payment is refunded and should show on your card in {days} days.",
        ],
    ),
    (
        [
            "Can I change the address for order {order}?",
            "I moved to {city}, can you update my delivery address?",
        ],
        [
            "Of course. I updated the address of order {order} to {city}. You will get a new tracking email.",
            "Done! Order {order} will now be delivered to your new address in {city}.",
        ],
    ),
]
_THANKS = ["Thanks a lot!", "Great, thank you.", "Perfect, thanks for the help.", "That works, thanks!"]
_BYE = ["You are welcome, {name}! Have a great day.", "Happy to help, {name}. Enjoy your {product}!"]


def make_conversations(n: int, seed: int = 0, multi_turn_ratio: float = 0.25) -> list[Conversation]:
    """Return `n` short support chats; about `multi_turn_ratio` of them have a second user/assistant turn."""
    rng = random.Random(seed)
    out: list[Conversation] = []
    for _ in range(n):
        asks, answers = rng.choice(_INTENTS)
        slots = {
            "order": f"#{rng.randint(10000, 99999)}",
            "product": rng.choice(_PRODUCTS),
            "city": rng.choice(_CITIES),
            "days": str(rng.randint(2, 7)),
            "name": rng.choice(_NAMES),
        }
        conv: Conversation = []
        if rng.random() < 0.5:
            conv.append({"role": "system", "content": _SYSTEM})
        greeting = rng.choice(["", "Hi, ", "Hello, ", f"Hi, this is {slots['name']}. "])
        conv.append({"role": "user", "content": greeting + rng.choice(asks).format(**slots)})
        conv.append({"role": "assistant", "content": rng.choice(answers).format(**slots)})
        if rng.random() < multi_turn_ratio:
            conv.append({"role": "user", "content": rng.choice(_THANKS)})
            conv.append({"role": "assistant", "content": rng.choice(_BYE).format(**slots)})
        out.append(conv)
    return out


def write_jsonl(path: str | Path, conversations: list[Conversation]) -> Path:
    """Write conversations in the canonical shape (row, messages, input_text, output_text) as JSONL."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("w", encoding="utf-8") as handle:
        for row, conv in enumerate(conversations, start=1):
            inputs = "\n\n".join(t["content"] for t in conv if t["role"] != "assistant")
            outputs = "\n\n".join(t["content"] for t in conv if t["role"] == "assistant")
            record = {"row": row, "messages": conv, "input_text": inputs, "output_text": outputs}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return file


def write_demo_dataset(path: str | Path, rows: int = 1000, seed: int = 0) -> Path:
    return write_jsonl(path, make_conversations(rows, seed=seed))
