/**
 * FPTAN's own 68-bit steps for a small reduced r (src/fpu/transcendental/host-tan.ts)
 * against the host CPU, where they decide the result: r from 2^-34 up to
 * host-tan.ts's limit.
 * Below that the steps reduce to u/A (transcendental-host-steps.test.ts
 * checks those); here z = r² moves P = RN68(A·p(z)) and D = RN68(A·p(z)·r·cot r)
 * off A, and where each lands depends on p's coefficients to their last
 * digits (a1 below 2^-14; a2, a3 and a4 from 2^-10, where the Padé a3 or a4 or the
 * unrefitted a2 lose 0.5 to 3% of cases): the host's result differs from the
 * rounded true tangent in about 5% of these cases (tangent) and 2% (cotangent).
 *
 * Tangent: x = r itself, its binade drawn uniformly. Cotangent: x within
 * 2^-14 of π₆₆/2, whose reduced r = x − π₆₆/2 is exact. Both signs, all four
 * rounding modes.
 */
import { describe, expect, it } from 'vitest';
import { haveX87Oracle, runX87, stackState, X87_ORACLE_MISSING } from '../support/x87-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';
import { CODE, ours, theirs, ulps, type Case, type F80 } from './transcendental-cases.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);

/** π·2^64 rounded (π₆₆/2 = PI66·2^-65): only to place the cotangent's inputs; the code under test derives its own. */
const PI66 = 0x3243f6a8885a308d3n;
const CASES = 1000;
/** Measured: 100% (tangent below 2^-14, and from 2^-10 up) and 100% (cotangent); rounding the true value gives 95% and 98%. */
const MIN_EXACT = { tan: 0.993, cot: 0.993, upper: 0.997 };
/** host-tan.ts's model is used for r below 2^HOST_STEPS_TOP. */
const HOST_STEPS_TOP = -7;

function f80(negative: boolean, biasedExp: number, sig: bigint): F80 {
  return [(negative ? 0x8000 : 0) | biasedExp, Number(sig >> 32n) >>> 0, Number(sig & 0xffffffffn) >>> 0];
}

/** x = ±r with r in [2^lo, 2^hi), its binade drawn uniformly. */
function tangentX(r: () => number, lo: number, hi: number): F80 {
  const sig = (1n << 63n) | (BigInt(r() & 0x7fffffff) << 32n) | BigInt(r());
  return f80((r() & 1) === 1, 16383 + lo + (r() % (hi - lo)), sig);
}

/**
 * x = ±(π₆₆/2 ± r): x·2^63 = PI66/4 + j, r·2^65 = |4j − PI66 mod 4| ≈ 4|j|, |j| in [2^lo, 2^hi)
 * (r in [2^(lo−63), 2^(hi−63))) with j's low `randomBits` bits random.
 */
function cotangentX(r: () => number, lo: number, hi: number, randomBits: number): F80 {
  const j = (1n << BigInt(lo + (r() % (hi - lo)))) + ((BigInt(r()) << 32n) | BigInt(r())) % (1n << BigInt(randomBits));
  return f80((r() & 1) === 1, 16383, (PI66 >> 2n) + ((r() & 1) === 1 ? j : -j));
}

function exactShare(xs: F80[], r: () => number): number {
  const cases: Case[] = xs.map((x) => ({ op: 'fptan', fcw: 0x37f | ((r() & 3) << 10), x, y: [0, 0, 0] }));
  const host = runX87(cases.map((c) => ({ state: stackState(c.fcw, c.x), code: CODE.fptan })));
  let exact = 0;
  cases.forEach((c, k) => {
    const want = theirs(host[k]!.state), got = ours(c);
    if (got.fsw === want.fsw && got.st.length === want.st.length && got.st.every((v, i) => ulps(v, want.st[i]!) === 0)) exact++;
  });
  return exact / cases.length;
}

describe.skipIf(!ok)("fptan: the host's steps for a reduced r from 2^-34 to 2^-14", () => {
  it('tangent: N/D with N = RN68(r·P), P = RN68(A·p(r²)), D = RN68(A·p(r²)·r·cot r)', () => {
    const r = xorshift32(0x7a4f0001);
    const share = exactShare(Array.from({ length: CASES }, () => tangentX(r, -34, -14)), r);
    console.log(`fptan tangent, r in [2^-34, 2^-14): ${(100 * share).toFixed(1)}% bit-exact`);
    expect(share).toBeGreaterThanOrEqual(MIN_EXACT.tan);
  });

  it("tangent from 2^-10 up: p(z)'s a2 and a3 decide the 68-bit roundings there", () => {
    const r = xorshift32(0x7a4f0003);
    const share = exactShare(Array.from({ length: CASES }, () => tangentX(r, -10, HOST_STEPS_TOP)), r);
    console.log(`fptan tangent, r in [2^-10, 2^${HOST_STEPS_TOP}): ${(100 * share).toFixed(1)}% bit-exact`);
    expect(share).toBeGreaterThanOrEqual(MIN_EXACT.upper);
  });

  it('cotangent: D/N from the same steps', () => {
    const r = xorshift32(0x7a4f0002);
    const share = exactShare(Array.from({ length: CASES }, () => cotangentX(r, 29, 48, 29)), r);
    console.log(`fptan cotangent, r in [2^-34, 2^-15): ${(100 * share).toFixed(1)}% bit-exact`);
    expect(share).toBeGreaterThanOrEqual(MIN_EXACT.cot);
  });

  it('cotangent from 2^-10 up: D/N from the same refitted p(z)', () => {
    const r = xorshift32(0x7a4f0004);
    const share = exactShare(Array.from({ length: CASES }, () => cotangentX(r, 53, 63 + HOST_STEPS_TOP, 52)), r);
    console.log(`fptan cotangent, r in [2^-10, 2^${HOST_STEPS_TOP}): ${(100 * share).toFixed(1)}% bit-exact`);
    expect(share).toBeGreaterThanOrEqual(MIN_EXACT.upper);
  });
});
