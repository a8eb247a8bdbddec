/**
 * The bench reports' SVG chart (bench/bar-chart.ts) stays wide enough for
 * its title and its legend when there are only one or two groups of bars
 * (`npm run bench -- --only crc32` once made a 230-px chart that cut the
 * title and drew the legend outside).
 */
import { describe, expect, it } from 'vitest';
import { formatLogBarChart } from '../../bench/bar-chart.js';

const series = ['native', 'btvm', 'QEMU TCG', 'v86'].map((name, i) => ({ name, colour: `#00000${i}` }));

function chart(groups: number): { width: number; svg: string } {
  const svg = formatLogBarChart({
    title: 'Wall time per guest, relative to native (log scale), median of 3 runs',
    groups: Array.from({ length: groups }, (_, i) => `guest${i}`),
    series,
    values: Array.from({ length: groups }, () => [1, 1.5, 1.2, 4]),
    label: (v) => `${v}x`,
  });
  return { width: Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]), svg };
}

describe('log bar chart', () => {
  it('one guest: the legend and the title fit inside the chart', () => {
    const { width, svg } = chart(1);
    const xs = [...svg.matchAll(/<text x="(\d+(?:\.\d+)?)"[^>]*>([^<]*)<\/text>/g)].map((m) => Number(m[1]) + m[2]!.length * 7);
    for (const right of xs) expect(right).toBeLessThanOrEqual(width);
  });

  it('many guests: the width grows with the groups', () => {
    expect(chart(12).width).toBeGreaterThan(chart(2).width);
  });
});
