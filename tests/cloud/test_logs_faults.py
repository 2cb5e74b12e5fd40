"""Event extraction from RECORDED `sky jobs logs` output (real trainer, preempted once) and fault classification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from vibeflow.cloud.faults import budget_fault, classify
from vibeflow.cloud.logs import ManagedJobLog, cost_of

FIXTURE = Path(__file__).with_name("fixtures") / "managed_job_preempted.log"


def parse(lines: list[str]) -> tuple[ManagedJobLog, list[dict], list[dict]]:
    log, events, notes = ManagedJobLog(), [], []
    for line in lines:
        for kind, item in log.feed(line, 0.0):
            (events if kind == "event" else notes).append(item)
    return log, events, notes


def test_recorded_preempted_job_yields_every_event_once_and_one_recovery() -> None:
    lines = FIXTURE.read_text().splitlines()
    log, events, notes = parse(lines)
    assert len(events) == sum("@@vibeflow@@" in line for line in lines) == 22
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs)), (
        "store seqs strictly increase, even where the resumed trainer reused one"
    )
    assert [n["kind"] for n in notes] == ["provisioning", "preempted", "recovered", "finished"]
    assert log.state.finished == "SUCCEEDED" and log.summary() == "interrupted 1×, resumed"
    steps = [e["step"] for e in events if e["type"] == "metrics"]
    checkpoint = next(e["step"] for e in events if e["type"] == "checkpoint")
    # attempt 1 logged steps 1-4 and checkpointed step 3; attempt 2 continues at step 4 (not 1) up to 8
    assert checkpoint == 3 and steps == [1, 2, 3, 4, 4, 5, 6, 7, 8]
    first, second = log.state.segments
    assert (first.last_step, second.first_step) == (checkpoint + 1, checkpoint + 1)


def test_cost_is_hourly_price_times_billed_time_of_every_segment() -> None:
    log, _, _ = parse(FIXTURE.read_text().splitlines())
    cost = cost_of(log.state.segments, usd_per_hour=1.39)
    assert len(cost["segments"]) == 2 and cost["billed_seconds"] == pytest.approx(
        log.billed_seconds(), abs=0.2
    )
    assert cost["usd"] == pytest.approx(sum(s["seconds"] for s in cost["segments"]) / 3600 * 1.39, abs=1e-3)
    assert cost["usd"] > 0


def test_task_output_is_never_mistaken_for_a_skypilot_fault_and_other_ranks_are_ignored() -> None:
    _, events, notes = parse(
        [
            "(vibeflow-x, pid=1) ERROR: Failed to load kernel: quota of nothing exceeded",
            '(worker1, rank=1, pid=2, ip=10.0.0.2) @@vibeflow@@ {"seq":1,"ts":1.0,"type":"stage","stage":"training"}',
            '(head, rank=0, pid=3) @@vibeflow@@ {"seq":1,"ts":1.0,"type":"stage","stage":"training"}',
        ]
    )
    assert notes == [] and len(events) == 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("sky.exceptions.NoCloudAccessError: Cloud access is not set up. Run: sky check", "no_clouds"),
        (
            "botocore.exceptions.ClientError: An error occurred (VcpuLimitExceeded) when calling RunInstances",
            "quota",
        ),
        ("Quota 'NVIDIA_A100_GPUS' exceeded. Limit: 0.0 in region us-central1.", "quota"),
        (
            "An error occurred (InsufficientInstanceCapacity): We currently do not have sufficient p4d capacity",
            "no_capacity",
        ),
        ("ResourcesUnavailableError: Failed to provision all possible launchable resources.", "no_capacity"),
        ("ERROR: Job 1's setup failed with return code 1 (pid=2817).", "setup_failed"),
        ("Failed to connect to SkyPilot API server at http://127.0.0.1:46580.", "connection"),
        (
            "Catalog does not contain any instances satisfying the request: 1x Lambda([Spot], {'H100': 1})",
            "not_offered",
        ),
    ],
)
def test_faults_are_classified_with_a_fix(text: str, kind: str) -> None:
    fault = classify(text)
    assert fault["fault"] == kind and fault["fix"] and fault["message"]


def test_setup_failure_line_in_the_log_is_a_classified_fault() -> None:
    _, _, notes = parse(["\x1b[31mERROR: Job 3's setup failed with return code 1 (pid=2790).\x1b[0m"])
    (note,) = notes
    assert note["kind"] == "fault" and note["fault"] == "setup_failed" and note["exit_code"] == 1


def test_budget_fault_names_the_limit() -> None:
    fault = budget_fault(12.5, 10.0)
    assert (
        fault["fault"] == "budget_exceeded" and "$12.50" in fault["message"] and "$10.00" in fault["message"]
    )


def test_journal_fills_what_the_log_lost_numbered_like_the_log() -> None:
    from tests.cloud.recording import bucket_journal

    lines = FIXTURE.read_text().splitlines()
    _full, expected, _notes = parse(lines)
    journal = [json.loads(line) for line in bucket_journal(lines)]
    events = [i for i, line in enumerate(lines) if "@@vibeflow@@" in line]
    lost = set(events[2:5]) | set(events[-6:-3])  # early events, and some after the recovery
    log, got, _notes = parse([line for i, line in enumerate(lines) if i not in lost])
    filled = log.journal_gaps(journal, final=True)
    assert len(filled) == len(lost) and log.journal_gaps(journal, final=True) == []
    by_seq = {e["seq"]: e for e in got + filled}
    assert sorted(by_seq) == [e["seq"] for e in expected]
    assert all(by_seq[e["seq"]]["ts"] == e["ts"] and by_seq[e["seq"]]["type"] == e["type"] for e in expected)


def test_journal_during_the_run_fills_gaps_only_up_to_what_the_log_showed() -> None:
    from tests.cloud.recording import bucket_journal

    lines = FIXTURE.read_text().splitlines()
    journal = [json.loads(line) for line in bucket_journal(lines)]
    events = [i for i, line in enumerate(lines) if "@@vibeflow@@" in line]
    shown = [line for i, line in enumerate(lines[: events[6] + 1]) if i != events[3]]  # lost one, then broke
    log, got, _notes = parse(shown)
    filled = log.journal_gaps(journal, final=False)
    assert [e["seq"] for e in filled] == [4]  # not seq 8 onwards: it may belong to an attempt not seen yet
    assert [e["seq"] for e in got] == [1, 2, 3, 5, 6, 7]


def test_journal_seqs_of_a_resumed_attempt_follow_the_logs_shift() -> None:
    log = ManagedJobLog()

    def line(seq: int, step: int) -> str:
        return f'(t, pid=1) @@vibeflow@@ {{"seq":{seq},"ts":{seq}.0,"type":"metrics","step":{step}}}'

    attempt_one = [line(s, s) for s in range(1, 11)]  # printed 1-10, the bucket kept 1-7
    attempt_two = [line(s, s) for s in (8, 9, 11)]  # resumed from the bucket's 7; its seq 10 was lost
    for text in [*attempt_one, "The job cluster is preempted or failed.", *attempt_two]:
        log.feed(text, 0.0)
    journal = [{"seq": s, "ts": float(s), "type": "metrics", "step": s} for s in range(1, 12)]
    filled = log.journal_gaps(journal, final=True)
    # attempt two's events are stored at seq + 3 (past attempt one's 10): its lost seq 10 becomes 13
    assert [(e["seq"], e["trainer_seq"]) for e in filled] == [(13, 10)]
