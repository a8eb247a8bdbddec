/**
 * Forms that move or retag registers without arithmetic: fld st(i),
 * fst/fstp st(i), fxch, fcmovcc, fabs, fchs, ffree/ffreep, fincstp,
 * fdecstp, and the constant loads fld1 .. fldz.
 *
 * Stack faults follow SDM Vol. 1 §8.5.1.1: an empty source is an underflow
 * (IE, SF, C1 = 0; masked, the destination receives the QNaN indefinite), a
 * push onto a used ST(7) an overflow (C1 = 1; masked, the indefinite is
 * pushed). No form here raises any other exception: copies of SNaNs and
 * unsupported encodings are not "operations" on them.
 */
import { C1, SIGN } from '../float80.js';
import {
  copyReg, isEmpty, markUsed, overflowPush, pop, push, st, stackUnderflow, underflowInto, writeIndefiniteAt, type X87Unit,
} from './x87-unit.js';

/** fld st(i): an empty source is an underflow even when ST(7) is also in use (measured). */
export function fldSt(u: X87Unit, i: number): void {
  if (isEmpty(u, i)) {
    if (stackUnderflow(u)) writeIndefiniteAt(u, push(u));
    return;
  }
  if (!isEmpty(u, 7)) return overflowPush(u);
  const from = st(u, i);
  u.s.sw &= ~C1;
  copyReg(u, push(u), from);
}

/**
 * fstp1 (d9 d8+i), the alias of fstp st(i): with ST(0) empty the host
 * raises nothing and writes nothing, only clears C1 and pops (dd d8+i and df d0+i, d8+i
 * signal the underflow).
 */
export function fstp1(u: X87Unit, i: number): void {
  if (!isEmpty(u, 0)) return fstSt(u, i, true);
  u.s.sw &= ~C1;
  pop(u);
}

/** fst st(i), and fstp st(i) when `popAfter`. */
export function fstSt(u: X87Unit, i: number, popAfter: boolean): void {
  if (isEmpty(u, 0)) {
    if (!underflowInto(u, i)) return;
  } else {
    u.s.sw &= ~C1;
    copyReg(u, st(u, i), st(u, 0));
    markUsed(u, i);
  }
  if (popAfter) pop(u);
}

/** fxch st(i): an empty side becomes the indefinite first when IE is masked. */
export function fxch(u: X87Unit, i: number): void {
  const e0 = isEmpty(u, 0);
  const ei = isEmpty(u, i);
  if (e0 || ei) {
    if (!stackUnderflow(u)) return;
    if (e0) writeIndefiniteAt(u, st(u, 0));
    if (ei) writeIndefiniteAt(u, st(u, i));
    markUsed(u, 0);
    markUsed(u, i);
  } else {
    u.s.sw &= ~C1;
  }
  const r = u.regs;
  const a = st(u, 0);
  const b = st(u, i);
  const se = r[a]!;
  const hi = r[a + 1]!;
  const lo = r[a + 2]!;
  copyReg(u, a, b);
  r[b] = se;
  r[b + 1] = hi;
  r[b + 2] = lo;
}

/** fcmovcc st(0), st(i) with the condition already evaluated from EFLAGS. */
export function fcmov(u: X87Unit, i: number, condition: boolean): void {
  if (isEmpty(u, 0) || isEmpty(u, i)) {
    underflowInto(u, 0);
    return;
  }
  // C1 stays as it was (measured: the SDM leaves it undefined).
  if (condition) copyReg(u, st(u, 0), st(u, i));
}

/** fabs (`negate` false) and fchs (true): sign-bit operations, no exception even for SNaN. */
export function fsign(u: X87Unit, negate: boolean): void {
  if (isEmpty(u, 0)) {
    underflowInto(u, 0);
    return;
  }
  u.s.sw &= ~C1;
  const o = st(u, 0);
  u.regs[o] = negate ? u.regs[o]! ^ SIGN : u.regs[o]! & ~SIGN;
}

/** ffree st(i); ffreep st(i) also pops. Both clear C1 (measured). */
export function ffree(u: X87Unit, i: number, popAfter: boolean): void {
  u.s.used &= ~(1 << ((u.s.top + i) & 7));
  u.s.sw &= ~C1;
  if (popAfter) pop(u);
}

/** fincstp (+1) and fdecstp (-1): TOP moves, tags stay, C1 = 0. */
export function moveTop(u: X87Unit, delta: number): void {
  u.s.top = (u.s.top + delta) & 7;
  u.s.sw &= ~C1;
}

/**
 * The constants fldl2t, fldl2e, fldpi, fldlg2, fldln2 (in that order): the
 * 64-bit truncation of each value, and whether the bits beyond it exceed
 * one half. The hardware rounds them by RC (up rounds every one of them up,
 * down and toward zero truncate, nearest by the half bit) and never by PC,
 * raising no PE and leaving C1 = 0 (measured on the host for every RC and PC).
 */
const CONSTANT_SE = [0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe];
const CONSTANT_HI = [0xd49a784b, 0xb8aa3b29, 0xc90fdaa2, 0x9a209a84, 0xb17217f7];
const CONSTANT_LO = [0xcd1b8afe, 0x5c17f0bb, 0x2168c234, 0xfbcff798, 0xd1cf79ab];
/** Bits 64.. of each constant's significand are above one half (log2(10)'s are 0x49…, the rest 0x8F… and more). */
const CONSTANT_ABOVE_HALF = [false, true, true, true, true];

export const enum X87Constant {
  L2T = 0, L2E = 1, PI = 2, LG2 = 3, LN2 = 4, ONE = 5, ZERO = 6,
}

export function fldConstant(u: X87Unit, which: X87Constant): void {
  if (!isEmpty(u, 7)) return overflowPush(u);
  u.s.sw &= ~C1;
  const o = push(u);
  const r = u.regs;
  if (which === X87Constant.ONE || which === X87Constant.ZERO) {
    const one = which === X87Constant.ONE;
    r[o] = one ? 0x3fff : 0;
    r[o + 1] = one ? 0x80000000 : 0;
    r[o + 2] = 0;
    return;
  }
  const rc = (u.s.fcw >>> 10) & 3;
  // All five are positive and irrational: nothing below the 64 bits is ever zero.
  const up = rc === 2 || (rc === 0 && CONSTANT_ABOVE_HALF[which]!);
  r[o] = CONSTANT_SE[which]!;
  r[o + 1] = CONSTANT_HI[which]!;
  r[o + 2] = (CONSTANT_LO[which]! + (up ? 1 : 0)) >>> 0;
}
