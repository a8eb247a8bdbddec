/**
 * The JS double as a fast path for FADD/FSUB/FMUL/FDIV/FSQRT, taken only where
 * it gives the x87's bits exactly: precision control 53 bits and round to
 * nearest (the double's own rounding), operands that are doubles (normal,
 * low 11 significand bits zero, exponent in the double's range), and a
 * result that is a normal double away from the ends of the range. There the
 * x87's rounding of the exact result to 53 bits is IEEE double rounding, so
 * only PE and C1 are left to find: they come from the exact rounding error
 * (TwoSum for add, Dekker's TwoProduct for mul, the exact residual for div
 * and sqrt). Everything else returns NOT_TAKEN and the integer code runs.
 * test/fpu/softfloat-fast-path.test.ts holds both paths and the host to the
 * same bits.
 *
 * Guests running with FNINIT's precision (64 bits, e.g. glibc's default) never
 * take it; code that sets double precision (FLDCW with PC = 2) does.
 */
import { BIAS, C1, PE, SIGN, writeF80 } from '../float80.js';

export const NOT_TAKEN = -1;

let enabled = true;
/** Switch the fast path off (to compare both paths on the same cases) or back on. */
export function setDoubleFastPath(on: boolean): void {
  enabled = on;
}

/** PC = 53 bits (encoding 2) and RC = nearest: FCW bits 11..8 are 0010. */
const FCW_PC_RC = 0x0f00;
const PC53_NEAREST = 0x0200;

const TWO32 = 4294967296;
const TWO_M63 = 2 ** -63;
/** 2^(k − 1022) for k = 0..2045: exponents of normal doubles. */
const POW2 = new Float64Array(2046);
for (let k = 0; k < 2046; k++) POW2[k] = 2 ** (k - 1022);

// The double ↔ words view (little-endian, as every host that runs btvm).
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Results must stay this far inside the double range for the error terms to be exact (no under/overflow in them). */
const MIN_RESULT = 2 ** -969;
const MAX_RESULT = 2 ** 995;
/** Operand exponents (unbiased) allowed: the same margin, so Dekker's split cannot overflow. */
const MAX_EXP = 995;
const MIN_EXP = -969;

/** The 80-bit value as a double, or NaN when it is not exactly one (or is out of the fast range). */
function toDouble(se: number, hi: number, lo: number): number {
  const e = (se & 0x7fff) - BIAS;
  if (e > MAX_EXP || e < MIN_EXP || (lo & 0x7ff) !== 0 || hi >>> 31 === 0) return NaN;
  const v = ((hi >>> 0) * TWO32 + (lo >>> 0)) * TWO_M63 * POW2[e + 1022];
  return se & SIGN ? -v : v;
}

/** Write a normal double as an 80-bit value. */
function writeDouble(r: number, out: Uint32Array, o: number): void {
  f64[0] = r;
  const w1 = u32[1], w0 = u32[0];
  const se = (w1 >>> 31 ? SIGN : 0) | (((w1 >>> 20) & 0x7ff) - 1023 + BIAS);
  writeF80(out, o, se, 0x80000000 | ((w1 & 0xfffff) << 11) | (w0 >>> 21), w0 << 11);
}

/** PE and C1 from the sign of the exact error (exact = r + err). */
function status(r: number, err: number): number {
  if (err === 0) return 0;
  return (r > 0) === (err < 0) ? PE | C1 : PE;
}

function inRange(r: number): boolean {
  const m = Math.abs(r);
  return m >= MIN_RESULT && m <= MAX_RESULT;
}

/** a + b (negateB = SIGN: a − b) via the double, or NOT_TAKEN. */
export function fastAdd(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, negateB: number, fcw: number, out: Uint32Array, o: number): number {
  if (!enabled || (fcw & FCW_PC_RC) !== PC53_NEAREST) return NOT_TAKEN;
  const a = toDouble(aSe, aHi, aLo);
  const b = toDouble(bSe ^ negateB, bHi, bLo);
  const s = a + b;
  if (!inRange(s)) return NOT_TAKEN; // also NaN operands (not doubles)
  const bv = s - a;
  const err = (a - (s - bv)) + (b - bv);
  writeDouble(s, out, o);
  return status(s, err);
}

/** Dekker's split of a double into two halves of at most 26 bits each: hi in splitHi, the rest in splitLo. */
let splitHi = 0;
let splitLo = 0;
function split(x: number): void {
  const c = 134217729 * x; // 2^27 + 1
  splitHi = c - (c - x);
  splitLo = x - splitHi;
}

/** The exact error x·y − p of the rounded product p = x·y. */
function productError(x: number, y: number, p: number): number {
  split(x);
  const xh = splitHi, xl = splitLo;
  split(y);
  return ((xh * splitHi - p) + xh * splitLo + xl * splitHi) + xl * splitLo;
}

/** a × b via the double, or NOT_TAKEN. */
export function fastMul(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  if (!enabled || (fcw & FCW_PC_RC) !== PC53_NEAREST) return NOT_TAKEN;
  const a = toDouble(aSe, aHi, aLo);
  const b = toDouble(bSe, bHi, bLo);
  const p = a * b;
  if (!inRange(p)) return NOT_TAKEN;
  writeDouble(p, out, o);
  return status(p, productError(a, b, p));
}

/** a ÷ b via the double, or NOT_TAKEN. */
export function fastDiv(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  if (!enabled || (fcw & FCW_PC_RC) !== PC53_NEAREST) return NOT_TAKEN;
  const a = toDouble(aSe, aHi, aLo);
  const b = toDouble(bSe, bHi, bLo);
  const q = a / b;
  if (!inRange(q)) return NOT_TAKEN;
  // The residual a − q·b is exact; the exact quotient is q + residual/b.
  const qb = q * b;
  const residual = (a - qb) - productError(q, b, qb);
  writeDouble(q, out, o);
  return status(q, b > 0 ? residual : -residual);
}

/** √a via the double, or NOT_TAKEN. */
export function fastSqrt(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  if (!enabled || (fcw & FCW_PC_RC) !== PC53_NEAREST || aSe & SIGN) return NOT_TAKEN;
  const a = toDouble(aSe, aHi, aLo);
  const r = Math.sqrt(a);
  if (!inRange(r)) return NOT_TAKEN;
  const rr = r * r;
  const residual = (a - rr) - productError(r, r, rr); // a − r², exact; √a = r + residual/(2r) to first order
  writeDouble(r, out, o);
  return status(r, residual);
}
