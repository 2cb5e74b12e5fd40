"""HTTP API: FastAPI routes on loopback, guarded by a per-session bearer token."""
