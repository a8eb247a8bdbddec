/**
 * Runs every (guest, peer) pair several times and keeps the wall-clock time
 * of each whole process, checking each run's output against the guest's
 * recorded QEMU transcript: a wrong answer is not a time.
 *
 * Rounds interleave the peers (btvm, qemu, v86, native, btvm, …) so that a
 * machine that drifts slower during the run hurts every peer alike; the
 * report quotes medians.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { BenchGuest, Peer } from './peers.js';
import type { Progress } from './progress.js';

export interface PeerResult {
  readonly peer: Peer['name'];
  readonly timesMs: number[];
  medianMs: number;
  /** Why this peer has no time for this guest (wrong output, missing, crashed). */
  problem: string | null;
}

export interface GuestResult {
  readonly guest: string;
  readonly peers: PeerResult[];
}

const TIMEOUT_MS = 300_000;

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function measureGuest(guest: BenchGuest, peers: readonly Peer[], runs: number, progress: Progress): GuestResult {
  const results: PeerResult[] = peers.map((p) => ({ peer: p.name, timesMs: [], medianMs: NaN, problem: null }));
  for (let round = 0; round < runs; round++) {
    peers.forEach((peer, i) => {
      const r = results[i]!;
      progress.step(`${guest.name} · ${peer.label} · run ${round + 1}/${runs}`);
      if (r.problem !== null) return;
      const cmd = peer.command(guest);
      if (cmd === null) {
        r.problem = 'no binary for this peer';
        return;
      }
      const start = performance.now();
      const run = spawnSync(cmd.file, cmd.args, { encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 << 20 });
      const ms = performance.now() - start;
      if (run.error) {
        r.problem = `failed to start: ${run.error.message}`;
        return;
      }
      // Kernels exit through isa-debug-exit with V=0 → status 1; the native build exits 0.
      const wantStatus = peer.name === 'native' ? 0 : 1;
      if (run.status !== wantStatus) {
        r.problem = `exit status ${run.status ?? run.signal} (expected ${wantStatus})`;
        return;
      }
      if (guest.expected !== null && normalise(run.stdout) !== normalise(guest.expected)) {
        r.problem = `output differs from the QEMU transcript: ${JSON.stringify(run.stdout.slice(0, 80))}`;
        return;
      }
      r.timesMs.push(ms);
    });
  }
  for (const r of results) r.medianMs = r.problem === null ? median(r.timesMs) : NaN;
  return { guest: guest.name, peers: results };
}

/** QEMU's serial passes \r through; compare text, not line endings. */
function normalise(s: string): string {
  return s.replace(/\r\n/g, '\n');
}
