/**
 * Nanobenchmark measurement after Adams & Agesen (ASPLOS 2006): boot a
 * kernel that repeats one operation N times, once with N₁ and once with
 * N₂, time each whole run, and take (T₂ − T₁) / (N₂ − N₁) as the cost of
 * one operation — boot, printing and exit are the same in both runs and
 * cancel out. Each (peer, N) is run several times, rounds interleaving the
 * peers and both N so drift hurts all alike, and medians are used.
 *
 * T₂ − T₁ must stand well above process start-up jitter (tens of ms), so
 * before timing, pilot runs per (kernel, peer) — N₁, then N₂ growing ×10
 * until the difference is large enough to extrapolate — estimate the cost,
 * and N₂ is raised for that cell so the two runs differ by `minDeltaMs`:
 * 200000 cheap operations (a few ns each) would otherwise be lost in noise.
 *
 * A run counts only if it printed `OP iters=N done` and exited with V=0
 * (status 1); anything else is recorded as the reason there is no number.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { median } from '../guests/measure.js';
import type { NanoPeer } from './peers.js';

export interface NanoKernel {
  /** The operation's name, also the kernel's file name (fixtures/nano/NAME.elf). */
  readonly op: string;
  readonly kernel: string;
}

export interface NanoCell {
  readonly peer: string;
  /** N₁, N₂ used for this cell (N₂ may have been raised, see above). */
  iters: [number, number];
  /** Wall-clock milliseconds of each good run, per iteration count. */
  readonly timesMs: [number[], number[]];
  medianMs: [number, number];
  /** (T₂ − T₁) / (N₂ − N₁) in ns, from the medians; null when a run failed. */
  nsPerOp: number | null;
  /** Why there is no number (first failure seen). */
  problem: string | null;
  /** The medians differ by less than half the target: the number is mostly jitter. */
  noisy: boolean;
}

export interface NanoRow {
  readonly op: string;
  readonly cells: NanoCell[];
}

export type Runner = (file: string, args: string[]) => { status: number | null; stdout: string; stderr: string; error?: Error };

const TIMEOUT_MS = 300_000;

export const spawnRunner: Runner = (file, args) => {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 16 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
};

/** Null when the run did what the kernel promises for `iters`, else what went wrong. */
export function checkRun(op: string, iters: number, run: ReturnType<Runner>): string | null {
  if (run.error) return `failed to start: ${run.error.message}`;
  const want = `${op} iters=${iters} done`;
  if (run.stdout.replace(/\r\n/g, '\n').trim() !== want) {
    const said = (run.stdout.trim() || run.stderr.trim()).split('\n')[0]!.slice(0, 120);
    return `exit status ${run.status}: ${said || 'no output'}`;
  }
  if (run.status !== 1) return `exit status ${run.status} (expected 1: V=0)`;
  return null;
}

/** ns per operation from the two medians; null unless N₂ > N₁ and both medians exist. */
export function nsPerOp(iters: readonly [number, number], medianMs: readonly [number, number]): number | null {
  if (!(iters[1] > iters[0]) || !Number.isFinite(medianMs[0]) || !Number.isFinite(medianMs[1])) return null;
  return ((medianMs[1] - medianMs[0]) * 1e6) / (iters[1] - iters[0]);
}

/** The kernels read iters as a 32-bit number; stay well inside it. */
export const MAX_ITERS = 1_000_000_000;

/**
 * N₂ for a cell whose pilot pair differed by `deltaMs` over `iters`: scaled
 * linearly so the difference reaches `minDeltaMs` (never lowered), or null
 * when the pilot difference is too small to extrapolate from (under half
 * the target: start-up jitter of a loaded host reaches 100 ms) and a
 * larger pilot is needed.
 */
export function scaledIters(iters: readonly [number, number], deltaMs: number, minDeltaMs: number): [number, number] | null {
  if (deltaMs >= minDeltaMs) return [iters[0], iters[1]];
  if (deltaMs < minDeltaMs / 2) return null;
  return [iters[0], Math.min(MAX_ITERS, iters[0] + Math.ceil(((iters[1] - iters[0]) * minDeltaMs) / deltaMs))];
}

