"""HTTP routes for the brainstorm agent."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
