/**
 * The host CPU's own steps that src/fpu/transcendental/ reproduces, each
 * checked where it decides the result (the broad random comparison is
 * transcendental.test.ts, where each of these is a fraction of a percent).
 *
 * FYL2X and FYL2XP1's internal 68-bit logarithm (host-log2.ts), one x at a
 * time. The host returns y times that
 * logarithm rounded once, so running one x with many y under round-to-zero
 * pins the logarithm down: a logarithm one 68-bit step off changes the result
 * for several of them. Each x here counts only if btvm agrees with the host
 * for every one of its y.
 *
 * The x are where the host's steps differ most from the true logarithm: FYL2X
 * with z = (m − 1)/(m + 1) in the outer part of the reduced range, where the
 * host's polynomial correction δ(z) decides the last bits, and with e ≠ 0,
 * where e + a is rounded on its own; FYL2XP1 within its reduced range.
 *
 * FPTAN of x within a few ulps of a multiple of π₆₆/2 (host-tan.ts): a reduced r
 * so small that the host's tangent is u/A and its cotangent A/u, with
 * u = r·A rounded to 68 bits.
 */
import { describe, expect, it } from 'vitest';
import { haveX87Oracle, runX87, stackState, X87_ORACLE_MISSING } from '../support/x87-oracle.js';
import { xorshift32 } from '../support/xorshift32.js';
import { CODE, nearHalfPiMultiple, ours, theirs, ulps, type Case, type F80 } from './transcendental-cases.js';

const ok = haveX87Oracle();
if (!ok) console.log(`skipping: ${X87_ORACLE_MISSING}`);

const Y_PER_X = 200;
const RC_ZERO = 3 << 10;
/** Least share of x for which every y agrees (measured: 100% of both sets; without δ(z) 93.8% of the fyl2x set, without the e + a rounding 80.6%, with FYL2XP1 dividing by the exact 2 + x 75% of its set). */
const MIN_AGREEING = 0.975;

/** A normal 80-bit value from its sign, unbiased exponent and a significand in [1, 2) given as a double (low bits random). */
function value(negative: boolean, exp: number, sig: number, r: () => number): F80 {
  const hi = (Math.floor((sig - 1) * 2 ** 31) | 0x80000000) >>> 0;
  return [(negative ? 0x8000 : 0) | (exp + 16383), hi, r()];
}

/** m in [√2/2, √2) with |z| = |m − 1|/(m + 1) between 0.09 and the top of the range, as x = m·2^e. */
function outerRangeX(r: () => number): F80 {
  const z = (0.09 + ((r() >>> 8) / 2 ** 24) * 0.0816) * (r() & 1 ? 1 : -1);
  const m = (1 + z) / (1 - z);
  const e = (r() % 7) - 3;
  return m >= 1 ? value(false, e, m, r) : value(false, e - 1, 2 * m, r);
}

/** x for FYL2XP1 within −(1 − √2/2) ≤ x ≤ √2 − 1: |x| from 2^-50 to 0.25. */
function p1RangeX(r: () => number): F80 {
  return value((r() & 1) === 1, -50 + (r() % 48), 1 + (r() >>> 8) / 2 ** 24, r);
}

function agreeingShare(op: 'fyl2x' | 'fyl2xp1', xs: F80[], r: () => number): number {
  const cases: Case[] = [];
  for (const x of xs) {
    for (let k = 0; k < Y_PER_X; k++) cases.push({ op, fcw: 0x37f | RC_ZERO, x, y: value(false, 0, 1 + (r() >>> 8) / 2 ** 24, r) });
  }
  const host = runX87(cases.map((c) => ({ state: stackState(c.fcw, [...c.x, ...c.y]), code: CODE[op] })));
  let agreeing = 0;
  for (let i = 0; i < xs.length; i++) {
    let all = true;
    for (let k = i * Y_PER_X; k < (i + 1) * Y_PER_X && all; k++) {
      const want = theirs(host[k]!.state).st[0]!, got = ours(cases[k]!).st[0]!;
      all = got[0] === want[0] && got[1] === want[1] && got[2] === want[2];
    }
    if (all) agreeing++;
  }
  return agreeing / xs.length;
}

/** Share of cases whose whole outcome (registers, FSW) is the host's. */
function exactShare(cases: Case[]): number {
  const host = runX87(cases.map((c) => ({ state: stackState(c.fcw, c.x), code: CODE[c.op] })));
  let exact = 0;
  cases.forEach((c, k) => {
    const want = theirs(host[k]!.state), got = ours(c);
    if (got.fsw === want.fsw && got.ftw === want.ftw && got.st.length === want.st.length && got.st.every((v, j) => ulps(v, want.st[j]!) === 0)) exact++;
  });
  return exact / cases.length;
}

describe.skipIf(!ok)("the host's own steps", () => {
  it('fyl2x: the logarithm of x in the outer part of the reduced range, e from −3 to 3', () => {
    const r = xorshift32(0x10c2f001);
    const share = agreeingShare('fyl2x', Array.from({ length: 160 }, () => outerRangeX(r)), r);
    console.log(`fyl2x: every y agrees for ${(100 * share).toFixed(1)}% of x`);
    expect(share).toBeGreaterThanOrEqual(MIN_AGREEING);
  });

  it('fyl2xp1: the logarithm of 1 + x within the reduced range', () => {
    const r = xorshift32(0x10c2f002);
    const share = agreeingShare('fyl2xp1', Array.from({ length: 48 }, () => p1RangeX(r)), r);
    console.log(`fyl2xp1: every y agrees for ${(100 * share).toFixed(1)}% of x`);
    expect(share).toBeGreaterThanOrEqual(MIN_AGREEING);
  });

  it('fptan: tangent and cotangent of a reduced r whose r³/3 the host does not resolve', () => {
    const r = xorshift32(0x10c2f003);
    const cases: Case[] = Array.from({ length: 1500 }, () => ({ op: 'fptan', fcw: 0x37f | ((r() & 3) << 10), x: nearHalfPiMultiple(r), y: [0, 0, 0] }));
    const share = exactShare(cases);
    console.log(`fptan near multiples of π/2: ${(100 * share).toFixed(2)}% bit-exact`);
    // Measured: all of them; with the exact cotangent 1/r, 98.4%.
    expect(share).toBeGreaterThanOrEqual(0.997);
  });
});
