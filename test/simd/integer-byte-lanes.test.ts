/**
 * The byte forms that work four bytes per 32-bit word (src/simd/integer/
 * swar.ts: paddb/psubb, their signed and unsigned saturating forms, pavgb,
 * pminub/pmaxub, pcmpeqb/pcmpgtb, psadbw) against
 * the host CPU for EVERY pair of byte values in EVERY byte position of a
 * word: a carry, borrow or compare bit leaking into the neighbouring byte, or
 * a top-bit fix-up wrong for one value pair, cannot hide. 16384 XMM cases per
 * form; the neighbouring bytes of each pair hold other pairs.
 *
 * The random differential test (forms-differential.test.ts) covers the MMX
 * rows, which share these functions, and the memory forms.
 */
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../src/simd/integer/forms.js';
import { Reg } from '../../src/simd/simd-form.js';
import { MXCSR_DEFAULT, SimdScratch } from '../../src/simd/simd-scratch.js';
import { haveSseOracle, runSse, SSE_ORACLE_MISSING, SseBatch } from '../support/sse-oracle.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);

const BYTE_FORMS = ['paddb', 'psubb', 'paddsb', 'psubsb', 'paddusb', 'psubusb', 'pavgb', 'pminub', 'pmaxub', 'pcmpeqb', 'pcmpgtb', 'psadbw'];
const CASES = 65536 / 4;
/** Pair index of byte position p of word w in case c: for each p, all 65536 pairs over the cases and words. */
const pairAt = (c: number, w: number, p: number): number => (4 * c + w + p * 12345) & 0xffff;

describe.skipIf(!ok)('integer SIMD byte forms against the host CPU for every byte pair in every position', () => {
  it.each(BYTE_FORMS)('%s xmm', (mnemonic) => {
    const form = FORMS.find((f) => f.mnemonic === mnemonic && f.a === Reg.XMM)!;
    const batch = new SseBatch(CASES);
    for (let c = 0; c < CASES; c++) {
      batch.setCode(c, [0x66, 0x0f, form.opcode, 0xc1]);
      batch.setMxcsr(c, MXCSR_DEFAULT);
      const a = batch.xmm(c, 0);
      const b = batch.xmm(c, 1);
      for (let w = 0; w < 4; w++) {
        for (let p = 0; p < 4; p++) {
          const pair = pairAt(c, w, p);
          a[4 * w + p] = pair >> 8;
          b[4 * w + p] = pair & 0xff;
        }
      }
    }
    const res = runSse(batch);
    const x = new SimdScratch();
    const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');
    let differ = 0;
    let first = '';
    for (let c = 0; c < CASES; c++) {
      x.u8.set(batch.xmm(c, 0), 0);
      x.u8.set(batch.xmm(c, 1), 16);
      const input = hex(x.u8);
      form.run!(x, 16, 0);
      const host = res.xmm(c, 0);
      if (res.status(c) !== 0 || hex(host) !== hex(x.u8.subarray(0, 16))) {
        if (differ++ === 0) first = `A|B ${input}: host ${hex(host)} (status ${res.status(c)}), btvm ${hex(x.u8.subarray(0, 16))}`;
      }
    }
    expect(first, `${differ} of ${CASES} cases differ`).toBe('');
  });
});
