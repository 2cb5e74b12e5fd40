"""The event journal: prefixed stdout lines equal the journal, seq survives reopen and SIGKILL-cut lines."""

from __future__ import annotations

import io
from pathlib import Path

from vibeflow_trainer.event_schema import EVENT_PREFIX
from vibeflow_trainer.events import EventWriter, last_seq, read_events


def test_stdout_and_journal_hold_the_same_events(tmp_path: Path) -> None:
    stream = io.StringIO()
    writer = EventWriter(tmp_path / "events.jsonl", "r1", stream)
    writer.emit("stage", durable=True, stage="preprocessing")
    writer.emit("metrics", step=1, max_steps=2, loss=float("nan"), grad_norm=0.5)
    writer.close()
    lines = stream.getvalue().splitlines()
    assert all(line.startswith(EVENT_PREFIX) for line in lines)
    from_stdout = read_events(stream.getvalue())
    assert from_stdout == read_events((tmp_path / "events.jsonl").read_text())
    assert [e["seq"] for e in from_stdout] == [1, 2]
    assert from_stdout[1]["loss"] is None  # NaN is not valid JSON; it is written as null
    assert from_stdout[0]["run_id"] == "r1" and isinstance(from_stdout[0]["ts"], float)


def test_seq_continues_after_reopen_and_a_cut_line(tmp_path: Path) -> None:
    journal = tmp_path / "events.jsonl"
    first = EventWriter(journal, "r1", io.StringIO())
    for step in range(3):
        first.emit("metrics", step=step)
    first.close()
    with journal.open("a") as handle:  # what a SIGKILL in the middle of a write leaves behind
        handle.write('{"seq": 4, "ts": 1.0, "ty')
    assert last_seq(journal) == 3
    second = EventWriter(journal, "r1", io.StringIO())
    second.emit("stage", stage="training")
    second.close()
    events = read_events(journal.read_text())
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert journal.read_text().count("\n") == 5  # the cut line stays on its own line


def test_last_seq_of_missing_or_empty_file(tmp_path: Path) -> None:
    assert last_seq(tmp_path / "none.jsonl") == 0
    (tmp_path / "empty.jsonl").write_text("")
    assert last_seq(tmp_path / "empty.jsonl") == 0
