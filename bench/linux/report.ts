/**
 * The Linux section's report: per peer the runs (phase times, or why a run
 * does not count, and btvm's --stats-json), medians per phase, a table in
 * the guest section's style with btvm's ratio to each peer per phase, a
 * summary of where btvm's time went (translating vs executing, VMM calls
 * by kind, region exits, exceptions, MMU), and the SVG chart.
 */
import type { RunReport } from '../../src/cli/run-stats.js';
import { VECTOR_NAMES } from '../../src/vmm/fault.js';
import { formatLogBarChart, PEER_COLOURS } from '../bar-chart.js';
import { median } from '../guests/measure.js';
import { fmtRatio, fmtSeconds, formatColumns } from '../text-table.js';
import { PHASES, type PhaseTimes } from './transcript.js';

export interface LinuxRunRecord {
  readonly round: number;
  /** null when the run does not count (see problem). */
  readonly phasesMs: PhaseTimes | null;
  readonly problem: string | null;
  /** btvm's --stats-json for this run; null for the other peers or when btvm wrote none. */
  readonly stats: RunReport | null;
}

export interface LinuxPeerResult {
  readonly peer: 'btvm' | 'qemu' | 'v86';
  readonly label: string;
  readonly runs: LinuxRunRecord[];
}

export interface LinuxReport {
  readonly date: string;
  readonly host: string;
  readonly guest: { readonly versions: string; readonly append: string };
  readonly runs: number;
  readonly phases: readonly string[];
  readonly peers: readonly (LinuxPeerResult & { readonly medianMs: PhaseTimes })[];
  readonly skipped: readonly string[];
}

/** Median of each phase over the runs that count (NaN where none does). */
export function medianPhases(runs: readonly LinuxRunRecord[]): PhaseTimes {
  const ok = runs.flatMap((r) => (r.phasesMs === null ? [] : [r.phasesMs]));
  const out: PhaseTimes = {};
  for (const p of PHASES) out[p.name] = median(ok.map((r) => r[p.name]!).filter(Number.isFinite));
  return out;
}

export function buildLinuxReport(results: readonly LinuxPeerResult[], runs: number, guest: LinuxReport['guest'], host: string, skipped: readonly string[]): LinuxReport {
  return {
    date: new Date().toISOString(),
    host,
    guest,
    runs,
    phases: PHASES.map((p) => p.name),
    peers: results.map((r) => ({ ...r, medianMs: medianPhases(r.runs) })),
    skipped,
  };
}

const PEER_COLUMNS = [['btvm', 'btvm s'], ['qemu', 'QEMU s'], ['v86', 'v86 s']] as const;

function timeOf(report: LinuxReport, peer: string, phase: string): number {
  return report.peers.find((p) => p.peer === peer)?.medianMs[phase] ?? NaN;
}

export function formatLinuxTable(report: LinuxReport): string {
  const head = ['phase', ...PEER_COLUMNS.map(([, h]) => h), 'btvm/QEMU', 'btvm/v86'];
  const rows = PHASES.map((p) => {
    const t = (peer: string): number => timeOf(report, peer, p.name);
    return [p.sum ? `= ${p.name}` : `  ${p.name}`, ...PEER_COLUMNS.map(([peer]) => fmtSeconds(t(peer))),
      fmtRatio(t('btvm') / t('qemu')), fmtRatio(t('btvm') / t('v86'))];
  });
  const out = formatColumns(head, rows);
  out.push('', `medians of ${report.runs} run${report.runs === 1 ? '' : 's'}, wall time as the console lines reached the bench;`,
    'console: process start to the kernel\'s first console line (QEMU and v86 run SeaBIOS first, btvm has no firmware);',
    'kernel: to "btvm-init: start"; each program ends at its last output line; shutdown: "btvm-init: done" to exit');
  for (const p of report.peers) {
    for (const r of p.runs) if (r.problem !== null) out.push(`! ${p.label} run ${r.round}: ${r.problem}`);
  }
  for (const s of report.skipped) out.push(`skipped: ${s}`);
  const btvm = report.peers.find((p) => p.peer === 'btvm');
  const stats = btvm === undefined ? null : representativeStats(btvm.runs);
  if (stats !== null) out.push('', ...describeBtvmStats(stats.stats, stats.round));
  return out.join('\n') + '\n';
}

/** The stats of the counted run whose total is nearest the median (else of any run that wrote some). */
export function representativeStats(runs: readonly LinuxRunRecord[]): { stats: RunReport; round: number } | null {
  const withStats = runs.filter((r) => r.stats !== null);
  const counted = withStats.filter((r) => r.phasesMs !== null);
  const pool = counted.length > 0 ? counted : withStats;
  if (pool.length === 0) return null;
  const mid = median(counted.map((r) => r.phasesMs!.total!));
  const best = counted.length === 0 ? pool[0]! : pool.reduce((a, b) => (Math.abs(b.phasesMs!.total! - mid) < Math.abs(a.phasesMs!.total! - mid) ? b : a));
  return { stats: best.stats!, round: best.round };
}

/** 7.12 G, 45.7 k, 812: counts at a glance. */
export function fmtCount(n: number): string {
  if (n >= 1e9) return (n / 1e9).toFixed(2) + ' G';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + ' M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + ' k';
  return String(Math.round(n));
}

