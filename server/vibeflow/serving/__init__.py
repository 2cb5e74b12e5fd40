"""Deployments: engine processes (vLLM, CPU fallback) behind our OpenAI-compatible gateway (keys, limits,
usage, A/B, rollback), the train↔serve consistency check and download packages."""
