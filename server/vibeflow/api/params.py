"""Integer types of API parameters and bodies, bounded to what the store holds (see store.ids), so an id or
count past 64 bits is a 422 from validation instead of an OverflowError (HTTP 500) in the database driver."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

from vibeflow.store.ids import MAX_INT, MIN_INT

Int64 = Annotated[int, Field(ge=MIN_INT, le=MAX_INT)]
"""Any integer in a request body (narrow it further with Field(ge=..., le=...))."""

RowId = Annotated[int, Path(ge=1, le=MAX_INT, description="numeric id")]
"""A numeric id in the URL path."""
