"""Training runs: recipe → spec, the job queue, the trainer subprocess, event ingestion, alerts and retries."""
