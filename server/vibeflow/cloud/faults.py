"""Classifies SkyPilot failures (text of errors and log lines) into fault kinds, each with a message and a fix."""

from __future__ import annotations

import re
from typing import Any

# (kind, pattern, message, fix) — first match wins; patterns are SkyPilot's / the clouds' own wording.
RULES: tuple[tuple[str, re.Pattern[str], str, str], ...] = (
    (
        "no_clouds",
        re.compile(
            r"NoCloudAccessError|Cloud access is not set up|No cloud (is )?(access is )?enabled|"
            r"No infra to check/enabled",
            re.I,
        ),
        "no cloud is enabled for SkyPilot",
        "set up credentials for one cloud (e.g. `aws configure`, `gcloud auth application-default login`, "
        "a RunPod or Lambda API key), then run `vibeflow cloud check`",
    ),
    (
        "not_offered",
        re.compile(r"Catalog does not contain any instances satisfying|are not supported (in|by) ", re.I),
        "no enabled cloud offers this GPU with these settings (e.g. spot, count or region)",
        "switch spot ↔ on-demand, change compute.gpu / gpu_count, or enable another cloud; "
        "the alternatives below are what the catalog offers",
    ),
    (
        "quota",
        re.compile(r"quota|QuotaExceeded|VcpuLimitExceeded|exceeded.*limit|GPUS_ALL_REGIONS", re.I),
        "the cloud refused the request: GPU quota exceeded",
        "request a quota increase for this GPU in the cloud console, or allow other clouds/regions "
        "(clear compute.cloud / compute.region) or a different GPU",
    ),
    (
        "no_capacity",
        re.compile(
            r"InsufficientInstanceCapacity|ZONE_RESOURCE_POOL_EXHAUSTED|out of capacity|no capacity|"
            r"Failed to provision all possible launchable resources|ResourcesUnavailableError|"
            r"No launchable resource found|does not have enough resources|capacity",
            re.I,
        ),
        "no capacity for the requested GPU after trying every allowed zone and region",
        "retry later, switch spot ↔ on-demand, or pick one of the alternatives below",
    ),
    (
        "setup_failed",
        re.compile(r"setup failed with return code|FAILED_SETUP|pip.*(error|failed)", re.I),
        "the node's setup (installing the trainer and its dependencies) failed",
        "read the setup output with `sky jobs logs JOB_ID`; check the pinned versions in the task's setup",
    ),
    (
        "credentials",
        re.compile(
            r"credentials|Unable to locate credentials|not authorized|AccessDenied|Unauthenticated", re.I
        ),
        "the cloud rejected the credentials",
        "refresh the cloud's credentials, then run `vibeflow cloud check`",
    ),
    (
        "connection",
        re.compile(
            r"Failed to connect to SkyPilot API server|ConnectionError|Connection refused|timed out", re.I
        ),
        "lost the connection to SkyPilot while following the job",
        "VibeFlow reconnects with backoff; if it persists, check the network and `sky api status`",
    ),
)


def classify(text: str, *, strict: bool = False) -> dict[str, Any] | None:
    """The fault of an error text: {kind, message, fix, detail}. `strict`: only for lines that say ERROR/failed."""
    if strict and not re.search(r"\b(error|failed|exception|exceeded|unavailable)\b", text, re.I):
        return None
    for kind, pattern, message, fix in RULES:
        if pattern.search(text):
            return {"fault": kind, "message": message, "fix": fix, "detail": text.strip()[-500:]}
    if strict:
        return None
    return {
        "fault": "unknown",
        "message": "SkyPilot reported an error",
        "fix": "read the detail; run the task by hand with `sky jobs launch` to see the full output",
        "detail": text.strip()[-500:],
    }


def budget_fault(spent_usd: float, limit_usd: float) -> dict[str, Any]:
    return {
        "fault": "budget_exceeded",
        "message": f"the run has cost ${spent_usd:,.2f}, over budget.max_cost_usd ${limit_usd:,.2f}: it was cancelled",
        "fix": "raise budget.max_cost_usd, or choose a cheaper GPU / spot instances (`vibeflow cloud plan`), "
        "then resume the run",
        "detail": "",
    }
