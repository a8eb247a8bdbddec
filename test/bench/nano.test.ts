/**
 * The nanobenchmark runner (bench/nano.ts, bench/nano/): the ns/op
 * arithmetic, N₂ scaling against jitter, output checking, peer selection
 * when `btvm run --mmu` is or is not accepted, and one real measurement of
 * a fixtures/nano kernel under qemu-system-i386 with small N.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findNanoKernels, parseIters } from '../../bench/nano.js';
import { checkRun, MAX_ITERS, measureKernel, nsPerOp, scaledIters, type Runner } from '../../bench/nano/measure.js';
import { btvmAcceptsMmu, qemuPeer, selectPeers, type NanoPeer } from '../../bench/nano/peers.js';
import { buildNanoReport, formatNanoTable } from '../../bench/nano/report.js';
import { toolsFor } from '../support/external-tools.js';

const ok = (op: string, n: number) => ({ status: 1, stdout: `${op} iters=${n} done\n`, stderr: '' });

describe('nanobenchmark arithmetic', () => {
  it('ns per op is (T2 - T1) / (N2 - N1) from the medians', () => {
    expect(nsPerOp([1000, 201_000], [300, 500])).toBeCloseTo(1000, 9); // 200 ms over 200000 ops
    expect(nsPerOp([1000, 1000], [300, 500])).toBeNull();
    expect(nsPerOp([1000, 2000], [NaN, 500])).toBeNull();
  });

  it('scales N2 linearly to the target difference, refusing to extrapolate from jitter', () => {
    expect(scaledIters([20_000, 220_000], 600, 500)).toEqual([20_000, 220_000]);
    expect(scaledIters([20_000, 220_000], 250, 500)).toEqual([20_000, 420_000]);
    expect(scaledIters([20_000, 220_000], 100, 500)).toBeNull();
    expect(scaledIters([0, 900_000_000], 300, 500)![1]).toBe(MAX_ITERS);
  });

  it('accepts a run only with the exact transcript and status 1', () => {
    expect(checkRun('in', 5, ok('in', 5))).toBeNull();
    expect(checkRun('in', 5, { status: 1, stdout: 'in iters=5 done\r\n', stderr: '' })).toBeNull();
    expect(checkRun('in', 6, ok('in', 5))).toMatch(/exit status 1: in iters=5 done/);
    expect(checkRun('in', 5, { status: 3, stdout: 'in iters=5 done\n', stderr: '' })).toMatch(/expected 1/);
    expect(checkRun('pagefault', 5, { status: 8, stdout: '', stderr: 'btvm: unsupported guest feature: paging\n' }))
      .toMatch(/exit status 8: btvm: unsupported guest feature: paging/);
    expect(parseIters('10,20')).toEqual([10, 20]);
    expect(() => parseIters('20,10')).toThrow(/N2 > N1/);
  });
});

/** A simulated peer: each run takes boot + N × cost ms on a fake clock, plus alternating jitter. */
function simulated(costNs: number, bootMs: number, jitterMs: number): { runner: Runner; now: () => number; peer: NanoPeer; runs: number[] } {
  let clock = 0, k = 0;
  const runs: number[] = [];
  const runner: Runner = (_file, args) => {
    const n = Number(args[1]);
    runs.push(n);
    clock += bootMs + (n * costNs) / 1e6 + (k++ % 2 === 0 ? jitterMs : -jitterMs);
    return ok('op', n);
  };
  return { runner, now: () => clock, peer: { name: 'sim', label: 'sim', command: (_k, n) => ({ file: 'sim', args: ['iters', String(n)] }) }, runs };
}

