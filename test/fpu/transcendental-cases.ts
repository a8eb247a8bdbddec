/**
 * Cases and checks for the differential tests of src/fpu/transcendental/
 * against the host CPU (test/fpu/transcendental.test.ts): operand generators
 * biased to the special values and to each instruction's interesting ranges,
 * the stack effect of each instruction (so one of our function calls can be
 * compared with the FNSAVE state the host leaves), and the ulp distance.
 */
import { f2xm1, fcos, fpatan, fptan, fsin, fsincos, fyl2x, fyl2xp1 } from '../../src/fpu/transcendental/index.js';
import { C1, C2, tagOf, TAG_EMPTY } from '../../src/fpu/float80.js';
import type { X87State } from '../support/x87-oracle.js';

export type Op = 'f2xm1' | 'fyl2x' | 'fyl2xp1' | 'fptan' | 'fpatan' | 'fsin' | 'fcos' | 'fsincos';
export const OPS: readonly Op[] = ['f2xm1', 'fyl2x', 'fyl2xp1', 'fptan', 'fpatan', 'fsin', 'fcos', 'fsincos'];

/** Each instruction's IA-32 encoding. */
export const CODE: Record<Op, Uint8Array> = {
  f2xm1: Uint8Array.of(0xd9, 0xf0),
  fyl2x: Uint8Array.of(0xd9, 0xf1),
  fptan: Uint8Array.of(0xd9, 0xf2),
  fpatan: Uint8Array.of(0xd9, 0xf3),
  fyl2xp1: Uint8Array.of(0xd9, 0xf9),
  fsincos: Uint8Array.of(0xd9, 0xfb),
  fsin: Uint8Array.of(0xd9, 0xfe),
  fcos: Uint8Array.of(0xd9, 0xff),
};

/** An 80-bit value as [se, hi, lo]. */
export type F80 = [number, number, number];

export interface Case {
  op: Op;
  fcw: number;
  x: F80; // ST(0)
  y: F80; // ST(1)
}

/** Values every instruction meets with some probability: the SDM tables' rows. */
function special(r: () => number): F80 {
  const s = r() & 1 ? 0x8000 : 0;
  switch (r() % 14) {
    case 0: return [s, 0, 0];
    case 1: return [s | 0x7fff, 0x80000000, 0];
    case 2: return [s | 0x7fff, (0xc0000000 | (r() & 0x3fffffff)) >>> 0, r() & 1 ? r() : 0]; // QNaN
    case 3: return [s | 0x7fff, (0x80000000 | (r() & 0x3fffffff) | 1) >>> 0, r()]; // SNaN
    case 4: return [s, r() & 0x7fffffff, r()]; // denormal
    case 5: return [s, (0x80000000 | r()) >>> 0, r()]; // pseudo-denormal
    case 6: return [s | (1 + (r() % 0x7ffe)), r() & 0x7fffffff, r()]; // unnormal
    case 7: return [s | 0x7fff, r() & 0x3fffffff, (r() | 1) >>> 0]; // pseudo-NaN
    case 8: return [s | 0x3fff, 0x80000000, 0]; // ±1
    case 9: return [s | 1, 0x80000000, 0]; // smallest normal
    case 10: return [s | 0x7ffe, 0xffffffff, 0xffffffff]; // largest
    case 11: return [s | (0x3fff + (r() % 3) - 1), (0x80000000 | (r() & 1 ? 0 : 0x7fffffff)) >>> 0, r() % 4 === 0 ? 0 : r() & 3 ? r() & 7 : -1 >>> 0]; // near 1, ½, 2
    case 12: return [s, 0, 1]; // smallest denormal
    default: return [s | (0x3fff + (r() % 128) - 64), 0x80000000, 0]; // powers of two
  }
}

/** A normal with a uniformly random significand and an exponent (unbiased) in [lo, hi]. */
function normal(r: () => number, lo: number, hi: number, negative: boolean | 'any'): F80 {
  const e = lo + (r() % (hi - lo + 1));
  const s = negative === 'any' ? (r() & 1 ? 0x8000 : 0) : negative ? 0x8000 : 0;
  return [s | (e + 16383), (0x80000000 | r()) >>> 0, r()];
}

