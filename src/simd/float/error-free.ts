/**
 * Error-free transformations in double arithmetic, for the exact rounding
 * of rounding.ts: splitting a finite value into a significand in [1, 2) and
 * a binary exponent (so the transformations below run in a safe range
 * whatever the operands' exponents), and the sign of the error of a
 * product, a quotient and a square root rounded to double.
 *
 * Results that are pairs are left in module fields (no allocation).
 */
import { exponentOf, significandOf } from './rounding.js';

/** Left by decompose: |v| = MANT · 2^EXP, MANT in [1, 2). */
export const PARTS = { mant: 0, exp: 0 };

const TWO64 = 18446744073709551616;
const SPLITTER = 134217729; // 2^27 + 1: Veltkamp's split into two 26-bit halves

/** Split |v| (finite, non-zero; double denormals allowed) into PARTS. */
export function decompose(v: number): void {
  let a = Math.abs(v);
  let shift = 0;
  if (a < 2.2250738585072014e-308) {
    a *= TWO64;
    shift = 64;
  }
  PARTS.exp = exponentOf(a) - shift;
  PARTS.mant = significandOf(a);
}

/** The error of RN(a + b) = s: the exact a + b − s (Knuth's TwoSum; no overflow in its terms). */
export function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return a - (s - bb) + (b - bb);
}

/** The error of RN(a·b) = p: the exact a·b − p (a, b of moderate exponent, so nothing underflows). */
export function productError(a: number, b: number, p: number): number {
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** Sign of a − q·b (exact), for q = RN(a/b), all of moderate exponent: the sign of the quotient's rounding error when b > 0. */
export function remainderSign(a: number, q: number, b: number): number {
  const p = q * b;
  const e = productError(q, b, p);
  // a − p is exact (p is within a few units of a), then compare with e exactly.
  const d = a - p;
  return d > e ? 1 : d < e ? -1 : 0;
}
