"""ORM models of deployments, their versions and history, API keys and per-request usage (migration 0005).

A deployment serves one model name (`name`, the OpenAI `model` field) of a project through the gateway; its
traffic goes to one version, or to two by weight (A/B). Every version is one run's adapter. API keys belong to
a project and are stored as scrypt hashes with a short public prefix for lookup; the secret is shown once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from vibeflow.store.models import Base, Project, utcnow

DEPLOYMENT_STATUSES = ("starting", "checking", "live", "unhealthy", "stopped", "failed", "refused")


class Deployment(Base):
    """One served model name: engine, desired state, current version and A/B split, engine process."""

    __tablename__ = "deployments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    engine: Mapped[str] = mapped_column(String(8))  # cpu | vllm
    base_model: Mapped[str] = mapped_column(String(4096))
    status: Mapped[str] = mapped_column(String(16), default="starting")
    desired: Mapped[str] = mapped_column(String(8), default="running")  # running | stopped
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    # [{"version_id": int, "weight": float}] — one entry: all traffic to it; two: A/B by weight.
    split: Mapped[list[Any]] = mapped_column(JSON, default=list)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    engine_url: Mapped[str | None] = mapped_column(String(200))
    engine_pid: Mapped[int | None] = mapped_column(Integer)
    log_path: Mapped[str | None] = mapped_column(String(4096))
    restarts: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str | None] = mapped_column(String(2000))
    consistency: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    cost_per_hour_usd: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    project: Mapped[Project] = relationship()
    versions: Mapped[list[DeploymentVersion]] = relationship(
        back_populates="deployment", order_by="DeploymentVersion.number"
    )


class DeploymentVersion(Base):
    """One adapter (a finished run's output) deployed under a deployment, numbered 1, 2, …; never deleted."""

    __tablename__ = "deployment_versions"
    __table_args__ = (UniqueConstraint("deployment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(32), index=True)
    adapter_path: Mapped[str] = mapped_column(String(4096))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deployment: Mapped[Deployment] = relationship(back_populates="versions")


class DeploymentEvent(Base):
    """History: deploy, activate, rollback, split, start, stop, unhealthy, restart, refused."""

    __tablename__ = "deployment_events"
    __table_args__ = (Index("ix_deployment_events_dep_ts", "deployment_id", "ts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[str] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ApiKey(Base):
    """A project's gateway key: public prefix for lookup, scrypt hash (+ salt, cost) of the whole key."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    hash: Mapped[str] = mapped_column(String(128))
    salt: Mapped[str] = mapped_column(String(64))
    kdf: Mapped[str] = mapped_column(String(64))  # e.g. "scrypt:n=16384,r=8,p=1"
    rate_limit_per_minute: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by_id: Mapped[int | None] = mapped_column(Integer)


class UsageRecord(Base):
    """One gateway request: who, which deployment and arm, status, latency, tokens, estimated cost."""

    __tablename__ = "usage_records"
    __table_args__ = (Index("ix_usage_dep_day", "deployment_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ts: Mapped[float] = mapped_column(Float)
    day: Mapped[str] = mapped_column(String(10))  # UTC YYYY-MM-DD
    deployment_id: Mapped[str | None] = mapped_column(String(32))
    version_id: Mapped[int | None] = mapped_column(Integer)
    key_id: Mapped[int | None] = mapped_column(Integer)
    endpoint: Mapped[str] = mapped_column(String(32))
    status: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(String(32))
