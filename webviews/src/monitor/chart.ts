/** Line charts on uPlot (a maintained, small canvas chart library), coloured from the VS Code theme. */

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatTick } from "./series";

export interface LineSpec {
  label: string;
  /** A --vscode-charts-* colour name, e.g. "blue". */
  color: string;
  dash?: boolean;
}

function themeColor(name: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(`--vscode-charts-${name}`).trim();
  return value || "#3794ff";
}

function fg(): string {
  return getComputedStyle(document.body).getPropertyValue("--vscode-descriptionForeground").trim() || "#888";
}

export class LineChart {
  private plot: uPlot | null = null;
  private data: uPlot.AlignedData = [[]];

  constructor(
    private readonly host: HTMLElement,
    private readonly lines: LineSpec[],
    private readonly options: { log?: boolean; yLabel?: string } = {},
  ) {
    new ResizeObserver(() => this.resize()).observe(host);
  }

  private width(): number {
    return Math.max(240, Math.floor(this.host.clientWidth || 480));
  }

  private create(): void {
    const axis = { stroke: fg(), grid: { stroke: "rgba(128,128,128,0.15)" }, ticks: { stroke: "rgba(128,128,128,0.3)" } };
    this.plot = new uPlot(
      {
        width: this.width(),
        height: 200,
        scales: { x: { time: false }, y: this.options.log ? { distr: 3 } : {} },
        axes: [{ ...axis, label: "step" }, {
            ...axis,
            label: this.options.yLabel ?? "",
            size: 60,
            values: (_plot: uPlot, splits: number[]) => splits.map(formatTick),
          }],
        legend: { show: true },
        cursor: { drag: { x: true, y: false } },
        series: [
          { label: "step" },
          ...this.lines.map((line) => ({
            label: line.label,
            stroke: themeColor(line.color),
            width: 2,
            dash: line.dash ? [6, 4] : undefined,
            spanGaps: true,
            points: { show: line.dash === true, size: 6 },
          })),
        ],
      },
      this.data,
      this.host,
    );
  }

  setData(data: uPlot.AlignedData): void {
    this.data = data;
    if (!this.plot) this.create();
    else this.plot.setData(data);
  }

  private resize(): void {
    this.plot?.setSize({ width: this.width(), height: 200 });
  }
}