/** Pilot N₂ values: the requested one, then ×10 steps up to MAX_ITERS. */
function pilotSteps(iters: readonly [number, number]): number[] {
  const steps: number[] = [];
  for (let n2 = iters[1]; ; n2 = iters[0] + (n2 - iters[0]) * 10) {
    if (n2 >= MAX_ITERS) return [...steps, MAX_ITERS];
    steps.push(n2);
  }
}

export interface MeasureOptions {
  readonly iters: readonly [number, number];
  readonly runs: number;
  /** Raise N₂ until T₂ − T₁ is at least this (0: never). */
  readonly minDeltaMs: number;
  readonly runner?: Runner;
  /** Milliseconds clock around each run (tests substitute a simulated one). */
  readonly now?: () => number;
  readonly onStep?: (what: string) => void;
}

export function measureKernel(k: NanoKernel, peers: readonly NanoPeer[], o: MeasureOptions): NanoRow {
  const runner = o.runner ?? spawnRunner, onStep = o.onStep ?? (() => {}), now = o.now ?? (() => performance.now());
  const cells: NanoCell[] = peers.map((p) => ({
    peer: p.name, iters: [o.iters[0], o.iters[1]], timesMs: [[], []], medianMs: [NaN, NaN], nsPerOp: null, problem: null, noisy: false,
  }));
  const timeRun = (peer: NanoPeer, cell: NanoCell, n: number): number | null => {
    const cmd = peer.command(k.kernel, n);
    const start = now();
    const run = runner(cmd.file, cmd.args);
    const ms = now() - start;
    cell.problem = checkRun(k.op, n, run);
    return cell.problem === null ? ms : null;
  };
  if (o.minDeltaMs > 0) {
    peers.forEach((peer, i) => {
      const cell = cells[i]!;
      onStep(`${k.op} · ${peer.label} · pilot`);
      const t1 = timeRun(peer, cell, cell.iters[0]);
      if (t1 === null) return;
      for (const n2 of pilotSteps(cell.iters)) {
        const t2 = timeRun(peer, cell, n2);
        if (t2 === null) return;
        const scaled = scaledIters([cell.iters[0], n2], t2 - t1, o.minDeltaMs);
        cell.iters = scaled ?? [cell.iters[0], n2];
        if (scaled !== null) return;
      }
    });
  }
  const timeRounds = (which: readonly number[]): void => {
    for (let round = 0; round < o.runs; round++) {
      for (const i of which) {
        const peer = peers[i]!, cell = cells[i]!;
        for (const n of [0, 1] as const) {
          onStep(`${k.op} · ${peer.label} · N=${cell.iters[n]} · run ${round + 1}/${o.runs}`);
          if (cell.problem !== null) continue;
          const ms = timeRun(peer, cell, cell.iters[n]);
          if (ms !== null) cell.timesMs[n].push(ms);
        }
      }
    }
  };
  const conclude = (c: NanoCell): void => {
    if (c.problem !== null) return;
    c.medianMs = [median(c.timesMs[0]), median(c.timesMs[1])];
    c.nsPerOp = nsPerOp(c.iters, c.medianMs);
    c.noisy = o.minDeltaMs > 0 && c.medianMs[1] - c.medianMs[0] < o.minDeltaMs / 2;
  };
  timeRounds(peers.map((_, i) => i));
  cells.forEach(conclude);
  // A pilot fooled by jitter (or a JIT that gets faster with N) leaves T2 - T1 short: measure such a
  // cell again with N2 scaled from its medians, at most twice.
  for (let retry = 0; retry < 2; retry++) {
    const again = cells.flatMap((c, i) => (c.noisy && c.iters[1] < MAX_ITERS ? [i] : []));
    if (again.length === 0) break;
    for (const i of again) {
      const c = cells[i]!;
      c.iters = scaledIters(c.iters, c.medianMs[1] - c.medianMs[0], o.minDeltaMs) ??
        [c.iters[0], Math.min(MAX_ITERS, c.iters[0] + (c.iters[1] - c.iters[0]) * 10)];
      c.timesMs[0].length = 0;
      c.timesMs[1].length = 0;
    }
    timeRounds(again);
    for (const i of again) conclude(cells[i]!);
  }
  return { op: k.op, cells };
}
