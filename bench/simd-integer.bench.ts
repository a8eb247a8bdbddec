/**
 * CPU time of one call of the integer SIMD forms that real programs run
 * most (glibc's SSE2 string functions: pcmpeqb, pmovmskb, pminub, pxor, por,
 * psubb; memset's punpcklbw/pshufd; plus the slower-shaped psadbw and
 * paddusb), on XMM operands over 256 different B values.
 *
 * Every form is called through `form.run` from one loop, as the unit's
 * dispatcher calls it, so the call is not inlined and the figure includes
 * the indirect call. The empty form's figure is that floor.
 *
 * Run: `npx tsc -p tsconfig.json --outDir /tmp/b && node /tmp/b/bench/simd-integer.bench.js`
 * (CPU ns per call: process.cpuUsage, which a loaded machine distorts less
 * than wall time).
 */
import { FORMS } from '../src/simd/integer/forms.js';
import { Reg, type SimdForm } from '../src/simd/simd-form.js';
import { B32, SimdScratch, type SimdRun } from '../src/simd/simd-scratch.js';

const CALLS = 4_000_000;
const HOT = ['pcmpeqb', 'pmovmskb', 'pminub', 'pxor', 'por', 'psubb', 'punpcklbw', 'pshufd', 'psadbw', 'paddusb', 'pmaddwd', 'psrlq'];

const x = new SimdScratch();
const bValues = new Uint32Array(256 * 4);
let seed = 0x6d2b79f5;
for (let i = 0; i < bValues.length; i++) {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  bValues[i] = seed >>> 0;
}

function cpuNsPerCall(run: SimdRun): number {
  const t = process.cpuUsage();
  const v = x.u32;
  for (let i = 0; i < CALLS; i++) {
    const k = (i & 255) << 2;
    v[B32] = bValues[k];
    v[B32 + 1] = bValues[k + 1];
    v[B32 + 2] = bValues[k + 2];
    v[B32 + 3] = bValues[k + 3];
    run(x, 16, 0x1b);
  }
  const u = process.cpuUsage(t);
  return ((u.user + u.system) * 1000) / CALLS;
}

const xmmRow = (m: string): SimdForm => FORMS.find((f) => f.mnemonic === m && (f.a === Reg.XMM || f.b === Reg.XMM))!;
const rows: [string, SimdRun][] = [['(empty form)', () => {}], ...HOT.map((m): [string, SimdRun] => [m, xmmRow(m).run!])];
// Warm every form through the shared loop first, so all are measured with the call site as the unit has it.
for (const [, run] of rows) for (let i = 0; i < 100_000; i++) run(x, 16, 0x1b);
process.stdout.write('integer SIMD forms, XMM, CPU ns per call:\n');
for (const [name, run] of rows) process.stdout.write(`  ${name.padEnd(12)} ${cpuNsPerCall(run).toFixed(1)}\n`);
