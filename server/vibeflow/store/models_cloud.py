"""ORM model of a run's SkyPilot job: where it runs, its price, interruptions and billed segments (migration 0006)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vibeflow.store.models import Base, utcnow


class CloudJob(Base):
    """The cloud side of one run: SkyPilot job id, chosen offer, recoveries and the cost so far."""

    __tablename__ = "cloud_jobs"

    run_id: Mapped[str] = mapped_column(ForeignKey("runs.id"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(16))  # managed (spot, recovers) | cluster (on-demand)
    job_name: Mapped[str] = mapped_column(String(200))
    job_id: Mapped[int | None] = mapped_column(Integer)
    task_path: Mapped[str] = mapped_column(String(4096))
    status: Mapped[str] = mapped_column(String(32), default="PENDING")
    cloud: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(64))
    instance_type: Mapped[str | None] = mapped_column(String(128))
    usd_per_hour: Mapped[float | None] = mapped_column(Float)
    interruptions: Mapped[int] = mapped_column(Integer, default=0)
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    fault: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "mode": self.mode,
            "job_name": self.job_name,
            "job_id": self.job_id,
            "task_path": self.task_path,
            "status": self.status,
            "cloud": self.cloud,
            "region": self.region,
            "instance_type": self.instance_type,
            "usd_per_hour": self.usd_per_hour,
            "interruptions": self.interruptions,
            "summary": f"interrupted {self.interruptions}×, resumed" if self.interruptions else "",
            "segments": self.segments,
            "cost_usd": self.cost_usd,
            "fault": self.fault,
        }
