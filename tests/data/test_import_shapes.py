"""Importer: column mapping (name patterns, content heuristics, confidence, explicit columns) and chat shapes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import orjson
import pytest

from vibeflow.data.profile import profile_columns
from vibeflow.data.readers import load_source
from vibeflow.data.shapes import ColumnMapping, detect_mapping, name_score, normalize_name
from vibeflow.errors import MappingError

FIXTURES = Path(__file__).parent / "fixtures" / "import"

QUESTIONS = [
    "How do I reset my password?",
    "Where is my order?",
    "Can I change my delivery address?",
    "Why was I charged twice this month?",
    "How do I cancel my subscription?",
]
ANSWERS = [
    "Open Settings, choose Security and click Reset password; we email you a link.",
    "Your order shipped yesterday and should arrive within two working days.",
    "Yes, until the parcel ships: open the order and edit the address field.",
    "That is a temporary authorisation hold; it disappears within three days.",
    "Go to Billing, pick your plan and press Cancel; you keep access until renewal.",
]


@pytest.fixture(autouse=True)
def vibeflow_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "vibeflow-home"
    monkeypatch.setenv("VIBEFLOW_HOME", str(home))
    return home


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    return path


def turns(result, index: int = 0) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in result.dataset[index]["messages"]]


# ---- name patterns ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("input_name", "output_name"),
    [
        ("instruction", "output"),
        ("instruction", "response"),
        ("question", "answer"),
        ("prompt", "completion"),
        ("prompt", "response"),
        ("user_message", "assistant_message"),
        ("text_input", "text_output"),
        ("customer_message", "support_reply"),
        ("query", "reply"),
        ("source", "target"),
        ("input", "output"),
        ("User Message", "Assistant Response"),
        ("userQuery", "botResponse"),
        ("Customer Question", "Agent Answer"),
        ("human", "gpt"),
    ],
)
def test_column_name_variants_are_recognised(tmp_path: Path, input_name: str, output_name: str) -> None:
    rows = [[q, a] for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    # the output column comes first: detection must not depend on column order
    path = write_csv(tmp_path / "pairs.csv", [output_name, input_name], [[a, q] for q, a in rows])
    result = load_source(path)
    assert result.mapping.input == [input_name]
    assert result.mapping.output == output_name
    assert result.mapping.confidence >= 0.8
    assert turns(result, 0) == [("user", QUESTIONS[0]), ("assistant", ANSWERS[0])]


def test_normalize_and_score_names() -> None:
    assert normalize_name("  User-Message ") == "user_message"
    assert normalize_name("assistantReply") == "assistant_reply"
    assert name_score("question_id", "input") == 0.0  # metadata, not the question
    assert name_score("answer", "input") == 0.0
    assert name_score("customer_complaint", "input") == 0.8


def test_alpaca_shape_joins_instruction_and_non_empty_input(tmp_path: Path) -> None:
    records = [
        {"instruction": "Translate to German.", "input": "Thank you", "output": "Danke"},
        {"instruction": "Name a colour.", "input": "", "output": "Blue"},
        {"instruction": "Summarise.", "input": "   ", "output": "Nothing to summarise."},
    ]
    result = load_source(write_jsonl(tmp_path / "alpaca.jsonl", records))
    assert result.mapping.shape == "alpaca"
    assert result.mapping.input == ["instruction", "input"]
    assert list(result.dataset["input_text"]) == [
        "Translate to German.\n\nThank you",
        "Name a colour.",
        "Summarise.",
    ]


def test_alpaca_without_input_column(tmp_path: Path) -> None:
    records = [{"instruction": q, "output": a} for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    result = load_source(write_jsonl(tmp_path / "alpaca.jsonl", records))
    assert (result.mapping.shape, result.mapping.input) == ("alpaca", ["instruction"])


def test_prompt_completion_shape() -> None:
    result = load_source(FIXTURES / "prompt_completion.jsonl")
    assert result.mapping.shape == "prompt_completion"
    assert turns(result, 0) == [
        ("user", "Complete: The quick brown fox"),
        ("assistant", " jumps over the lazy dog."),
    ]


# ---- chat shapes -----------------------------------------------------------------------------------------


def test_sharegpt_roles_and_multi_turn() -> None:
    result = load_source(FIXTURES / "sharegpt.jsonl")
    assert result.mapping.shape == "sharegpt"
    assert result.mapping.input == ["conversations"]
    assert result.mapping.output is None
    assert result.mapping.ignored == ["id"]
    assert [r for r, _ in turns(result, 0)] == ["system", "user", "assistant", "user", "assistant"]
    assert result.dataset[0]["output_text"] == "Python is a programming language.\n\nGuido van Rossum."
    assert (
        result.dataset[0]["input_text"]
        == "You are a helpful assistant.\n\nWhat is Python?\n\nWho created it?"
    )


def test_sharegpt_user_assistant_and_unknown_roles(tmp_path: Path) -> None:
    conv = [
        {"from": "user", "value": "Weather?"},
        {"from": "function_call", "value": "get_weather()"},
        {"from": "assistant", "value": "Sunny."},
    ]
    result = load_source(write_jsonl(tmp_path / "sg.jsonl", [{"conversations": conv}]))
    assert turns(result) == [("user", "Weather?"), ("user", "get_weather()"), ("assistant", "Sunny.")]


def test_openai_messages_multi_turn_with_system() -> None:
    result = load_source(FIXTURES / "openai_messages.jsonl")
    assert result.mapping.shape == "openai_messages"
    assert turns(result, 0)[0] == ("system", "You are Acme's support bot.")
    assert len(turns(result, 1)) == 4
    assert result.dataset[1]["output_text"] == "Hi, how can I help?\n\nDone: your subscription is cancelled."


def test_openai_content_parts_and_null_content(tmp_path: Path) -> None:
    messages = [
        {"role": "developer", "content": "Be brief."},
        {
            "role": "user",
            "content": [{"type": "text", "text": "Look:"}, {"type": "image_url", "image_url": {}}],
        },
        {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
        {"role": "tool", "content": "42"},
        {"role": "assistant", "content": "The answer is 42."},
    ]
    other = [{"role": "user", "content": "plain"}, {"role": "assistant", "content": "text"}]
    result = load_source(write_jsonl(tmp_path / "parts.jsonl", [{"messages": messages}, {"messages": other}]))
    assert turns(result, 0) == [
        ("system", "Be brief."),
        ("user", "Look:"),
        ("assistant", ""),
        ("user", "42"),
        ("assistant", "The answer is 42."),
    ]


def test_messages_stored_as_json_text_in_csv(tmp_path: Path) -> None:
    conv = orjson.dumps(
        [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    ).decode()
    result = load_source(write_csv(tmp_path / "chat.csv", ["messages", "lang"], [[conv, "en"], [conv, "en"]]))
    assert result.mapping.shape == "openai_messages"
    assert result.mapping.ignored == ["lang"]
    assert turns(result, 1) == [("user", "Hi"), ("assistant", "Hello")]


def test_system_column_is_prepended(tmp_path: Path) -> None:
    records = [
        {"system_prompt": "You are terse.", "question": "Capital of Italy?", "answer": "Rome."},
        {"system_prompt": "", "question": "Capital of Spain?", "answer": "Madrid."},
    ]
    result = load_source(write_jsonl(tmp_path / "sys.jsonl", records))
    assert result.mapping.system == "system_prompt"
    assert turns(result, 0) == [
        ("system", "You are terse."),
        ("user", "Capital of Italy?"),
        ("assistant", "Rome."),
    ]
    assert turns(result, 1) == [("user", "Capital of Spain?"), ("assistant", "Madrid.")]
    assert result.dataset[0]["input_text"] == "You are terse.\n\nCapital of Italy?"


def test_missing_values_become_empty_strings_not_dropped(tmp_path: Path) -> None:
    records = [
        {"question": "Has answer?", "answer": "Yes."},
        {"question": "No answer key?"},
        {"question": None, "answer": "Orphan answer."},
    ]
    result = load_source(write_jsonl(tmp_path / "missing.jsonl", records))
    assert result.dataset.num_rows == 3
    assert list(result.dataset["output_text"]) == ["Yes.", "", "Orphan answer."]
    assert turns(result, 2) == [("user", ""), ("assistant", "Orphan answer.")]


# ---- content heuristics, confidence and ignored columns --------------------------------------------------


def test_ids_categories_and_numbers_are_ignored(tmp_path: Path) -> None:
    rows = [
        [f"id-{i:04d}", QUESTIONS[i % 5], ANSWERS[i % 5] + f" ({i})", ["billing", "shipping"][i % 2], i * 1.5]
        for i in range(30)
    ]
    header = ["ticket_uuid", "question", "answer", "topic", "score"]
    result = load_source(write_csv(tmp_path / "meta.csv", header, rows))
    assert result.mapping.ignored == ["ticket_uuid", "topic", "score"]
    reasons = " ".join(result.mapping.reasons)
    assert (
        "'ticket_uuid' (id)" in reasons and "'topic' (category)" in reasons and "'score' (number)" in reasons
    )


def test_one_named_column_and_the_other_by_content(tmp_path: Path) -> None:
    rows = [[i, q, a] for i, (q, a) in enumerate(zip(QUESTIONS, ANSWERS, strict=True))]
    result = load_source(write_csv(tmp_path / "half.csv", ["n", "question", "body_of_text"], rows))
    assert (result.mapping.input, result.mapping.output) == (["question"], "body_of_text")
    assert 0.6 <= result.mapping.confidence < 0.95


def test_unnamed_columns_raise_mapping_error_with_best_guess(tmp_path: Path) -> None:
    rows = [[q, a] for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    path = write_csv(tmp_path / "vague.csv", ["col_a", "col_b"], rows)
    with pytest.raises(MappingError) as caught:
        load_source(path)
    error = caught.value
    assert error.file == str(path)
    assert "--input-col" in error.fix and "--output-col" in error.fix
    assert error.details["columns"] == ["col_a", "col_b"]
    assert [p["kind"] for p in error.details["profiles"]] == ["text", "text"]
    guess = error.details["best_guess"]
    assert (guess["input"], guess["output"]) == (["col_a"], "col_b")  # the longer texts are the answers
    assert guess["confidence"] < 0.6


def test_generic_names_are_not_enough(tmp_path: Path) -> None:
    rows = [[q, a] for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    with pytest.raises(MappingError, match="Not sure which columns"):
        load_source(write_csv(tmp_path / "generic.csv", ["title", "body"], rows))


def test_lower_min_confidence_accepts_the_guess(tmp_path: Path) -> None:
    rows = [[a, q] for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    result = load_source(write_csv(tmp_path / "vague.csv", ["x", "y"], rows), min_confidence=0.3)
    assert (result.mapping.input, result.mapping.output) == (["y"], "x")


def test_no_text_columns_is_a_mapping_error(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "numbers.csv", ["a", "b"], [[1, 2.5], [3, 4.0], [5, 6]])
    with pytest.raises(MappingError, match="No text columns") as caught:
        load_source(path)
    assert caught.value.details["columns"] == ["a", "b"]
    assert {p["kind"] for p in caught.value.details["profiles"]} == {"number"}


def test_detect_mapping_on_profiles_directly() -> None:
    rows = [
        {"question": q, "answer": a, "id": f"x{i}"}
        for i, (q, a) in enumerate(zip(QUESTIONS, ANSWERS, strict=True))
    ]
    mapping = detect_mapping(profile_columns(rows, ["id", "question", "answer"]))
    assert mapping.to_dict() == ColumnMapping.from_dict(mapping.to_dict()).to_dict()
    assert mapping.ignored == ["id"] and 0 <= mapping.confidence <= 1


# ---- explicit mapping ------------------------------------------------------------------------------------


def test_explicit_columns_override_detection(tmp_path: Path) -> None:
    rows = [[q, a, "x"] for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    path = write_csv(tmp_path / "vague.csv", ["col_a", "col_b", "col_c"], rows)
    result = load_source(path, input_col="col_b", output_col="col_a")
    assert result.mapping.confidence == 1.0
    assert result.mapping.ignored == ["col_c"]
    assert turns(result, 0) == [("user", ANSWERS[0]), ("assistant", QUESTIONS[0])]


def test_explicit_several_input_columns_and_system(tmp_path: Path) -> None:
    header = ["task", "details", "reply", "persona_text"]
    rows = [["Fix the bug.", "It crashes on start.", "Patched.", "You are a senior dev."]]
    path = write_csv(tmp_path / "multi.csv", header, rows)
    result = load_source(path, input_col="task,details", output_col="reply", system_col="persona_text")
    assert result.mapping.input == ["task", "details"]
    assert turns(result) == [
        ("system", "You are a senior dev."),
        ("user", "Fix the bug.\n\nIt crashes on start."),
        ("assistant", "Patched."),
    ]
    same = load_source(path, input_col=["task", "details"], output_col="REPLY", system_col="persona_text")
    assert same.dataset.to_list() == result.dataset.to_list()


def test_mixed_message_key_styles_in_one_file(tmp_path: Path) -> None:
    records = [
        {"messages": [{"role": "user", "content": "Q1"}, {"role": "assistant", "content": "A1"}]},
        {"messages": [{"from": "human", "value": "Q2"}, {"from": "gpt", "value": "A2"}]},
    ]
    result = load_source(write_jsonl(tmp_path / "mixed_keys.jsonl", records))
    assert turns(result, 1) == [("user", "Q2"), ("assistant", "A2")]


def test_explicit_input_columns_are_never_picked_as_output(tmp_path: Path) -> None:
    header = ["task", "details", "reply"]
    rows = [["Fix the bug.", "It crashes on start and the log shows a long stack trace.", "Patched it."]] * 3
    result = load_source(write_csv(tmp_path / "multi.csv", header, rows), input_col="task,details")
    assert (result.mapping.input, result.mapping.output) == (["task", "details"], "reply")


def test_explicit_input_only_detects_output(tmp_path: Path) -> None:
    rows = [[q, a] for q, a in zip(QUESTIONS, ANSWERS, strict=True)]
    result = load_source(write_csv(tmp_path / "half.csv", ["col_a", "answer"], rows), input_col="col_a")
    assert result.mapping.output == "answer"


def test_explicit_column_that_does_not_exist(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "qa.csv", ["question", "answer"], [[QUESTIONS[0], ANSWERS[0]]])
    with pytest.raises(MappingError) as caught:
        load_source(path, input_col="prompt", output_col="answer")
    error = caught.value
    assert "'prompt' does not exist" in error.message
    assert "question, answer" in error.message and "question" in error.fix
    assert error.details["columns"] == ["question", "answer"]
    assert error.file == str(path)


def test_explicit_chat_column_with_output_is_rejected() -> None:
    with pytest.raises(MappingError, match="holds whole conversations"):
        load_source(FIXTURES / "sharegpt.jsonl", input_col="conversations", output_col="id")


def test_explicit_chat_column() -> None:
    result = load_source(FIXTURES / "sharegpt.jsonl", input_col="conversations")
    assert result.mapping.shape == "sharegpt"
    assert result.mapping.confidence == 1.0
