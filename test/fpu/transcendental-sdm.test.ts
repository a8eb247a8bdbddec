/**
 * The x87 transcendental instructions' special cases from the Intel SDM's
 * tables (Vol. 2, FSIN/FCOS/FSINCOS/FPTAN/F2XM1/FYL2X/FPATAN), checked without
 * the host CPU, so they hold on machines where the differential test
 * (transcendental.test.ts) skips. Also the calling-convention promises the x87
 * unit relies on: C2 with nothing written out of range, nothing written on an
 * unmasked invalid operation.
 */
import { describe, expect, it } from 'vitest';
import { f2xm1, fcos, fpatan, fptan, fsin, fsincos, fyl2x, fyl2xp1 } from '../../src/fpu/transcendental/index.js';
import { C1, C2, FCW_DEFAULT, IE, PE, RC_DOWN, RC_UP, ZE, f80Hex } from '../../src/fpu/float80.js';

const ONE = [0x3fff, 0x80000000, 0] as const;
const MINUS_ONE = [0xbfff, 0x80000000, 0] as const;
const ZERO = [0, 0, 0] as const;
const MINUS_ZERO = [0x8000, 0, 0] as const;
const INF = [0x7fff, 0x80000000, 0] as const;
const MINUS_INF = [0xffff, 0x80000000, 0] as const;
const TWO_63 = [0x3fff + 63, 0x80000000, 0] as const;
const INDEFINITE = 'ffffc000000000000000';
type V = readonly [number, number, number];

function unary(op: typeof fsin, a: V, fcw = FCW_DEFAULT): { flags: number; out: string[] } {
  const out = new Uint32Array(6).fill(0x5a5a5a5a);
  const flags = op(a[0], a[1], a[2], fcw, out, 0);
  return { flags, out: [f80Hex(out[0]!, out[1]!, out[2]!), f80Hex(out[3]!, out[4]!, out[5]!)] };
}

function binary(op: typeof fyl2x, x: V, y: V, fcw = FCW_DEFAULT): { flags: number; out: string } {
  const out = new Uint32Array(3).fill(0x5a5a5a5a);
  const flags = op(x[0], x[1], x[2], y[0], y[1], y[2], fcw, out, 0);
  return { flags, out: f80Hex(out[0]!, out[1]!, out[2]!) };
}

const UNTOUCHED = f80Hex(0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a);
const hex = (v: V) => f80Hex(v[0], v[1], v[2]);

describe('x87 transcendental special cases (SDM tables)', () => {
  it('fsin, fcos, fsincos, fptan of |x| ≥ 2^63 set C2 and write nothing', () => {
    for (const op of [fsin, fcos, fsincos, fptan]) {
      const r = unary(op, TWO_63);
      expect(r.flags).toBe(C2);
      expect(r.out).toEqual([UNTOUCHED, UNTOUCHED]);
    }
  });

  it('zeros: sin ±0 = ±0, cos ±0 = +1, tan ±0 = ±0 with 1 pushed, no flags', () => {
    expect(unary(fsin, MINUS_ZERO)).toEqual({ flags: 0, out: [hex(MINUS_ZERO), UNTOUCHED] });
    expect(unary(fcos, MINUS_ZERO)).toEqual({ flags: 0, out: [hex(ONE), UNTOUCHED] });
    expect(unary(fsincos, MINUS_ZERO)).toEqual({ flags: 0, out: [hex(MINUS_ZERO), hex(ONE)] });
    expect(unary(fptan, ZERO)).toEqual({ flags: 0, out: [hex(ZERO), hex(ONE)] });
  });

  it('an infinite operand is invalid for the trigonometric ones: the indefinite (both results), or nothing when IE is unmasked', () => {
    expect(unary(fsincos, MINUS_INF)).toEqual({ flags: IE, out: [INDEFINITE, INDEFINITE] });
    expect(unary(fsin, INF, FCW_DEFAULT & ~IE)).toEqual({ flags: IE, out: [UNTOUCHED, UNTOUCHED] });
  });

  it('f2xm1: ±0 → ±0, +∞ → +∞, −∞ → −1, −1 → −0.5', () => {
    expect(unary(f2xm1, MINUS_ZERO).out[0]).toBe(hex(MINUS_ZERO));
    expect(unary(f2xm1, INF).out[0]).toBe(hex(INF));
    expect(unary(f2xm1, MINUS_INF)).toEqual({ flags: 0, out: [hex(MINUS_ONE), UNTOUCHED] });
    expect(unary(f2xm1, MINUS_ONE)).toEqual({ flags: PE, out: ['bffe8000000000000000', UNTOUCHED] });
  });

  it('fyl2x: x = ±0 with finite y ≠ 0 divides by zero (−∞·sign y); negative x is invalid; x = 1 gives a signed zero', () => {
    expect(binary(fyl2x, ZERO, ONE)).toEqual({ flags: ZE, out: hex(MINUS_INF) });
    expect(binary(fyl2x, MINUS_ZERO, MINUS_ONE)).toEqual({ flags: ZE, out: hex(INF) });
    expect(binary(fyl2x, MINUS_ONE, ONE)).toEqual({ flags: IE, out: INDEFINITE });
    expect(binary(fyl2x, ONE, MINUS_ONE)).toEqual({ flags: 0, out: hex(MINUS_ZERO) });
    expect(binary(fyl2x, ONE, INF).flags).toBe(IE);
    expect(binary(fyl2x, INF, MINUS_ONE)).toEqual({ flags: 0, out: hex(MINUS_INF) });
  });

  it('fyl2x of a power of two is exact: log2 8 · 3 = 9', () => {
    expect(binary(fyl2x, [0x4002, 0x80000000, 0], [0x4000, 0xc0000000, 0]).out).toBe('40029000000000000000');
  });

  it('fyl2xp1: x = ±0 gives ±0 with the sign of x·y, y = ∞ and x = 0 is invalid', () => {
    expect(binary(fyl2xp1, MINUS_ZERO, ONE)).toEqual({ flags: 0, out: hex(MINUS_ZERO) });
    expect(binary(fyl2xp1, ZERO, MINUS_ONE)).toEqual({ flags: 0, out: hex(MINUS_ZERO) });
    expect(binary(fyl2xp1, ZERO, INF).flags).toBe(IE);
  });

  it('fpatan: the quadrant table for zeros and infinities, π rounded under RC with C1', () => {
    const piUp = '4000c90fdaa22168c235', piDown = '4000c90fdaa22168c234';
    expect(binary(fpatan, MINUS_ZERO, ZERO)).toEqual({ flags: PE | C1, out: piUp });
    expect(binary(fpatan, MINUS_ONE, ZERO, FCW_DEFAULT | (RC_DOWN << 10))).toEqual({ flags: PE, out: piDown });
    expect(binary(fpatan, ZERO, MINUS_ZERO)).toEqual({ flags: 0, out: hex(MINUS_ZERO) });
    expect(binary(fpatan, ONE, MINUS_INF).out).toBe('bfffc90fdaa22168c235'); // −π/2
    expect(binary(fpatan, MINUS_INF, INF, FCW_DEFAULT | (RC_UP << 10)).out).toBe('400096cbe3f9990e91a8'); // 3π/4 rounded up
    expect(binary(fpatan, INF, ONE)).toEqual({ flags: 0, out: hex(ZERO) });
  });
});
