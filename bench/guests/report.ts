/**
 * Turns measured medians into what a reader wants: a table of times and
 * slowdowns relative to native, btvm's ratio to each peer, the geometric mean
 * over guests, an SVG bar chart, JSON for later comparison, and the change
 * against an earlier JSON (`--compare OLD.json`).
 */
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

const fmtMs = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(3) : '—');
const fmtX = (r: number): string => (Number.isFinite(r) ? r.toFixed(2) + '×' : '—');

export function formatTable(report: BenchReport): string {
  const head = ['guest', 'btvm s', 'QEMU s', 'v86 s', 'native s', 'btvm/native', 'btvm/QEMU', 'btvm/v86'];
  const rows = report.guests.map((g) => {
    const t = (p: string): number => timeOf(g, p);
    return [g.guest, fmtMs(t('btvm')), fmtMs(t('qemu')), fmtMs(t('v86')), fmtMs(t('native')),
      fmtX(t('btvm') / t('native')), fmtX(t('btvm') / t('qemu')), fmtX(t('btvm') / t('v86'))];
  });
  const gm = report.geomean;
  rows.push(['geomean', '', '', '', '', fmtX(gm['btvm/native']!), fmtX(gm['btvm/qemu']!), fmtX(gm['btvm/v86']!)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
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
  const colours: Record<string, string> = { btvm: '#1f77b4', qemu: '#ff7f0e', v86: '#2ca02c' };
  const ratios = report.guests.map((g) => peers.map((p) => timeOf(g, p) / timeOf(g, 'native')));
  const maxRatio = Math.max(2, ...ratios.flat().filter(Number.isFinite));
  const top = Math.ceil(Math.log10(maxRatio) * 4) / 4;
  const W = 120 + report.guests.length * 110, H = 320, plotH = 220, x0 = 60, y0 = 40;
  const y = (r: number): number => y0 + plotH - (Math.log10(Math.max(1, r)) / top) * plotH;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<text x="${x0}" y="20" font-size="14">Slowdown against native (log scale, lower is better)</text>`];
  for (let e = 0; e <= top + 1e-9; e += 0.5) {
    const v = 10 ** e;
    parts.push(`<line x1="${x0}" x2="${W - 20}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`,
      `<text x="${x0 - 6}" y="${y(v) + 4}" text-anchor="end">${v < 10 ? v.toFixed(1) : v.toFixed(0)}×</text>`);
  }
  report.guests.forEach((g, gi) => {
    const gx = x0 + 20 + gi * 110;
    ratios[gi]!.forEach((r, pi) => {
      if (!Number.isFinite(r)) return;
      const bx = gx + pi * 26;
      parts.push(`<rect x="${bx}" y="${y(r)}" width="22" height="${y0 + plotH - y(r)}" fill="${colours[peers[pi]!]}"><title>${peers[pi]} ${r.toFixed(2)}×</title></rect>`);
    });
    parts.push(`<text x="${gx + 36}" y="${y0 + plotH + 16}" text-anchor="middle">${g.guest}</text>`);
  });
  peers.forEach((p, i) => parts.push(`<rect x="${x0 + i * 90}" y="${H - 30}" width="12" height="12" fill="${colours[p]}"/>`,
    `<text x="${x0 + i * 90 + 16}" y="${H - 20}">${p}</text>`));
  parts.push('</svg>');
  return parts.join('\n') + '\n';
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
