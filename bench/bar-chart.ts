/**
 * Grouped bar charts on a log scale as SVG, for the bench reports: the
 * guest comparison (slowdown against native per guest and peer) and the
 * Linux guest (seconds per phase and peer). One group of bars per row of
 * the report, one colour per peer, a legend underneath; a bar's tooltip
 * gives its value. Values that are not finite (a peer without a time) are
 * left out, not drawn as zero.
 */

export interface BarSeries {
  readonly name: string;
  readonly colour: string;
}

export interface LogBarChart {
  readonly title: string;
  readonly groups: readonly string[];
  readonly series: readonly BarSeries[];
  /** values[group][series]. */
  readonly values: readonly (readonly number[])[];
  /** Text of a value on the axis and in a bar's tooltip. */
  readonly label: (value: number) => string;
  /** Text of a bar's tooltip after the series name; default `label`. */
  readonly tooltip?: (value: number) => string;
  /** The axis' bottom; default the power of ten at or below the smallest value. */
  readonly floor?: number;
  /** The axis reaches at least this value. */
  readonly minTop?: number;
}

const BAR = 22, STEP = 26, PLOT_H = 220, X0 = 60, Y0 = 40, H = 320;
/** Legend entries are placed LEGEND_STEP apart from X0 (a swatch and a name of up to ~10 characters). */
const LEGEND_STEP = 90;
/** Right edge of a legend of n series. */
export const legendRight = (n: number): number => X0 + n * LEGEND_STEP;
/** Width of the 14-px title, generously at 8 px a character. */
export const titleWidth = (title: string): number => title.length * 8;

export function formatLogBarChart(c: LogBarChart): string {
  const finite = c.values.flat().filter((v) => Number.isFinite(v) && v > 0);
  const floor = c.floor ?? 10 ** Math.floor(Math.log10(Math.min(1, ...finite)));
  const max = Math.max(c.minTop ?? floor * 2, ...finite);
  // Decades above the floor, rounded up to a quarter decade.
  const top = Math.ceil(Math.log10(max / floor) * 4) / 4 || 0.25;
  const tip = c.tooltip ?? c.label;
  const groupW = Math.max(110, c.series.length * STEP + 32);
  // Wide enough for the title and the legend too: with one or two groups the bars alone are narrower.
  const W = Math.max(120 + c.groups.length * groupW, legendRight(c.series.length) + 20, X0 + titleWidth(c.title) + 20);
  const y = (v: number): number => Y0 + PLOT_H - (Math.log10(Math.max(floor, v) / floor) / top) * PLOT_H;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<text x="${X0}" y="20" font-size="14">${c.title}</text>`];
  for (let e = 0; e <= top + 1e-9; e += 0.5) {
    const v = floor * 10 ** e;
    parts.push(`<line x1="${X0}" x2="${W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${X0 - 6}" y="${y(v) + 4}" text-anchor="end">${c.label(v)}</text>`);
  }
  c.groups.forEach((name, gi) => {
    const gx = X0 + 20 + gi * groupW;
    c.values[gi]!.forEach((v, si) => {
      if (!Number.isFinite(v)) return;
      const s = c.series[si]!;
      parts.push(`<rect x="${gx + si * STEP}" y="${y(v)}" width="${BAR}" height="${Y0 + PLOT_H - y(v)}" fill="${s.colour}"><title>${s.name} ${tip(v)}</title></rect>`);
    });
    parts.push(`<text x="${gx + (c.series.length * STEP - (STEP - BAR)) / 2}" y="${Y0 + PLOT_H + 16}" text-anchor="middle">${name}</text>`);
  });
  c.series.forEach((s, i) => parts.push(`<rect x="${X0 + i * LEGEND_STEP}" y="${H - 30}" width="12" height="12" fill="${s.colour}"/>`,
    `<text x="${X0 + i * LEGEND_STEP + 16}" y="${H - 20}">${s.name}</text>`));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/** The colour each peer has in every chart. */
export const PEER_COLOURS: Readonly<Record<string, string>> = { btvm: '#1f77b4', qemu: '#ff7f0e', v86: '#2ca02c', native: '#7f7f7f' };
