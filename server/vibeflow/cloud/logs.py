"""Reads `sky jobs logs` output: picks our `@@vibeflow@@` event lines and SkyPilot's own status lines out of it.

SkyPilot prefixes the task's output (`(task, pid=1234) …`, `(worker1, rank=1, pid=…, ip=…) …` on other
nodes) and interleaves its own lines: waiting for resources, "The job cluster is preempted or failed.",
"Job finished (status: SUCCEEDED).", setup failures. The parser turns those into trainer events plus cloud
notes (preempted, recovered, finished, fault) and keeps one billing segment per node attempt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from vibeflow.cloud.faults import classify
from vibeflow.runs.events import parse_stdout_line

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
PREEMPTED = re.compile(r"job cluster is preempted or failed", re.I)
WAITING = re.compile(r"Waiting for task (to start|resources)", re.I)
FINISHED = re.compile(r"(?:Managed job \d+ |Job )?finished \(status: ([A-Z_]+)\)", re.I)
RECOVERING = re.compile(r"\bRECOVERING\b|Recovering the job|relaunch", re.I)
SETUP_FAILED = re.compile(r"setup failed with return code (\d+)", re.I)
# SkyPilot's prefixes: (setup pid=N), (task_name, pid=N), (head, rank=0, pid=N), (worker1, rank=1, pid=N, ip=…)
RANK = re.compile(r"^\([^,()]+?(?:, rank=(\d+))?,? pid=\d+[^)]*\)\s?")


@dataclass
class Segment:
    """One node attempt: from its first sign of life to its last line (timestamps in Unix seconds)."""

    start: float
    end: float
    first_step: int | None = None
    last_step: int | None = None

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass
class LogState:
    """What the log has told us so far."""

    interruptions: int = 0
    recovered: int = 0
    finished: str | None = None
    segments: list[Segment] = field(default_factory=list)
    waiting_since: float | None = None
    interrupted: bool = False


class ManagedJobLog:
    """Incremental parser; `feed(line, now)` returns ('event', trainer_event) and ('cloud', note) items."""

    def __init__(self) -> None:
        self.state = LogState()
        self.seen_seq: set[int] = set()
        self.max_seq = 0
        self.seq_offset = 0
        # one [first trainer seq, offset, last trainer seq] per node attempt the log has shown
        self.attempts: list[list[int]] = []

    def _segment(self, now: float) -> Segment:
        if not self.state.segments or self.state.interrupted:
            self.state.segments.append(Segment(now, now))
            if self.state.interrupted:
                self.state.interrupted = False
                self.state.recovered += 1
        return self.state.segments[-1]

    def feed(self, raw: str, now: float) -> list[tuple[str, dict[str, Any]]]:
        line = ANSI.sub("", raw).rstrip("\r\n")
        out: list[tuple[str, dict[str, Any]]] = []
        event = parse_stdout_line(line)
        if event is not None:
            match = RANK.match(line)
            if match and match.group(1) not in (None, "0"):
                return out  # other ranks repeat rank 0's events (the trainer logs on the main process)
            ts = float(event.get("ts") or now)
            was_interrupted = self.state.interrupted
            if was_interrupted or not self.state.segments:
                # A resumed trainer continues seq from its journal in the bucket, which may lag what its
                # killed predecessor printed: shift the new attempt past every seq already seen.
                self.seq_offset = max(0, self.max_seq - event["seq"] + 1) if was_interrupted else 0
                self.attempts.append([event["seq"], self.seq_offset, event["seq"]])
            self.attempts[-1][2] = max(self.attempts[-1][2], event["seq"])
            if self.seq_offset:
                event = {**event, "seq": event["seq"] + self.seq_offset, "trainer_seq": event["seq"]}
            segment = self._segment(ts)
            segment.end = max(segment.end, ts)
            step = event.get("step")
            if isinstance(step, int):
                segment.first_step = step if segment.first_step is None else segment.first_step
                segment.last_step = step
            if was_interrupted:
                out.append(
                    ("cloud", {"kind": "recovered", "interruptions": self.state.interruptions,
                               "message": self.summary()})
                )  # fmt: skip
            if event["seq"] not in self.seen_seq:
                self.seen_seq.add(event["seq"])
                self.max_seq = max(self.max_seq, event["seq"])
                out.append(("event", event))
            return out
        if self.state.segments and not self.state.interrupted:
            self.state.segments[-1].end = max(self.state.segments[-1].end, now)
        if PREEMPTED.search(line):
            self.state.interruptions += 1
            self.state.interrupted = True
            out.append(
                ("cloud", {"kind": "preempted", "interruptions": self.state.interruptions,
                           "message": f"the node was preempted or failed (interruption {self.state.interruptions}); "
                           "SkyPilot is relaunching it and the trainer resumes from the last checkpoint"})
            )  # fmt: skip
        elif (finished := FINISHED.search(line)) is not None:
            self.state.finished = finished.group(1).upper()
            out.append(("cloud", {"kind": "finished", "status": self.state.finished}))
        elif (setup := SETUP_FAILED.search(line)) is not None:
            fault = classify(line)
            out.append(("cloud", {**fault, "kind": "fault", "exit_code": int(setup.group(1))}))
        elif WAITING.search(line):
            if self.state.waiting_since is None:
                self.state.waiting_since = now
                out.append(("cloud", {"kind": "provisioning", "message": "waiting for a GPU node"}))
        elif not RANK.match(line):  # the task's own output is not SkyPilot talking
            fault = classify(line, strict=True)
            if fault is not None:
                out.append(("cloud", {**fault, "kind": "fault"}))
        return out

    def journal_gaps(self, journal: list[dict[str, Any]], final: bool) -> list[dict[str, Any]]:
        """The journal's events this log has not delivered, numbered the way the log numbers them.

        The bucket's events.jsonl holds every event that reached it, with the trainer's own seq: a resumed
        attempt continues from the journal's last seq, so journal seq J belongs to the latest attempt that
        started at or below J and maps through that attempt's offset. While the job runs only gaps are filled
        (events up to the last one the log showed): what lies beyond may belong to an attempt the log has not
        shown yet, whose offset is still unknown; once the job is over (`final`) everything is taken.
        """
        attempts = self.attempts or [[1, 0, 0]]
        missing = []
        for event in sorted(journal, key=lambda e: e["seq"]):
            raw = event["seq"]
            attempt = next((a for a in reversed(attempts) if a[0] <= raw), attempts[0])
            if not final and attempt is attempts[-1] and raw > attempt[2]:
                break
            seq = raw + attempt[1]
            if seq in self.seen_seq:
                continue
            self.seen_seq.add(seq)
            self.max_seq = max(self.max_seq, seq)
            missing.append({**event, "seq": seq, "trainer_seq": raw} if attempt[1] else event)
        return missing

    def summary(self) -> str:
        n = self.state.interruptions
        if not n:
            return "no interruptions"
        return f"interrupted {n}×, resumed" + ("" if self.state.recovered >= n else " (recovering)")

    def billed_seconds(self) -> float:
        return sum(s.seconds for s in self.state.segments)


def cost_of(segments: list[Segment], usd_per_hour: float) -> dict[str, Any]:
    """Actual cost: the instance's hourly price × the billed time of every segment (recoveries included)."""
    rows = [
        {"start": s.start, "end": s.end, "seconds": round(s.seconds, 1),
         "usd": round(s.seconds / 3600 * usd_per_hour, 4), "first_step": s.first_step, "last_step": s.last_step}
        for s in segments
    ]  # fmt: skip
    return {
        "usd_per_hour": usd_per_hour,
        "segments": rows,
        "billed_seconds": round(sum(r["seconds"] for r in rows), 1),
        "usd": round(sum(r["usd"] for r in rows), 4),
    }
