/**
 * Throughput of the x87 arithmetic core (src/fpu/softfloat): millions of
 * operations per second for add, mul, div, sqrt, the float64 load and
 * store, and compare, over 4096 random normal operands kept in a
 * Uint32Array in the float80.ts layout (as the x87 register file holds
 * them), PC = 64 bits and round to nearest (FNINIT's control word); then
 * fadd/fmul/fdiv/fsqrt again on double operands under PC = 53 bits, where
 * the double fast path (double-fast-path.ts) applies. The same loop over JS
 * doubles is the reference for what any fast path could at best reach.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/softfloat.bench.js` (benny's
 * ops/s by wall time, then CPU ns per operation, which a loaded machine
 * distorts less).
 */
import b from 'benny';
import { FCW_DEFAULT } from '../src/fpu/float80.js';
import { fadd } from '../src/fpu/softfloat/add.js';
import { compare80 } from '../src/fpu/softfloat/compare.js';
import { fromFloat64, toFloat64 } from '../src/fpu/softfloat/convert-float.js';
import { fdiv } from '../src/fpu/softfloat/div.js';
import { fmul } from '../src/fpu/softfloat/mul.js';
import { fsqrt } from '../src/fpu/softfloat/sqrt.js';

const N = 4096;
const values = new Uint32Array(3 * N);
const doubles = new Float64Array(N);
let seed = 0x2545f491;
function next(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
for (let i = 0; i < N; i++) {
  values[3 * i] = 0x3fff - 30 + (next() % 60); // positive normals around 1, so no op leaves the range
  values[3 * i + 1] = (next() | 0x80000000) >>> 0;
  values[3 * i + 2] = next();
  doubles[i] = (values[3 * i + 1] / 2 ** 31) * 2 ** ((values[3 * i] & 0x7fff) - 0x3fff);
}
// The same values as doubles (low 11 significand bits cleared), for the PC = 53 cases.
const doubleValues = new Uint32Array(values);
for (let i = 0; i < N; i++) doubleValues[3 * i + 2] &= ~0x7ff;
const out = new Uint32Array(3);
const fcw = FCW_DEFAULT;
const FCW_PC53 = 0x027f;
let sink = 0;

type Binary = typeof fadd;
function binaryLoop(op: Binary, v = values, cw = fcw): () => void {
  return () => {
    for (let i = 0; i < N - 1; i++) {
      const a = 3 * i, c = a + 3;
      sink ^= op(v[a], v[a + 1], v[a + 2], v[c], v[c + 1], v[c + 2], cw, out, 0);
    }
  };
}

const cases: [string, () => void][] = [
  ['fadd', binaryLoop(fadd)],
  ['fmul', binaryLoop(fmul)],
  ['fdiv', binaryLoop(fdiv)],
  ['fsqrt', () => {
    for (let i = 0; i < N - 1; i++) sink ^= fsqrt(values[3 * i], values[3 * i + 1], values[3 * i + 2], fcw, out, 0);
  }],
  ['fcom', () => {
    for (let i = 0; i < N - 1; i++) {
      const a = 3 * i, c = a + 3;
      sink ^= compare80(values[a], values[a + 1], values[a + 2], values[c], values[c + 1], values[c + 2], fcw, false);
    }
  }],
  ['fst m64', () => {
    for (let i = 0; i < N - 1; i++) sink ^= toFloat64(values[3 * i], values[3 * i + 1], values[3 * i + 2], fcw, out, 0);
  }],
  ['fld m64', () => {
    for (let i = 0; i < N - 1; i++) sink ^= fromFloat64(values[3 * i + 1], values[3 * i + 2], fcw, out, 0);
  }],
  ['fadd PC=53 (double fast path)', binaryLoop(fadd, doubleValues, FCW_PC53)],
  ['fmul PC=53 (double fast path)', binaryLoop(fmul, doubleValues, FCW_PC53)],
  ['fdiv PC=53 (double fast path)', binaryLoop(fdiv, doubleValues, FCW_PC53)],
  ['fsqrt PC=53 (double fast path)', () => {
    for (let i = 0; i < N - 1; i++) sink ^= fsqrt(doubleValues[3 * i], doubleValues[3 * i + 1], doubleValues[3 * i + 2], FCW_PC53, out, 0);
  }],
  ['JS double a*b+c (reference)', () => {
    let s = 0;
    for (let i = 0; i < N - 1; i++) s += doubles[i] * doubles[i + 1];
    sink ^= s > 0 ? 1 : 0;
  }],
];

/** CPU nanoseconds per operation over `reps` passes after a warm-up (steadier than wall time on a shared machine). */
function cpuNsPerOp(fn: () => void, reps = 200): number {
  for (let i = 0; i < 50; i++) fn();
  const t = process.cpuUsage();
  for (let i = 0; i < reps; i++) fn();
  const u = process.cpuUsage(t);
  return ((u.user + u.system) * 1000) / (reps * (N - 1));
}

void b.suite(
  'x87 softfloat',
  ...cases.map(([name, fn]) => b.add(name, fn, { maxTime: 1 })),
  b.complete((summary: { results: { name: string; ops: number }[] }) => {
    for (const r of summary.results) {
      const mops = (r.ops * (N - 1)) / 1e6;
      process.stdout.write(`  ${r.name}: ${mops.toFixed(1)} M ops/s (${(1000 / mops).toFixed(1)} ns each)\n`);
    }
    process.stdout.write('  CPU time per operation:\n');
    for (const [name, fn] of cases) process.stdout.write(`  ${name}: ${cpuNsPerOp(fn).toFixed(1)} ns CPU\n`);
    if (sink === 0x12345678) process.stdout.write('');
  }),
);
