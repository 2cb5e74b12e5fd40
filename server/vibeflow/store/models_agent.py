"""ORM models of brainstorm conversations (see migration 0003): one live conversation per project, kept forever.

A reset archives the conversation (sets `archived_at`) instead of deleting it, so nothing is lost; the next
message opens a new one. `state` holds what the agent knows so far (task, data size, priority, hardware, the
last recommendation), so the offline fallback and "Let AI pick" can continue any conversation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vibeflow.store.models import Base, utcnow


class AgentConversation(Base):
    """A brainstorm conversation of one project."""

    __tablename__ = "agent_conversations"
    __table_args__ = (Index("ix_agent_conversations_project", "project_id", "archived_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    messages: Mapped[list[AgentMessage]] = relationship(
        back_populates="conversation", order_by="AgentMessage.seq", cascade="all, delete-orphan"
    )


class AgentMessage(Base):
    """One turn: the user's text, or the agent's reply with the card it showed (recommendation, estimate…)."""

    __tablename__ = "agent_messages"
    __table_args__ = (Index("ix_agent_messages_conversation_seq", "conversation_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("agent_conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    content: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str | None] = mapped_column(String(16))  # gemini | offline (assistant turns)
    notice: Mapped[str | None] = mapped_column(Text)
    card: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tool_calls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    conversation: Mapped[AgentConversation] = relationship(back_populates="messages")
