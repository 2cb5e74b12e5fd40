"""HTTP routes of the brainstorm agent (the contract the VS Code Brainstorm view codes against).

| route | body → answer |
| --- | --- |
| `POST /api/agent/messages` | `{project, message, dataset_version, data_path}` → `AgentReply` |
| `POST /api/agent/pick` | `{project, dataset_version, data_path}` → `AgentReply` ("Let AI pick": always a recommendation) |
| `GET /api/agent/conversation?project=` | `{conversation_id, messages: [{role, content, created_at, mode, notice, …card}]}` |
| `DELETE /api/agent/conversation?project=` | archives the conversation; the next message starts a new one |
| `POST /api/agent/recipe` | `{project, recommendation?, recipe_dir?}` → `{yaml, estimate, estimate_command, file_name}` |

The server never writes workspace files: the extension applies `yaml` as an undoable WorkspaceEdit.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

router = APIRouter(prefix="/api/agent", tags=["agent"])
_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)  # one turn at a time per project


class MessageBody(BaseModel):
    project: str = Field("default", max_length=200)
    message: str = Field("", description="the user's chat message (empty gets a clarifying question)")
    dataset_version: str | None = Field(
        None, description="a stored dataset version (NAME, NAME@N, id) to use"
    )
    data_path: str | None = Field(
        None,
        description="or the absolute path of a data file on this machine (sampled like `vibeflow estimate`)",
    )


class PickBody(BaseModel):
    project: str = Field("default", max_length=200)
    dataset_version: str | None = None
    data_path: str | None = None


class RecipeBody(BaseModel):
    project: str = Field("default", max_length=200)
    recommendation: dict[str, Any] | None = Field(
        None, description="a recommendation as returned by /messages; empty: the conversation's latest"
    )
    recipe_dir: str | None = Field(
        None, description="folder the vibeflow.yaml will be written to: data.path is made relative to it"
    )


class AgentReply(BaseModel):
    conversation_id: int
    reply: str
    suggested_replies: list[str]
    recommendation: dict[str, Any] | None = Field(
        description="recommend output; its estimate is the recipe's"
    )
    estimate: dict[str, Any] | None
    comparison: list[dict[str, Any]] | None = Field(description="2-3 model rows side by side")
    mode: Literal["gemini", "offline"]
    notice: str | None = Field(description="why the answer is offline, or a warning about the reply")


class RecipeReply(BaseModel):
    yaml: str
    estimate: dict[str, Any]
    estimate_command: str
    file_name: str


def _agent(request: Request, session: Any) -> Any:
    from vibeflow.recommend.agent import BrainstormAgent

    return BrainstormAgent(session, request.app.state.settings)


@router.post("/messages", response_model=AgentReply)
async def post_message(body: MessageBody, request: Request) -> dict[str, Any]:
    async with _locks[body.project], request.app.state.db.session() as session:
        return await _agent(request, session).send(
            body.project, body.message, body.dataset_version, body.data_path
        )


@router.post("/pick", response_model=AgentReply)
async def post_pick(body: PickBody, request: Request) -> dict[str, Any]:
    async with _locks[body.project], request.app.state.db.session() as session:
        return await _agent(request, session).pick(body.project, body.dataset_version, body.data_path)


@router.get("/conversation")
async def get_conversation(
    request: Request, project: str = Query("default", max_length=200)
) -> dict[str, Any]:
    # Under the project's lock: this creates the project/conversation on first use, like POST /messages,
    # and the two race when a chat view loads its history while the first message is sent.
    async with _locks[project], request.app.state.db.session() as session:
        return await _agent(request, session).conversation(project)


@router.delete("/conversation")
async def delete_conversation(
    request: Request, project: str = Query("default", max_length=200)
) -> dict[str, Any]:
    async with _locks[project], request.app.state.db.session() as session:
        return await _agent(request, session).reset(project)


@router.post("/recipe", response_model=RecipeReply)
async def post_recipe(body: RecipeBody, request: Request) -> dict[str, Any]:
    async with request.app.state.db.session() as session:
        return await _agent(request, session).recipe(body.project, body.recommendation, body.recipe_dir)
