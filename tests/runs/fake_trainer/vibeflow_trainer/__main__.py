"""`python -m vibeflow_trainer run SPEC --resume auto` for tests: a scripted trainer speaking the real event protocol.

It lets run-management tests exercise stop, kill -9, OOM, NaN and overfitting paths in a fraction of a second.
Behaviour comes from $FAKE_TRAINER_MODE: ok | slow | oom | nan | overfit | crash. Like the real trainer it
continues `seq` from events.jsonl, resumes from its latest checkpoint, and on SIGTERM checkpoints and exits 143.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

PREFIX = "@@vibeflow@@ "


class Writer:
    def __init__(self, output_dir: Path, run_id: str) -> None:
        self.journal = output_dir / "events.jsonl"
        self.run_id = run_id
        self.seq = 0
        if self.journal.exists():
            for line in self.journal.read_text().splitlines():
                try:
                    self.seq = max(self.seq, int(json.loads(line)["seq"]))
                except (ValueError, KeyError):
                    continue
        self.handle = self.journal.open("a")

    def emit(self, type_: str, **fields: object) -> None:
        self.seq += 1
        event = {"seq": self.seq, "ts": round(time.time(), 3), "type": type_, "run_id": self.run_id, **fields}
        line = json.dumps(event)
        print(PREFIX + line, flush=True)
        self.handle.write(line + "\n")
        self.handle.flush()


def main() -> int:
    spec_path = Path(sys.argv[sys.argv.index("run") + 1])
    spec = json.loads(spec_path.read_text())
    output_dir = Path(spec["output_dir"])
    mode = os.environ.get("FAKE_TRAINER_MODE", "ok")
    delay = float(os.environ.get("FAKE_STEP_S", "0.5" if mode == "slow" else "0.01"))
    max_steps = int(spec.get("max_steps") or 12)
    every = int(spec.get("checkpoint_every", 100))
    out = Writer(output_dir, spec["run_id"])
    (output_dir / "argv.json").write_text(json.dumps(sys.argv[1:]))
    checkpoints = sorted(int(p.name.split("-")[1]) for p in output_dir.glob("checkpoint-*"))
    start = checkpoints[-1] if checkpoints else 0
    state = {"step": start}

    def checkpoint(step: int) -> None:
        path = output_dir / f"checkpoint-{step}"
        path.mkdir(exist_ok=True)
        (path / "adapter_model.safetensors").write_bytes(b"fake")
        out.emit("checkpoint", step=step, path=str(path))

    def on_term(signum: int, _frame: object) -> None:
        checkpoint(state["step"])
        out.emit("stage", stage="stopped", detail={"reason": "sigterm", "step": state["step"]})
        sys.exit(143)

    signal.signal(signal.SIGTERM, on_term)
    print("Loading fake model... (noise line without the prefix)", flush=True)
    out.emit("stage", stage="preprocessing")
    out.emit("stage", stage="model_loading")
    out.emit("stage", stage="training", detail={"resumed_from_step": start} if start else {})
    for step in range(start + 1, max_steps + 1):
        time.sleep(delay)
        state["step"] = step
        loss = 3.0 / step
        fields: dict[str, object] = {
            "step": step,
            "max_steps": max_steps,
            "epoch": step / max_steps,
            "loss": loss,
            "learning_rate": spec.get("learning_rate", 2e-4),
            "grad_norm": 1.0,
            "tokens_per_s": 1000.0 + step,
            "eta_s": (max_steps - step) * delay,
        }
        if mode == "nan" and step == 3:
            fields["loss"] = None
            out.emit("metrics", **fields)
            out.emit(
                "error",
                error_type="nan_divergence",
                message="the loss became NaN at step 3",
                fix="lower learning_rate",
                exit_code=7,
            )
            out.emit("stage", stage="failed", detail={"error_type": "nan_divergence"})
            return 7
        if mode == "overfit" and step % 2 == 0:
            fields["eval_loss"] = 1.0 + step * 0.1
        out.emit("metrics", **fields)
        if mode == "oom" and step == 2 and int(spec.get("batch_size", 1)) > 4:
            out.emit(
                "error",
                error_type="out_of_memory",
                message="CUDA out of memory",
                fix="lower batch_size",
                exit_code=6,
            )
            out.emit("stage", stage="failed", detail={"error_type": "out_of_memory"})
            return 6
        if mode == "crash" and step == 2:
            print("Traceback (most recent call last):\nRuntimeError: boom", flush=True)
            return 1
        if step % every == 0:
            checkpoint(step)
    out.emit("stage", stage="finalizing")
    adapter = output_dir / "adapter"
    adapter.mkdir(exist_ok=True)
    out.emit(
        "stage",
        stage="completed",
        detail={
            "output_dir": str(output_dir),
            "adapter_path": str(adapter),
            "final_loss": 3.0 / max_steps,
            "steps": max_steps,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
