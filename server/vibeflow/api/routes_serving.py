"""HTTP routes for deployments and the gateway's management."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
