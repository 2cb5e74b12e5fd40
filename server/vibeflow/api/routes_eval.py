"""Evaluation routes: start one (runs in the background), list, detail with examples, progress events, reports.

The router's lifespan switches auto-evaluation to background mode (a finished run does not hold up the run
queue) and cancels running evaluations on shutdown (they are stored as failed with a re-run fix).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from vibeflow.api.params import Int64
from vibeflow.errors import VibeFlowError
from vibeflow.evaluation import auto
from vibeflow.evaluation.service import EvaluationService
from vibeflow.evaluation.views import evaluation_detail, evaluation_summary
from vibeflow.store.ids import MAX_INT


@asynccontextmanager
async def eval_lifespan(_app: FastAPI) -> AsyncIterator[None]:
    auto.set_background(True)
    try:
        yield
    finally:
        await auto.cancel_background()
        auto.set_background(False)


router = APIRouter(prefix="/api", tags=["evaluation"], lifespan=eval_lifespan)


def _service(request: Request) -> EvaluationService:
    return EvaluationService(request.app.state.db, request.app.state.settings)


class CreateEvaluationBody(BaseModel):
    """Evaluate a completed run's tuned model against its base on the run's held-out split."""

    run_id: str = Field(..., description="run id (or a unique prefix)")
    sample: Int64 | None = Field(
        None, ge=0, description="held-out examples to generate (default 50; 0 = all)"
    )
    judge: bool | None = Field(None, description="Gemini judge: true/false; default: used when a key is set")
    judge_sample: Int64 | None = Field(None, ge=0, description="examples the judge rates (default 20)")
    max_new_tokens: Int64 | None = Field(
        None, ge=1, description="generation limit (default: from the reference lengths)"
    )
    forgetting: bool | None = Field(
        None, description="run the general-knowledge forgetting check (default true)"
    )


@router.post("/evaluations", status_code=202)
async def create_evaluation(body: CreateEvaluationBody, request: Request) -> dict[str, Any]:
    service = _service(request)
    options = body.model_dump(exclude={"run_id"}, exclude_none=True)
    ev = await service.create(body.run_id, trigger="manual", options=options)
    auto.spawn(service.execute(ev.id), name=f"eval-{ev.id}")
    return evaluation_summary(ev)


class RunEvaluationBody(BaseModel):
    """Options for `POST /api/runs/{run_id}/evaluate` (all optional)."""

    sample: Int64 | None = Field(None, ge=0)
    judge: bool | None = None
    judge_sample: Int64 | None = Field(None, ge=0)
    max_new_tokens: Int64 | None = Field(None, ge=1)
    forgetting: bool | None = None


@router.post("/runs/{run_id}/evaluate", status_code=202)
async def evaluate_run(
    run_id: str, request: Request, body: RunEvaluationBody | None = None
) -> dict[str, Any]:
    """Same as `POST /api/evaluations` with the run in the path (used by the editor's Evaluate command)."""
    options = body.model_dump(exclude_none=True) if body else {}
    return await create_evaluation(CreateEvaluationBody(run_id=run_id, **options), request)


@router.get("/evaluations")
async def list_evaluations(
    request: Request, run_id: str | None = Query(None), limit: int = Query(50, ge=1, le=500)
) -> list[dict[str, Any]]:
    return [evaluation_summary(ev) for ev in await _service(request).list(run_id, limit=limit)]


@router.get("/evaluations/{ref}")
async def get_evaluation(ref: str, request: Request) -> dict[str, Any]:
    """Summary, metric table (base vs tuned), per-example outputs and scores, hints; `ref` may be a run id."""
    return evaluation_detail(*(await _service(request).get(ref)))


@router.get("/evaluations/{ref}/events")
async def evaluation_events(
    ref: str,
    request: Request,
    after_seq: int = Query(0, ge=0, le=MAX_INT),
    limit: int = Query(500, ge=1, le=5000),
) -> dict[str, Any]:
    """The evaluation process's journaled progress events (stage / progress / error), paged by seq."""
    ev, _ = await _service(request).get(ref)
    journal = Path(ev.output_dir) / "events.jsonl"
    events = []
    if journal.is_file():
        for line in journal.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("seq", 0) > after_seq:
                events.append(event)
    page = events[:limit]
    return {
        "status": ev.status,
        "stage": ev.stage,
        "progress": ev.progress,
        "events": page,
        "next_seq": page[-1]["seq"] if page else after_seq,
        "has_more": len(events) > len(page),
    }


async def _completed(ref: str, request: Request) -> dict[str, Any]:
    detail = evaluation_detail(*(await _service(request).get(ref)))
    if detail["status"] != "completed":
        raise VibeFlowError(
            f"evaluation {detail['id']} is {detail['status']}; reports exist for completed evaluations",
            fix="wait for it to finish (GET /api/evaluations/{id}) or start a new one",
            http_status=409,
        )
    return detail


@router.get("/evaluations/{ref}/report.html", response_class=HTMLResponse)
async def report_html(ref: str, request: Request) -> HTMLResponse:
    from vibeflow.evaluation.report_html import render_html

    return HTMLResponse(render_html(await _completed(ref, request)))


@router.get("/evaluations/{ref}/report.pdf", response_class=Response)
async def report_pdf(ref: str, request: Request) -> Response:
    import asyncio
    import tempfile

    from vibeflow.evaluation.report_pdf import write_pdf

    detail = await _completed(ref, request)
    with tempfile.TemporaryDirectory() as tmp:
        path = await asyncio.to_thread(write_pdf, detail, Path(tmp) / "report.pdf")
        data = path.read_bytes()
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="evaluation-{detail["id"]}.pdf"'},
    )
