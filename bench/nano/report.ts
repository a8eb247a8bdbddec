/**
 * The nanobenchmark report: a table of ns per operation (one column per
 * peer, one row per operation) and the JSON written beside the guest
 * benchmarks' results.
 */
import type { NanoRow } from './measure.js';
import type { NanoPeer } from './peers.js';

export interface NanoReport {
  readonly date: string;
  readonly host: string;
  /** The requested N₁, N₂; each cell records the N₂ it used. */
  readonly iters: readonly [number, number];
  readonly runs: number;
  readonly minDeltaMs: number;
  readonly peers: { name: string; label: string }[];
  readonly notes: readonly string[];
  readonly rows: readonly NanoRow[];
}

export function buildNanoReport(rows: NanoRow[], peers: readonly NanoPeer[], iters: [number, number], runs: number,
  minDeltaMs: number, notes: readonly string[], host: string): NanoReport {
  return {
    date: new Date().toISOString(), host, iters, runs, minDeltaMs,
    peers: peers.map((p) => ({ name: p.name, label: p.label })), notes, rows,
  };
}

function formatNs(ns: number): string {
  if (ns < 0) return `${ns.toFixed(0)}?`; // noise larger than the operation
  return ns < 10 ? ns.toFixed(1) : ns < 100_000 ? ns.toFixed(0) : `${(ns / 1000).toFixed(0)}k`;
}

export function formatNanoTable(r: NanoReport): string {
  const head = ['op', ...r.peers.map((p) => p.label)];
  const body = r.rows.map((row) => [row.op, ...r.peers.map((p) => {
    const c = row.cells.find((x) => x.peer === p.name);
    if (!c) return '';
    if (c.nsPerOp === null) return 'n/a';
    return `${c.noisy ? '~' : ''}${formatNs(c.nsPerOp)}`;
  })]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ');
  const lines = [
    `nanobenchmarks: ns per operation = (T2 - T1) / (N2 - N1), medians of ${r.runs} runs, N1=${r.iters[0]}, ` +
      `N2=${r.iters[1]}${r.minDeltaMs > 0 ? ` or more, until T2 - T1 >= ${r.minDeltaMs} ms` : ''}`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  const n2 = r.rows.flatMap((row) => row.cells.filter((c) => c.iters[1] !== r.iters[1]).map((c) => `${row.op}/${c.peer} ${c.iters[1]}`));
  if (n2.length > 0) lines.push('', `N2 raised: ${n2.join(', ')}`);
  if (r.rows.some((row) => row.cells.some((c) => c.noisy))) lines.push('~: T2 - T1 came out under half the target; mostly jitter');
  const problems = r.rows.flatMap((row) => row.cells.filter((c) => c.problem !== null).map((c) => `  n/a ${row.op} under ${c.peer}: ${c.problem}`));
  if (problems.length > 0) lines.push('', ...problems);
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `  note: ${n}`));
  return lines.join('\n') + '\n';
}
