"""HTTP routes for cloud (SkyPilot) status and plans."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
