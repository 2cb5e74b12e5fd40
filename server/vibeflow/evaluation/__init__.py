"""Evaluation of a tuned model against its base: metrics kept in the repo, LLM judge, scores, gate, reports."""
