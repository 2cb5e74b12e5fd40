"""Inline SVG charts for the HTML report (no JavaScript, no external files): score bars and grouped metric bars."""

from __future__ import annotations

from html import escape

BASE_COLOR, TUNED_COLOR = "#9aa5b1", "#2f6fde"


def score_bars(base: float, tuned: float, width: int = 560) -> str:
    """Two horizontal 0–100 bars with the gate thresholds (50, 70) marked."""
    left, bar_w, height = 110, width - 130, 96
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Overall score: base {base:.0f}, tuned {tuned:.0f}">']  # fmt: skip
    for i, (label, value, color) in enumerate(
        (("Base model", base, BASE_COLOR), ("Fine-tuned", tuned, TUNED_COLOR))
    ):
        y = 12 + i * 36
        w = max(0.0, min(100.0, value)) / 100 * bar_w
        parts.append(f'<text x="0" y="{y + 17}" font-size="13" fill="#333">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{bar_w}" height="24" fill="#eef1f4" rx="3"/>')
        parts.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="24" fill="{color}" rx="3"/>')
        parts.append(
            f'<text x="{left + w + 4:.1f}" y="{y + 17}" font-size="13" font-weight="bold">{value:.0f}</text>'
        )
    for mark, color in ((50, "#d98c00"), (70, "#2e9b4f")):
        x = left + mark / 100 * bar_w
        parts.append(
            f'<line x1="{x:.1f}" y1="6" x2="{x:.1f}" y2="82" stroke="{color}" stroke-dasharray="4 3"/>'
        )
        parts.append(f'<text x="{x - 8:.1f}" y="94" font-size="10" fill="{color}">{mark}</text>')
    parts.append("</svg>")
    return "".join(parts)


def grouped_bars(
    rows: list[tuple[str, float, float]], width: int = 640, height: int = 240, top: float = 1.0
) -> str:
    """Vertical base/tuned bar pairs per metric on a 0..top scale."""
    if not rows:
        return ""
    left, bottom, plot_h = 36, 40, height - 60
    group_w = (width - left - 10) / len(rows)
    bar_w = min(28.0, group_w / 3)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             'aria-label="Metrics, base vs fine-tuned">']  # fmt: skip
    for tick in range(0, 5):
        value = top * tick / 4
        y = height - bottom - plot_h * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="2" y="{y + 4:.1f}" font-size="10" fill="#666">{value:g}</text>')
    for i, (label, base, tuned) in enumerate(rows):
        x0 = left + i * group_w + group_w / 2 - bar_w
        for j, (value, color) in enumerate(((base, BASE_COLOR), (tuned, TUNED_COLOR))):
            h = max(0.0, min(top, value)) / top * plot_h
            x = x0 + j * bar_w
            y = height - bottom - h
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" fill="{color}">'
                         f"<title>{escape(label)}: {value:.3f}</title></rect>")  # fmt: skip
        parts.append(f'<text x="{left + i * group_w + group_w / 2:.1f}" y="{height - bottom + 16}" font-size="11" '
                     f'text-anchor="middle" fill="#333">{escape(label)}</text>')  # fmt: skip
    legend_y = height - 8
    parts.append(f'<rect x="{left}" y="{legend_y - 9}" width="10" height="10" fill="{BASE_COLOR}"/>'
                 f'<text x="{left + 14}" y="{legend_y}" font-size="11">base</text>'
                 f'<rect x="{left + 60}" y="{legend_y - 9}" width="10" height="10" fill="{TUNED_COLOR}"/>'
                 f'<text x="{left + 74}" y="{legend_y}" font-size="11">fine-tuned</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)
