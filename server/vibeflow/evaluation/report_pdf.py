"""PDF report with reportlab (pure pip install): summary, score and metric charts, metric table, hints, examples.

Text uses DejaVu Sans when the system has it (any script), otherwise the built-in Helvetica, in which case
characters outside Latin-1 are replaced by '?'.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from vibeflow.evaluation.report_html import CHART_METRICS
from vibeflow.evaluation.views import fmt

_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)


def _font() -> tuple[str, bool]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for path in _FONT_PATHS:
        regular = Path(path)
        if not regular.is_file():
            continue
        try:
            faces = {}
            for face, suffix in (("", ""), ("b", "-Bold"), ("i", "-Oblique"), ("bi", "-BoldOblique")):
                file = regular.with_name(f"DejaVuSans{suffix}.ttf")
                name = f"VibeSans{suffix}"
                pdfmetrics.registerFont(TTFont(name, str(file if file.is_file() else regular)))
                faces[face] = name
            pdfmetrics.registerFontFamily(
                "VibeSans", normal=faces[""], bold=faces["b"], italic=faces["i"], boldItalic=faces["bi"]
            )
            return "VibeSans", True
        except Exception:  # noqa: BLE001 - a broken font file: fall back to Helvetica
            break
    return "Helvetica", False


def _text(value: Any, unicode_ok: bool, limit: int = 1500) -> str:
    text = str(value if value is not None else "")[:limit]
    if not unicode_ok:
        text = text.encode("latin-1", "replace").decode("latin-1")
    return escape(text).replace("\n", "<br/>")


def _bar_chart(rows: list[tuple[str, float, float]], top: float, width: float, height: float) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.legends import Legend
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 40, 30, width - 60, height - 50
    chart.data = [[r[1] for r in rows], [r[2] for r in rows]]
    chart.categoryAxis.categoryNames = [r[0] for r in rows]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#9aa5b1")
    chart.bars[1].fillColor = colors.HexColor("#2f6fde")
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, 10
    legend.fontSize = 7
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.colorNamePairs = [(colors.HexColor("#9aa5b1"), "base"), (colors.HexColor("#2f6fde"), "fine-tuned")]
    drawing.add(legend)
    return drawing


def write_pdf(detail: dict[str, Any], path: Path, example_limit: int = 6) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font, unicode_ok = _font()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName=font, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#555555"))
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontName=font, fontSize=16)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName=font, fontSize=12)
    t = lambda value, limit=1500: _text(value, unicode_ok, limit)  # noqa: E731
    summary = detail["summary"]
    overall, gate = summary["overall"], summary["gate"]
    info = summary.get("info", {})
    story: list[Any] = [
        Paragraph(f"Model evaluation: {t(detail['run_id'])}", h1),
        Paragraph(
            f"Evaluation {t(detail['id'])} · {info.get('examples', '?')} held-out examples · "
            f"{t(info.get('decoding', ''))} decoding",
            small,
        ),  # fmt: skip
        Spacer(1, 8),
        Paragraph(
            f"<b>Overall score {overall['tuned']:.0f}/100 — {t(gate['label'])}</b> "
            f"(base {overall['base']:.0f}/100, {overall['improvement']:+.1f} points)",
            body,
        ),  # fmt: skip
        Paragraph(t(summary["executive_summary"]), body),
    ]
    if summary.get("demo_base"):
        story.append(Paragraph("The base is the offline demo model (random weights): the numbers only show the "
                               "pipeline working.", small))  # fmt: skip
    story += [
        Spacer(1, 6),
        _bar_chart([("Overall score", overall["base"], overall["tuned"])], 100, 16 * cm, 4.2 * cm),
    ]
    models = detail["models"]
    rows = [
        (label, max(0.0, float(models["base"][k])), max(0.0, float(models["tuned"][k])))
        for k, label in CHART_METRICS
        if isinstance(models["base"].get(k), int | float) and isinstance(models["tuned"].get(k), int | float)
    ]
    story += [Paragraph("Metrics: base vs fine-tuned", h2), _bar_chart(rows, 1.0, 16 * cm, 6 * cm)]
    arrow = {True: "better", False: "worse", None: "="}
    data = [["Metric", "Base", "Fine-tuned", "Change"]] + [
        [
            Paragraph(t(r["label"]), body),
            fmt(r["base"], r["unit"]),
            fmt(r["tuned"], r["unit"]),
            arrow[r["better"]],
        ]
        for r in detail["metrics"]
    ]
    table = Table(data, colWidths=[8 * cm, 2.8 * cm, 2.8 * cm, 2.4 * cm], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f4")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d5d9de")), ("ALIGN", (1, 1), (2, -1), "RIGHT"),
    ]))  # fmt: skip
    story += [Spacer(1, 6), table]
    story += [Paragraph("AI judge", h2), Paragraph(t(summary["judge"].get("note", "")), body)]
    story += [Paragraph("Forgetting check", h2), Paragraph(t(summary["forgetting"].get("note", "")), body)]
    if detail["hints"]:
        story.append(
            Paragraph("Performance below expectations" if summary.get("below_expectations") else "Hints", h2)
        )
        for i, hint in enumerate(detail["hints"], start=1):
            story.append(Paragraph(f"{i}. <b>{t(hint['title'])}</b>: {t(hint['detail'])}<br/>→ {t(hint['action']['label'])}: "
                                   f"<font face='Courier'>{t(hint['action']['command'])}</font>", body))  # fmt: skip
    story.append(Paragraph("Before / after examples", h2))
    for example in detail["examples"][:example_limit]:
        prompt = "\n".join(f"{turn['role']}: {turn['content']}" for turn in example["prompt"])
        story += [
            Paragraph(f"<b>Example {example['index'] + 1}</b>: {t(prompt, 600)}", body),
            Paragraph(f"<i>Reference</i>: {t(example['reference'], 600)}", small),
            Paragraph(f"<i>Base</i>: {t(example['base']['output'], 600)}", small),
            Paragraph(f"<i>Fine-tuned</i>: {t(example['tuned']['output'], 600)}", small),
            Spacer(1, 6),
        ]
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.partial")
    doc = SimpleDocTemplate(str(staged), pagesize=A4, title=f"Evaluation {detail['id']}", author="VibeFlow",
                            leftMargin=1.8 * cm, rightMargin=1.8 * cm, topMargin=1.6 * cm, bottomMargin=1.6 * cm)  # fmt: skip
    doc.build(story)
    os.replace(staged, path)
    return path.resolve()
