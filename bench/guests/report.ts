/**
 * Turns measured medians into what a reader wants: a table of times and
 * slowdowns relative to native, btvm's ratio to each peer, the geometric mean
 * over guests, an SVG bar chart, JSON for later comparison, and the change
 * against an earlier JSON (`--compare OLD.json`).
 */
import { formatLogBarChart, PEER_COLOURS } from '../bar-chart.js';
import { fmtRatio, fmtSeconds, formatColumns } from '../text-table.js';
import type { GuestResult } from './measure.js';

export interface BenchReport {
  readonly date: string;
  readonly runs: number;
  readonly guests: GuestResult[];
  /** Geometric means of btvm/peer over the guests where both have a time. */
  readonly geomean: Record<string, number>;
  readonly skipped: string[];
}

const PEER_ORDER = ['btvm', 'qemu', 'v86', 'native'] as const;

function timeOf(g: GuestResult, peer: string): number {
  return g.peers.find((p) => p.peer === peer)?.medianMs ?? NaN;
}

export function geometricMean(xs: readonly number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  if (ok.length === 0) return NaN;
  return Math.exp(ok.reduce((s, x) => s + Math.log(x), 0) / ok.length);
}

export function buildReport(guests: GuestResult[], runs: number, skipped: string[]): BenchReport {
  const geomean: Record<string, number> = {};
  for (const peer of ['native', 'qemu', 'v86']) {
    geomean[`btvm/${peer}`] = geometricMean(guests.map((g) => timeOf(g, 'btvm') / timeOf(g, peer)));
  }
  for (const peer of ['qemu', 'v86']) {
    geomean[`${peer}/native`] = geometricMean(guests.map((g) => timeOf(g, peer) / timeOf(g, 'native')));
  }
  return { date: new Date().toISOString(), runs, guests, geomean, skipped };
}

const fmtMs = fmtSeconds;
const fmtX = fmtRatio;

export function formatTable(report: BenchReport): string {
  const head = ['guest', 'btvm s', 'QEMU s', 'v86 s', 'native s', 'btvm/native', 'btvm/QEMU', 'btvm/v86'];
  const rows = report.guests.map((g) => {
    const t = (p: string): number => timeOf(g, p);
    return [g.guest, fmtMs(t('btvm')), fmtMs(t('qemu')), fmtMs(t('v86')), fmtMs(t('native')),
      fmtX(t('btvm') / t('native')), fmtX(t('btvm') / t('qemu')), fmtX(t('btvm') / t('v86'))];
  });
  const gm = report.geomean;
  rows.push(['geomean', '', '', '', '', fmtX(gm['btvm/native']!), fmtX(gm['btvm/qemu']!), fmtX(gm['btvm/v86']!)]);
  const out = formatColumns(head, rows);
  out.push('', `peers against native (geomean): QEMU ${fmtX(gm['qemu/native']!)}, v86 ${fmtX(gm['v86/native']!)}`);
  out.push(`medians of ${report.runs} runs, wall time of the whole process (start-up included)`);
  for (const g of report.guests) {
    for (const p of g.peers) if (p.problem) out.push(`! ${g.guest} under ${p.peer}: ${p.problem}`);
  }
  for (const s of report.skipped) out.push(`skipped: ${s}`);
  return out.join('\n') + '\n';
}

/** Grouped bars: slowdown against native per guest and peer, on a log scale. */
export function formatSvg(report: BenchReport): string {
  const peers = PEER_ORDER.filter((p) => p !== 'native');
  return formatLogBarChart({
    title: 'Slowdown against native (log scale, lower is better)',
    groups: report.guests.map((g) => g.guest),
    series: peers.map((p) => ({ name: p, colour: PEER_COLOURS[p]! })),
    values: report.guests.map((g) => peers.map((p) => timeOf(g, p) / timeOf(g, 'native'))),
    label: (v) => (v < 10 ? v.toFixed(1) : v.toFixed(0)) + '×',
    tooltip: (v) => v.toFixed(2) + '×',
    floor: 1,
    minTop: 2,
  });
}

export function formatComparison(report: BenchReport, old: BenchReport): string {
  const out = ['change against ' + old.date + ' (btvm median; negative is faster):'];
  for (const g of report.guests) {
    const before = old.guests.find((o) => o.guest === g.guest);
    if (!before) continue;
    const a = timeOf(before, 'btvm'), b = timeOf(g, 'btvm');
    if (Number.isFinite(a) && Number.isFinite(b)) out.push(`  ${g.guest.padEnd(10)} ${fmtMs(a)} s → ${fmtMs(b)} s  ${(((b - a) / a) * 100).toFixed(1)}%`);
  }
  const ga = old.geomean['btvm/native'], gb = report.geomean['btvm/native'];
  if (ga !== undefined && gb !== undefined) out.push(`  geomean btvm/native ${fmtX(ga)} → ${fmtX(gb)}`);
  return out.join('\n') + '\n';
}
