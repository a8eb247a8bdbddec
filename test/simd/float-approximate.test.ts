/**
 * RCPSS and RSQRTSS against the host CPU on every entry of their tables:
 * each of the 4096 top-12-bit significands at exponents where the rule of
 * src/simd/float/approximate.ts changes (the smallest and largest normals,
 * the flush of tiny reciprocals to zero, both exponent parities for RSQRT),
 * with the low significand bits and the sign random, under random MXCSR
 * (which must change nothing). fixtures/native/simd_approximate_probe.c checks the
 * same rule over all 2^32 inputs on a host.
 */
import { describe, expect, it } from 'vitest';
import { FORMS } from '../../src/simd/float/forms.js';
import { SimdScratch } from '../../src/simd/simd-scratch.js';
import { haveSseOracle, runSse, SSE_ORACLE_MISSING, SseBatch } from '../support/sse-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';

const ok = haveSseOracle();
if (!ok) console.log(`skipping: ${SSE_ORACLE_MISSING}`);

/** Biased exponents covering the rule's edges (1 and 2: smallest normals; 252..254: reciprocals at and below 2^-126). */
const EXPONENTS = [1, 2, 126, 127, 128, 200, 252, 253, 254];

describe.skipIf(!ok)('rcpss and rsqrtss match the host on every table entry', () => {
  for (const mnemonic of ['rcpss', 'rsqrtss']) {
    it(mnemonic, () => {
      const form = FORMS.find((f) => f.mnemonic === mnemonic)!;
      const next = xorshift32(0x5eed + mnemonic.length);
      const n = 4096 * EXPONENTS.length;
      const batch = new SseBatch(n);
      const inputs = new Uint32Array(n);
      const code = [0xf3, 0x0f, form.opcode, 0xc1];
      for (let i = 0; i < n; i++) {
        const e = EXPONENTS[Math.floor(i / 4096)]!;
        const v = ((next() & 0x80000000) | (e << 23) | ((i & 4095) << 11) | (next() & 0x7ff)) >>> 0;
        inputs[i] = v;
        batch.setCode(i, code);
        batch.setMxcsr(i, (next() & 0xffc0) | 0x1f80);
        new DataView(batch.xmm(i, 1).buffer, batch.xmm(i, 1).byteOffset).setUint32(0, v, true);
      }
      const res = runSse(batch);
      const x = new SimdScratch();
      const wrong: string[] = [];
      for (let i = 0; i < n; i++) {
        x.u32.fill(0);
        x.u32[4] = inputs[i]!;
        x.mxcsr = batch.mxcsr(i);
        form.run!(x, 16, 0);
        const host = new DataView(res.xmm(i, 0).buffer, res.xmm(i, 0).byteOffset).getUint32(0, true);
        const hostFlags = (res.mxcsr(i) ^ batch.mxcsr(i)) & 0x3f;
        if (host !== x.u32[0] || hostFlags !== x.flags || res.status(i) !== 0) {
          if (wrong.length < 5) wrong.push(`${inputs[i]!.toString(16)}: host ${host.toString(16)} flags ${hostFlags} btvm ${x.u32[0]!.toString(16)} flags ${x.flags}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }
});
