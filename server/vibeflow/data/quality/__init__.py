"""Data-quality checks of canonical datasets: one module per check, `report.build_report` runs them all."""

from vibeflow.data.quality.report import QualityReport, build_report

__all__ = ["QualityReport", "build_report"]
