/**
 * The lifter's half of the SIMD path (lift/simd.ts): which form row an
 * encoding becomes — mandatory prefix (the last F2/F3 wins over 66),
 * register or memory variant, group rows by ModRM.reg — checked against
 * the host CPU by running the lifted op word through the unit and the same
 * bytes natively (sse_oracle); and #UD at translation time for encodings no
 * row has and on a model without the form's feature.
 */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/ir/types.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import type { LiftMode } from '../../src/lift/lift-mode.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { executeSimd } from '../../src/simd/unit/dispatch.js';
import { SIMD_OK } from '../../src/simd/unit/simd-unit.js';
import { parseCpuModel } from '../../src/state/cpu-features.js';
import { VMM_ROUTINES } from '../../src/vmm-interface/interface.js';
import { haveSseOracle, runSse, SIGILL, SseBatch, SSE_ORACLE_MISSING } from '../support/sse-oracle.js';
import { UnitHarness } from './unit-harness.js';

const BASE = 0x100000;
const lift = (bytes: readonly number[], model = 'qemu32'): Block => {
  const mode: LiftMode = { codeSize: 4, flatSegments: true, mode: 1, model: parseCpuModel(model) };
  return liftBlock(new ArrayCodeFetcher(Uint8Array.from([...bytes, 0xf4]), BASE), BASE, mode, { maxInsns: 1 });
};
const raisesUd = (b: Block): boolean => b.ops.some((o) => o.op === 'raise' && o.vector === 6 && o.cond === null);
/** The op word of the block's simd call (a constant of the translation). */
function simdOpWord(b: Block): number {
  const call = b.ops.find((o) => o.op === 'emulate' && o.routine === 'simd');
  if (call === undefined || call.op !== 'emulate') throw new Error('no simd call');
  const a = call.args[0]!;
  if (a.kind !== 'const') throw new Error('op word not a constant');
  return a.value;
}

/** Prefix orders and combinations whose meaning the host decides (register forms, xmm0 ← xmm1). */
const PREFIXED: readonly number[][] = [
  [0x66, 0xf3, 0x0f, 0x10, 0xc1], [0xf3, 0x66, 0x0f, 0x10, 0xc1], [0xf2, 0xf3, 0x0f, 0x10, 0xc1], [0xf3, 0xf2, 0x0f, 0x10, 0xc1],
  [0x66, 0xf2, 0x0f, 0x12, 0xc1], [0x66, 0x0f, 0x6f, 0xc1], [0xf3, 0x0f, 0x6f, 0xc1], [0x66, 0xf3, 0x0f, 0x7e, 0xc1],
  [0xf3, 0x0f, 0xd6, 0xc1], [0xf2, 0x0f, 0xd6, 0xc1], [0x0f, 0x12, 0xc1], [0xf2, 0x0f, 0x12, 0xc1], [0xf3, 0x0f, 0x16, 0xc1],
];