/** x + k ulps for a normal x (k small), staying normal. */
function nudge(x: F80, k: number): F80 {
  let m = ((BigInt(x[1]) << 32n) | BigInt(x[2])) + BigInt(k);
  let se = x[0];
  if (m >= 1n << 64n) { m >>= 1n; se++; }
  if (m < 1n << 63n) { m = (m << 1n) | 1n; se--; }
  return [se, Number(m >> 32n) >>> 0, Number(m & 0xffffffffn) >>> 0];
}

/** The nearest 80-bit value to k·(π₆₆/2) with k given, for arguments near the trig functions' zeros and poles. */
export function nearHalfPiMultiple(r: () => number): F80 {
  const PI66 = 0x3243f6a8885a308d3n; // π·2^64 rounded: only an input generator, the code under test derives its own
  const k = BigInt(1 + (r() % (r() & 1 ? 8 : 0xffffff)));
  const v = k * PI66; // value·2^65
  const len = v.toString(2).length;
  const m = v >> BigInt(len - 64);
  const e = len - 1 - 65;
  const x: F80 = [(r() & 1 ? 0x8000 : 0) | (e + 16383), Number(m >> 32n) >>> 0, Number(m & 0xffffffffn) >>> 0];
  return nudge(x, (r() % 9) - 4);
}

function operandX(op: Op, r: () => number): F80 {
  const pick = r() % 100;
  if (pick < 12) return special(r);
  switch (op) {
    case 'f2xm1':
      if (pick < 20) return normal(r, -16382, -64, 'any'); // tiny
      if (pick < 24) return normal(r, 0, 20, 'any'); // outside −1..+1
      return normal(r, -66, -1, 'any');
    case 'fyl2x':
      if (pick < 25) return nudge([0x3fff, 0x80000000, 0], (r() % 64) - 32); // near 1
      if (pick < 32) return normal(r, -16382, 16383, false);
      if (pick < 36) return normal(r, -8, 8, true); // negative: invalid
      return normal(r, -70, 70, false);
    case 'fyl2xp1':
      if (pick < 22) return normal(r, -16382, -64, 'any');
      if (pick < 28) return normal(r, -2, 4, 'any'); // outside the SDM's domain
      return normal(r, -63, -3, 'any');
    case 'fpatan':
      if (pick < 30) return normal(r, -20, 20, 'any');
      return normal(r, -16382, 16383, 'any');
    default:
      if (pick < 30) return nearHalfPiMultiple(r);
      if (pick < 36) return normal(r, 63, 70, 'any'); // out of range: C2
      if (pick < 44) return normal(r, -16382, -32, 'any');
      return normal(r, -40, 62, 'any');
  }
}

function operandY(op: Op, r: () => number): F80 {
  const pick = r() % 100;
  if (op === 'fpatan') return pick < 15 ? special(r) : pick < 60 ? normal(r, -20, 20, 'any') : normal(r, -16382, 16383, 'any');
  if (op !== 'fyl2x' && op !== 'fyl2xp1') return [0, 0, 0];
  if (pick < 12) return special(r);
  if (pick < 20) return normal(r, -16382, 16383, 'any'); // overflow and underflow of the product
  return normal(r, -10, 10, 'any');
}

/** n cases of op from a seed; rounding control and (ignored by these instructions) precision control random. */
export function makeCases(op: Op, n: number, r: () => number): Case[] {
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    // One case in eight unmasks some exceptions: then the host leaves them pending (ES set, no trap before FNSAVE).
    const masks = r() % 8 === 0 ? r() & 0x3f : 0x3f;
    const fcw = masks | 0x40 | ((r() & 3) << 10) | ((r() % 4 === 0 ? r() & 3 : 3) << 8);
    cases.push({ op, fcw, x: operandX(op, r), y: operandY(op, r) });
  }
  return cases;
}

/** Does the instruction read ST(1)? */
export function binary(op: Op): boolean {
  return op === 'fyl2x' || op === 'fyl2xp1' || op === 'fpatan';
}

