/**
 * Nanobenchmarks after Adams & Agesen, "A Comparison of Software and
 * Hardware Techniques for x86 Virtualization" (ASPLOS 2006): the cost of
 * single operations that are cheap on hardware and expensive for a VMM —
 * call/ret, in, mov to CR0, #DE, int 0x80 + iret, a page fault, a PTE
 * change — each kernel in fixtures/nano/ (fixtures/README.md, section 5)
 * booted under btvm (each --mmu kind, when btvm has them) and under QEMU.
 *
 *   npm run bench -- --nano-only [--runs N] [--nano-iters N1,N2] [--nano-min-delta MS]
 *                    [--nano-ops OP,...] [--nano-peers btvm,qemu] [--nano-json FILE]
 *   node dist/bench/nano.js [same options]
 *
 * N₂ is raised per cell until the two runs differ by at least
 * --nano-min-delta ms (default 500; 0 keeps N₂ as given), see nano/measure.ts.
 * Prints a table of ns per operation; writes bench/results/nano.json.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './command-line.js';
import { Progress } from './guests/progress.js';
import { measureKernel, type NanoKernel } from './nano/measure.js';
import { repoRoot, selectPeers } from './nano/peers.js';
import { buildNanoReport, formatNanoTable } from './nano/report.js';

/** Iteration counts: N₂ − N₁ = 200000 operations separate the two runs. */
export const DEFAULT_ITERS: [number, number] = [20_000, 220_000];

export function findNanoKernels(only: ReadonlySet<string> | null): NanoKernel[] {
  const dir = path.join(repoRoot, 'fixtures', 'nano');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.elf'))
    .map((f) => f.slice(0, -4))
    .filter((op) => only === null || only.has(op))
    .sort()
    .map((op) => ({ op, kernel: path.join(dir, `${op}.elf`) }));
}

export function parseIters(text: string | undefined): [number, number] {
  if (text === undefined) return DEFAULT_ITERS;
  const m = /^(\d+),(\d+)$/.exec(text);
  const n1 = Number(m?.[1]), n2 = Number(m?.[2]);
  if (!m || !(n2 > n1)) throw new Error(`--nano-iters wants N1,N2 with N2 > N1, not '${text}'`);
  return [n1, n2];
}

export function runNano(argv: readonly string[]): void {
  const runs = Number(option(argv, '--runs') ?? '3');
  const iters = parseIters(option(argv, '--nano-iters'));
  const minDeltaMs = Number(option(argv, '--nano-min-delta') ?? '500');
  const ops = option(argv, '--nano-ops');
  const peerNames = option(argv, '--nano-peers');
  const kernels = findNanoKernels(ops ? new Set(ops.split(',')) : null);
  if (kernels.length === 0) {
    process.stdout.write('nanobenchmarks: no kernels in fixtures/nano/\n');
    return;
  }
  const { peers, notes } = selectPeers(peerNames ? new Set(peerNames.split(',')) : null);
  for (const n of notes) process.stderr.write(`nano: ${n}\n`);
  if (peers.length === 0) {
    process.stdout.write('nanobenchmarks: no peer available\n');
    return;
  }
  const progress = new Progress(kernels.length * peers.length * (runs * 2 + (minDeltaMs > 0 ? 1 : 0)));
  const rows = kernels.map((k) => measureKernel(k, peers, { iters, runs, minDeltaMs, onStep: (what) => progress.step(what) }));
  progress.finish();
  const report = buildNanoReport(rows, peers, iters, runs, minDeltaMs, notes, `${os.cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
  process.stdout.write('\n' + formatNanoTable(report));
  const outDir = path.join(repoRoot, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const jsonPath = option(argv, '--nano-json') ?? path.join(outDir, 'nano.json');
  writeFileSync(jsonPath, JSON.stringify(report, null, 2) + '\n');
  process.stdout.write(`wrote ${path.relative(process.cwd(), jsonPath)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runNano(process.argv.slice(2));
