"""Cloud GPUs through SkyPilot, driven in its own virtual environment (never imported here)."""
