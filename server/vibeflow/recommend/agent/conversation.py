"""Persistence of brainstorm conversations: one live conversation per project, messages with their cards.

Resetting archives the conversation (nothing is deleted); the next message starts a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vibeflow.store.models import Project
from vibeflow.store.models_agent import AgentConversation, AgentMessage

HISTORY_FOR_MODEL = 24  # messages sent back to Gemini as context


async def project_for(session: AsyncSession, name: str) -> Project:
    name = (name or "default").strip() or "default"
    project = await session.scalar(select(Project).where(Project.name == name))
    if project is None:
        project = Project(name=name)
        session.add(project)
        await session.flush()
    return project


async def live_conversation(
    session: AsyncSession, project: str, *, create: bool = True
) -> AgentConversation | None:
    proj = await project_for(session, project)
    conv = await session.scalar(
        select(AgentConversation)
        .where(AgentConversation.project_id == proj.id, AgentConversation.archived_at.is_(None))
        .order_by(AgentConversation.id.desc())
        .limit(1)
    )
    if conv is None and create:
        conv = AgentConversation(project_id=proj.id, state={})
        session.add(conv)
        await session.flush()
    return conv


async def messages(
    session: AsyncSession, conversation_id: int, limit: int | None = None
) -> list[AgentMessage]:
    query = select(AgentMessage).where(AgentMessage.conversation_id == conversation_id)
    if limit:
        query = query.order_by(AgentMessage.seq.desc()).limit(limit)
        return list(reversed(list(await session.scalars(query))))
    return list(await session.scalars(query.order_by(AgentMessage.seq)))


async def add_message(
    session: AsyncSession,
    conversation: AgentConversation,
    role: str,
    content: str,
    *,
    mode: str | None = None,
    notice: str | None = None,
    card: dict[str, Any] | None = None,
    tool_calls: list[Any] | None = None,
) -> AgentMessage:
    last = await session.scalar(
        select(func.max(AgentMessage.seq)).where(AgentMessage.conversation_id == conversation.id)
    )
    message = AgentMessage(
        conversation_id=conversation.id,
        seq=(last or 0) + 1,
        role=role,
        content=content,
        mode=mode,
        notice=notice,
        card=card or {},
        tool_calls=tool_calls or [],
    )
    session.add(message)
    conversation.updated_at = datetime.now(UTC)
    await session.flush()
    return message


async def archive(session: AsyncSession, project: str) -> int | None:
    conv = await live_conversation(session, project, create=False)
    if conv is None:
        return None
    conv.archived_at = datetime.now(UTC)
    await session.flush()
    return conv.id


def message_view(message: AgentMessage) -> dict[str, Any]:
    created = message.created_at
    return {
        "role": message.role,
        "content": message.content,
        "created_at": created.isoformat() if created else None,
        "mode": message.mode,
        "notice": message.notice,
        **(message.card or {}),
    }