/**
 * The FNSAVE-visible outcome of one case under btvm's functions, with the
 * instruction's stack effect: what the x87 unit will do around the call,
 * starting from TOP = 0. An unmasked IE, DE or ZE leaves the stack as it was
 * (float80.ts: nothing written); an unmasked OE, UE or PE still delivers the
 * result. Any unmasked exception raised sets ES and B.
 */
export function ours(c: Case): { fsw: number; ftw: number; st: F80[] } {
  const out = new Uint32Array(6);
  const [x, y] = [c.x, c.y];
  const regs: F80[] = binary(c.op) ? [x, y] : [x];
  let flags: number;
  let top = 0;
  const preComputation = (f: number) => (f & ~c.fcw & (0x01 | 0x02 | 0x04)) !== 0;
  switch (c.op) {
    case 'f2xm1':
    case 'fsin':
    case 'fcos':
      flags = (c.op === 'f2xm1' ? f2xm1 : c.op === 'fsin' ? fsin : fcos)(x[0], x[1], x[2], c.fcw, out, 0);
      if ((flags & C2) === 0 && !preComputation(flags)) regs[0] = [out[0]!, out[1]!, out[2]!];
      break;
    case 'fyl2x':
    case 'fyl2xp1':
    case 'fpatan':
      flags = (c.op === 'fyl2x' ? fyl2x : c.op === 'fyl2xp1' ? fyl2xp1 : fpatan)(x[0], x[1], x[2], y[0], y[1], y[2], c.fcw, out, 0);
      if (preComputation(flags)) break;
      regs.splice(0, 2, [out[0]!, out[1]!, out[2]!]);
      top = 1;
      break;
    case 'fptan':
    case 'fsincos':
      flags = (c.op === 'fptan' ? fptan : fsincos)(x[0], x[1], x[2], c.fcw, out, 0);
      if ((flags & C2) === 0 && !preComputation(flags)) {
        regs.splice(0, 1, [out[3]!, out[4]!, out[5]!], [out[0]!, out[1]!, out[2]!]);
        top = 7;
      }
      break;
  }
  let ftw = 0xffff;
  regs.forEach((v, i) => {
    const phys = (top + i) & 7;
    ftw = (ftw & ~(3 << (2 * phys))) | (tagOf(v[0], v[1], v[2]) << (2 * phys));
  });
  const pending = (flags & ~c.fcw & 0x3f) !== 0 ? 0x8080 : 0; // ES and B
  const fsw = (top << 11) | (flags & (0x3f | C1 | C2)) | pending;
  return { fsw, ftw, st: regs };
}

/** The host's outcome in the same shape: FSW without C0/C3 (undefined for these instructions), live registers only. */
export function theirs(s: X87State): { fsw: number; ftw: number; st: F80[] } {
  const top = (s.fsw >> 11) & 7;
  const st: F80[] = [];
  for (let i = 0; i < 8; i++) {
    if (((s.ftw >> (2 * ((top + i) & 7))) & 3) === TAG_EMPTY) break;
    st.push([s.st[3 * i]!, s.st[3 * i + 1]!, s.st[3 * i + 2]!]);
  }
  return { fsw: s.fsw & ~0x4100, ftw: s.ftw, st };
}

/** Position of a finite value on the line of 80-bit values (adjacent values differ by 1), or null. */
function ordinal(v: F80): bigint | null {
  const e = v[0] & 0x7fff;
  if (e === 0x7fff) return null;
  const m = (BigInt(v[1]) << 32n) | BigInt(v[2]);
  const mag = e === 0 ? m : BigInt(e - 1) * (1n << 63n) + m;
  return v[0] & 0x8000 ? -mag : mag;
}

/** Distance in units in the last place between two values; 0 for identical patterns, Infinity when not comparable. */
export function ulps(a: F80, b: F80): number {
  if (a[0] === b[0] && a[1] === b[1] && a[2] === b[2]) return 0;
  const oa = ordinal(a), ob = ordinal(b);
  if (oa === null || ob === null) return Infinity;
  const d = oa > ob ? oa - ob : ob - oa;
  return d > 1000n ? Infinity : Number(d);
}

export function hex(v: F80): string {
  return v.map((w, i) => (w >>> 0).toString(16).padStart(i === 0 ? 4 : 8, '0')).join('');
}
