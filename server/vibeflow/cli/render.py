"""Human-readable rendering of quality reports, versions and row previews for the terminal."""

from __future__ import annotations

from typing import Any

ICONS = {"error": "✖", "warning": "⚠", "info": "ℹ"}
RULE = "━" * 60


def _lengths_line(lengths: dict[str, Any]) -> str:
    def part(side: str) -> str:
        stats = lengths.get(side) or {}
        return f"{side} mean {stats.get('mean', 0):.0f} / p95 {stats.get('p95', 0):.0f} / max {stats.get('max', 0):.0f}"

    tok = lengths.get("tokenizer", "?")
    exact = "" if lengths.get("exact", True) else " (approximate)"
    return f"{part('input')}; {part('output')} tokens [{tok}{exact}]"


def render_report(report: dict[str, Any]) -> str:
    mapping = report.get("mapping", {})
    lines = [
        "Data Quality Report" + (f" — {report['source_path']}" if report.get("source_path") else ""),
        RULE,
        f"Score:    {report.get('score', 0):.0f}/100",
        f"Rows:     {report.get('rows', 0):,}  (format: {report.get('format', '?')})",
        f"Mapping:  input={mapping.get('input')} output={mapping.get('output')} "
        f"confidence={mapping.get('confidence', 0):.2f}",
    ]
    if mapping.get("ignored"):
        lines.append(f"Ignored:  {', '.join(mapping['ignored'])}")
    if report.get("languages"):
        langs = ", ".join(f"{k} {v}" for k, v in list(report["languages"].items())[:4])
        lines.append(f"Language: {langs}")
    if report.get("lengths"):
        lines.append(f"Lengths:  {_lengths_line(report['lengths'])}")
    issues = report.get("issues", [])
    lines.append(RULE)
    if not issues:
        lines.append("✔ No issues found.")
    for issue in issues:
        icon = ICONS.get(issue.get("severity", "info"), "•")
        rows = issue.get("rows") or []
        shown = ", ".join(str(r) for r in rows[:8]) + (
            " …" if len(rows) > 8 or issue.get("rows_truncated") else ""
        )
        lines.append(f"{icon} {issue['kind']:<17} {issue['count']:>6}  {issue['message']}")
        if shown:
            lines.append(f"    rows: {shown}")
        if issue.get("fix"):
            lines.append(f"    fix:  {issue['fix']}")
    if report.get("skipped"):
        lines.append(
            f"⚠ skipped {len(report['skipped'])} broken row(s) at import: "
            + ", ".join(str(s["row"]) for s in report["skipped"][:10])
        )
    if report.get("fixes_applied"):
        lines.append("Fixes applied: " + ", ".join(f"{k}: {v}" for k, v in report["fixes_applied"].items()))
    return "\n".join(lines)


def render_version(label: str, summary: dict[str, Any]) -> str:
    score = summary.get("score")
    score_text = f"{score:.0f}/100" if score is not None else "n/a"
    return (
        f"{label}: {summary['ref']}  rows={summary['rows']:,} score={score_text} "
        f"hash={summary['hash'][:12]} ({summary['operation']})"
    )


def render_versions(datasets: list[dict[str, Any]]) -> str:
    if not datasets:
        return "No datasets yet. Import one with: vibeflow data import FILE"
    lines: list[str] = []
    for entry in datasets:
        lines.append(entry["dataset"])
        for version in entry["versions"]:
            parent = f" ← {version['parent_id']}" if version["parent_id"] else ""
            lines.append(f"  {render_version(version['role'], version)} id={version['id']}{parent}")
    return "\n".join(lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_rows(page: dict[str, Any]) -> str:
    lines = [
        f"{page['version']}: rows {page['offset'] + 1}–{page['offset'] + len(page['rows'])} of {page['total']}",
        f"{'row':>6} | {'input':<40} | {'output':<40} | score",
    ]
    for row in page["rows"]:
        lines.append(
            f"{row['row']:>6} | {_clip(row['input_text'], 40):<40} | "
            f"{_clip(row['output_text'], 40):<40} | {row['score']:.0f}"
        )
    return "\n".join(lines)