const pct = (a: number, b: number): string => (b > 0 ? ((a / b) * 100).toFixed(1) + '%' : '—');

/** "name count (share), …" for the largest `top` entries of a count table. */
function topCounts(counts: Readonly<Record<string, number>>, total: number, top: number, name: (key: string) => string = (k) => k): string {
  const sorted = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, top).map(([k, n]) => `${name(k)} ${fmtCount(n)} (${pct(n, total)})`);
  if (sorted.length > top) shown.push(`${sorted.length - top} more`);
  return shown.length > 0 ? shown.join(', ') : 'none';
}

/** Where btvm's time went in one run, from its --stats-json. */
export function describeBtvmStats(s: RunReport, round: number): string[] {
  const t = s.time;
  const out = [`btvm, run ${round} (--stats-json; whole run): host ${fmtSeconds(t.hostMs)} s, ${fmtCount(s.guest.instructions)} guest instructions, ${t.mips.toFixed(1)} M/s`];
  if (t.translateMs !== null && t.executeMs !== null) {
    out.push(`  translating ${pct(t.translateMs, t.hostMs)} (${fmtSeconds(t.translateMs)} s), executing code + VMM ${pct(t.executeMs, t.hostMs)} (${fmtSeconds(t.executeMs)} s)`);
  }
  if (s.translation !== null && s.cache !== null) {
    const x = s.translation;
    out.push(`  translated ${fmtCount(x.guestInsnsTranslated)} guest instructions in ${fmtCount(x.translations)} translations (${fmtCount(x.blocksTranslated)} blocks); `
      + `${fmtCount(x.regionsExecuted)} region runs, cache hit rate ${pct(s.cache.hits, s.cache.lookups)}, ${s.cache.invalidations} invalidations, ${s.cache.flushes} flushes`);
  }
  out.push(`  VMM calls ${fmtCount(s.vmmCalls.total)}: ${topCounts(s.vmmCalls.byRoutine, s.vmmCalls.total, 8)}`);
  if (s.exits !== null) {
    const { budgetResumed: _resumed, ...kinds } = s.exits;
    const total = Object.values(kinds).reduce((a, b) => a + b, 0);
    out.push(`  region exits ${fmtCount(total)}: ${topCounts(kinds, total, 6)}`);
  }
  out.push(`  exceptions ${fmtCount(s.exceptions.total)}: ${topCounts(s.exceptions.byVector, s.exceptions.total, 4, (v) => VECTOR_NAMES[Number(v)] ?? `vector ${v}`)}; `
    + `external interrupts ${fmtCount(s.externalInterrupts.total)}; software interrupts ${fmtCount(s.softwareInterrupts.total)}`);
  if (s.mmu !== null) {
    const m = s.mmu;
    out.push(`  MMU: ${fmtCount(m.tlbMisses)} TLB misses, ${fmtCount(m.hiddenPageFaults)} hidden and ${fmtCount(m.guestPageFaults)} guest page faults, `
      + `${fmtCount(m.tracedWrites)} traced writes, ${fmtCount(m.shadowFlushes)} shadow flushes, ${fmtCount(m.tlbFlushes)} TLB flushes`);
  }
  return out;
}

/** Seconds per phase and peer, log scale. */
export function formatLinuxSvg(report: LinuxReport): string {
  const peers = report.peers.map((p) => p.peer);
  return formatLogBarChart({
    title: 'Debian guest: wall time per phase (seconds, log scale, lower is better)',
    groups: PHASES.map((p) => p.name),
    series: report.peers.map((p) => ({ name: p.label, colour: PEER_COLOURS[p.peer]! })),
    values: PHASES.map((p) => peers.map((peer) => timeOf(report, peer, p.name) / 1000)),
    label: (v) => `${+v.toPrecision(2)} s`,
    tooltip: (v) => `${v.toFixed(3)} s`,
  });
}

/**
 * `--linux-compare OLD.json`: btvm's time per phase against an earlier
 * report, and its ratio to QEMU then and now (the ratio is what survives a
 * machine that is busier on one day than on the other).
 */
export function formatLinuxComparison(report: LinuxReport, old: LinuxReport): string {
  const ratio = (r: LinuxReport, phase: string): number => timeOf(r, 'btvm', phase) / timeOf(r, 'qemu', phase);
  const change = (a: number, b: number): string => (Number.isFinite(a) && Number.isFinite(b) ? `${(((b - a) / a) * 100).toFixed(1)}%` : '—');
  const rows = PHASES.map((p) => {
    const a = timeOf(old, 'btvm', p.name), b = timeOf(report, 'btvm', p.name);
    return [p.sum ? `= ${p.name}` : `  ${p.name}`, fmtSeconds(a), fmtSeconds(b), change(a, b), fmtRatio(ratio(old, p.name)), fmtRatio(ratio(report, p.name))];
  });
  const head = ['phase', 'btvm s before', 'btvm s now', 'change', 'btvm/QEMU before', 'btvm/QEMU now'];
  return [`change against ${old.date} (negative is faster):`, ...formatColumns(head, rows)].join('\n') + '\n';
}