describe('lifting SIMD instructions', () => {
  it.skipIf(!haveSseOracle())('each prefix combination becomes the form the host CPU executes', () => {
    const b = new SseBatch(PREFIXED.length);
    const h = new UnitHarness();
    PREFIXED.forEach((code, i) => {
      b.setCode(i, code);
      b.setMxcsr(i, 0x1f80);
      for (let r = 0; r < 8; r++) b.xmm(i, r).set(Uint8Array.from({ length: 16 }, (_, k) => 16 * r + k + 1));
      for (let r = 0; r < 8; r++) b.mm(i, r).set(Uint8Array.from({ length: 8 }, (_, k) => 0x80 + 8 * r + k));
    });
    const res = runSse(b);
    PREFIXED.forEach((code, i) => {
      const name = Buffer.from(code).toString('hex');
      const block = lift(code);
      if (res.status(i) === SIGILL) { expect(raisesUd(block), name).toBe(true); return; }
      expect(res.status(i), name).toBe(0);
      for (let r = 0; r < 8; r++) { h.xmm(r).set(b.xmm(i, r)); h.setMm(r, b.mm(i, r)); }
      h.unit.s.mxcsr = 0x1f80;
      expect(executeSimd(h.unit, simdOpWord(block), 0, 0), name).toBe(SIMD_OK);
      for (let r = 0; r < 8; r++) {
        expect(Buffer.from(h.xmm(r)).toString('hex'), `${name}: xmm${r}`).toBe(Buffer.from(res.xmm(i, r)).toString('hex'));
        expect(Buffer.from(h.mm(r)).toString('hex'), `${name}: mm${r}`).toBe(Buffer.from(res.mm(i, r)).toString('hex'));
      }
    });
  });
  if (!haveSseOracle()) it.skip(SSE_ORACLE_MISSING, () => {});

  it('an encoding with no row (F3 0F 28, 66 0F 77, movlpd\'s register form, SSSE3) is #UD at translation', () => {
    for (const code of [[0xf3, 0x0f, 0x28, 0xc1], [0x66, 0x0f, 0x77], [0x66, 0x0f, 0x12, 0xc1], [0x0f, 0x38, 0x00, 0xc1], [0x0f, 0xae, 0xc0]]) {
      expect(raisesUd(lift(code)), Buffer.from(code).toString('hex')).toBe(true);
    }
    expect(raisesUd(lift([0x0f, 0x28, 0xc1]))).toBe(false);
    // SSE3's monitor/mwait need CPUID.1:ECX.MONITOR, which qemu32 does not advertise; clflush needs CLFLUSH.
    for (const code of [[0x0f, 0x01, 0xc8], [0x0f, 0x01, 0xc9], [0x0f, 0xae, 0x38]]) expect(raisesUd(lift(code)), Buffer.from(code).toString('hex')).toBe(true);
    // The fences and prefetch hints run (as nothing) on qemu32.
    for (const code of [[0x0f, 0xae, 0xe8], [0x0f, 0xae, 0xf0], [0x0f, 0xae, 0xf8], [0x0f, 0x18, 0x00], [0xf3, 0x90]]) expect(raisesUd(lift(code)), Buffer.from(code).toString('hex')).toBe(false);
  });

  it('on btvm32 (no MMX, FXSR, SSE, SSE2, SSE3) every SIMD form is #UD; qemu32 runs them as simd calls', () => {
    for (const code of [[0x0f, 0x28, 0xc1], [0x0f, 0xfc, 0xc1], [0x66, 0x0f, 0xfc, 0xc1], [0x0f, 0xae, 0x00], [0x0f, 0x77], [0xf2, 0x0f, 0x12, 0xc1]]) {
      const name = Buffer.from(code).toString('hex');
      expect(raisesUd(lift(code, 'btvm32')), name).toBe(true);
      expect(raisesUd(lift(code, 'qemu32')), name).toBe(false);
      expect(lift(code, 'qemu32').ops.some((o) => o.op === 'emulate' && o.routine === 'simd'), name).toBe(true);
    }
    expect(raisesUd(lift([0xf2, 0x0f, 0x12, 0xc1], 'qemu32,-sse3'))).toBe(true);
    expect(VMM_ROUTINES[VMM_ROUTINES.length - 1]).toBe('simd');
  });

  it('memory forms and maskmovdqu pass an address computed at run time (the operand\'s, or EDI\'s), register forms 0', () => {
    const address = (code: number[]): string => {
      const call = lift(code).ops.find((o) => o.op === 'emulate');
      if (call === undefined || call.op !== 'emulate') throw new Error('no call');
      const b = call.args[1]!;
      return b.kind === 'const' ? `const ${b.value}` : 'computed';
    };
    expect(address([0x0f, 0x28, 0x43, 0x10])).toBe('computed'); // movaps xmm0, [ebx+0x10]
    expect(address([0x66, 0x0f, 0xf7, 0xc1])).toBe('computed'); // maskmovdqu xmm0, xmm1: [edi]
    expect(address([0x0f, 0x28, 0xc1])).toBe('const 0');
  });
});