describe('measureKernel', () => {
  it('recovers the per-op cost, raising N2 until T2 - T1 reaches the target', () => {
    const s = simulated(5, 300, 40); // 5 ns/op: 200000 ops are 1 ms, far below 40 ms of jitter
    const row = measureKernel({ op: 'op', kernel: 'k' }, [s.peer], { iters: [20_000, 220_000], runs: 3, minDeltaMs: 500, runner: s.runner, now: s.now });
    const c = row.cells[0]!;
    expect(c.problem).toBeNull();
    expect(c.iters[1]).toBeGreaterThan(220_000);
    expect((c.iters[1] - c.iters[0]) * 5e-6).toBeGreaterThanOrEqual(250); // the difference is at least half the target
    expect(c.nsPerOp!).toBeGreaterThan(4);
    expect(c.nsPerOp!).toBeLessThan(6);
    expect(c.noisy).toBe(false);
  });

  it('keeps N2 for a costly operation and reports a failing kernel instead of a number', () => {
    const s = simulated(5000, 300, 5);
    const row = measureKernel({ op: 'op', kernel: 'k' }, [s.peer], { iters: [20_000, 220_000], runs: 3, minDeltaMs: 500, runner: s.runner, now: s.now });
    expect(row.cells[0]!.iters).toEqual([20_000, 220_000]);
    // ±5 ms of jitter on each run moves 200000 ops by at most 10 ms: 50 ns.
    expect(Math.abs(row.cells[0]!.nsPerOp! - 5000)).toBeLessThanOrEqual(50);
    const failing: Runner = () => ({ status: 8, stdout: '', stderr: 'btvm: unsupported guest feature: paging' });
    const bad = measureKernel({ op: 'op', kernel: 'k' }, [s.peer], { iters: [1, 2], runs: 3, minDeltaMs: 500, runner: failing, now: s.now });
    expect(bad.cells[0]!.nsPerOp).toBeNull();
    expect(bad.cells[0]!.problem).toMatch(/paging/);
    const table = formatNanoTable(buildNanoReport([bad], [s.peer], [1, 2], 3, 500, ['a note'], 'host'));
    expect(table).toMatch(/\nop +sim\n/);
    expect(table).toMatch(/\nop +n\/a\n/);
    expect(table).toContain('n/a op under sim: exit status 8');
    expect(table).toContain('note: a note');
  });
});

describe('peers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-nano-'));
  /** A stand-in for dist/src/cli/main.js that accepts `--mmu KIND` only for the given kinds. */
  function fakeBtvm(kinds: string[]): string {
    const file = join(dir, `main-${kinds.join('-') || 'none'}.js`);
    writeFileSync(file, `const a = process.argv.slice(2); const i = a.indexOf('--mmu');
process.exit(i < 0 || ${JSON.stringify(kinds)}.includes(a[i + 1]) ? 0 : 2);\n`);
    chmodSync(file, 0o755);
    return file;
  }

  it('runs btvm once per accepted --mmu kind, or once without it and says so', () => {
    const both = fakeBtvm(['shadow', 'nested']);
    expect(btvmAcceptsMmu('shadow', both)).toBe(true);
    const withMmu = selectPeers(new Set(['btvm']), both);
    expect(withMmu.peers.map((p) => p.name)).toEqual(['btvm-shadow', 'btvm-nested']);
    expect(withMmu.peers[1]!.command('k.elf', 7).args.slice(1)).toEqual(['run', 'k.elf', '--append', 'iters=7', '--mmu', 'nested']);

    const none = fakeBtvm([]);
    expect(btvmAcceptsMmu('shadow', none)).toBe(false);
    const without = selectPeers(new Set(['btvm']), none);
    expect(without.peers.map((p) => p.name)).toEqual(['btvm']);
    expect(without.peers[0]!.command('k.elf', 7).args.slice(1)).toEqual(['run', 'k.elf', '--append', 'iters=7']);
    expect(without.notes.join('\n')).toMatch(/--mmu' is not accepted yet/);
  });

  it('finds every fixtures/nano kernel', () => {
    expect(findNanoKernels(null).map((k) => k.op)).toEqual(['callret', 'cr', 'divzero', 'in', 'pagefault', 'ptemod', 'syscall']);
  });

  it.skipIf(!toolsFor('nanobenchmark under QEMU', 'qemu-system-i386'))('measures a real kernel under QEMU (small N): the transcript checks pass and a number comes out', () => {
    const [callret] = findNanoKernels(new Set(['callret']));
    const row = measureKernel(callret!, [qemuPeer], { iters: [10, 20_010], runs: 1, minDeltaMs: 0 });
    const c = row.cells[0]!;
    expect(c.problem).toBeNull();
    expect(c.timesMs.map((t) => t.length)).toEqual([1, 1]);
    expect(Number.isFinite(c.nsPerOp)).toBe(true);
  }, 20_000);
});
