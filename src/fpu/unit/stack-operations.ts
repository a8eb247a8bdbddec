/**
 * The forms that operate on ST(0), or on ST(0) and ST(1), with no memory
 * operand: fsqrt, frndint, f2xm1, fsin, fcos (ST(0) in place); fscale,
 * fprem, fprem1 (ST(0) with ST(1)); fyl2x, fyl2xp1, fpatan (into ST(1), then
 * pop); fxtract, fptan, fsincos (replace ST(0), then push a second result).
 *
 * The stack rules are the arithmetic ones (arithmetic.ts): an empty operand
 * is an underflow whose masked response is the indefinite in the
 * destination; an unmasked IE/DE/ZE changes nothing. The two-result forms
 * also need ST(7) free for the push; a stack fault there, masked, gives
 * both results the indefinite (ST(0) replaced and one pushed, as the host
 * does), and fptan/fsincos leave everything unchanged when the operand is
 * out of range (C2 = 1).
 */
import { C0, C1, C2, C3, EXC_MASK, IE, type BinaryOp, type UnaryOp } from '../float80.js';
import { isNaNPattern } from './arithmetic.js';
import { fprem80 } from './core.js';
import {
  isEmpty, markUsed, pop, push, PRE_COMPUTATION, raise, setCc, st, stackOverflow, stackUnderflow, takeResult, underflowInto,
  writeIndefiniteAt,
  type X87Unit,
} from './x87-unit.js';

/** ST(0) := op(ST(0)); `reportsRange` for fsin/fcos, whose C2 says the operand was out of range. */
export function onSt0(u: X87Unit, op: UnaryOp, reportsRange: boolean): void {
  if (isEmpty(u, 0)) {
    if (reportsRange) u.s.sw &= ~C2;
    underflowInto(u, 0);
    return;
  }
  const r = u.regs;
  const a = st(u, 0);
  const ret = op(r[a]!, r[a + 1]!, r[a + 2]!, u.s.fcw, r, a);
  if (reportsRange) setCc(u, C2, ret);
  takeResult(u, ret);
}

/** False, after the underflow response into ST(0), when ST(0) or ST(1) is empty. */
function haveSt0AndSt1(u: X87Unit): boolean {
  if (!isEmpty(u, 0) && !isEmpty(u, 1)) return true;
  underflowInto(u, 0);
  return false;
}

/** ST(0) := op(ST(0), ST(1)) (fscale). */
export function onSt0WithSt1(u: X87Unit, op: BinaryOp): void {
  if (!haveSt0AndSt1(u)) return;
  const r = u.regs;
  const a = st(u, 0);
  const b = st(u, 1);
  takeResult(u, op(r[a]!, r[a + 1]!, r[a + 2]!, r[b]!, r[b + 1]!, r[b + 2]!, u.s.fcw, r, a));
}

/**
 * fprem (`ieee` false) and fprem1: C2 incomplete, else C0 C3 C1 the low
 * quotient bits. With no quotient (a NaN or invalid operand, an unmasked
 * DE, an underflow) C2 and C1 are cleared and C0 C3 kept, as the host does.
 */
export function fprem(u: X87Unit, ieee: boolean): void {
  u.s.sw &= ~(C1 | C2);
  if (!haveSt0AndSt1(u)) return;
  const r = u.regs;
  const a = st(u, 0);
  const b = st(u, 1);
  const noQuotient = isNaNPattern(r[a]!, r[a + 1]!, r[a + 2]!) || isNaNPattern(r[b]!, r[b + 1]!, r[b + 2]!);
  const ret = fprem80(r[a]!, r[a + 1]!, r[a + 2]!, r[b]!, r[b + 1]!, r[b + 2]!, ieee, u.s.fcw, r, a);
  const unmasked = raise(u, ret & EXC_MASK);
  if (noQuotient || (ret & IE) !== 0 || (unmasked & PRE_COMPUTATION) !== 0) return;
  setCc(u, C0 | C1 | C2 | C3, ret);
}

/** ST(1) := op(ST(0), ST(1)), then pop (fyl2x, fyl2xp1, fpatan). */
export function intoSt1AndPop(u: X87Unit, op: BinaryOp): void {
  if (isEmpty(u, 0) || isEmpty(u, 1)) {
    if (underflowInto(u, 1)) pop(u);
    return;
  }
  const r = u.regs;
  const a = st(u, 0);
  const b = st(u, 1);
  const unmasked = takeResult(u, op(r[a]!, r[a + 1]!, r[a + 2]!, r[b]!, r[b + 1]!, r[b + 2]!, u.s.fcw, r, b));
  if ((unmasked & PRE_COMPUTATION) === 0) pop(u);
}

/**
 * fxtract, fptan, fsincos: op writes two results to u.tmp[0..5]; the first
 * replaces ST(0), the second is pushed. `reportsRange`: C2 = 1 returned
 * means the operand was out of range and nothing changes.
 */
export function replaceAndPush(u: X87Unit, op: UnaryOp, reportsRange: boolean): void {
  if (reportsRange) u.s.sw &= ~C2;
  // A stack fault's masked response gives both results the indefinite: ST(0) is replaced and one pushed (measured).
  const empty = isEmpty(u, 0);
  if (empty || !isEmpty(u, 7)) {
    if (empty ? stackUnderflow(u) : stackOverflow(u)) {
      writeIndefiniteAt(u, st(u, 0));
      markUsed(u, 0);
      writeIndefiniteAt(u, push(u));
    }
    return;
  }
  const r = u.regs;
  const t = u.tmp;
  const a = st(u, 0);
  const ret = op(r[a]!, r[a + 1]!, r[a + 2]!, u.s.fcw, t, 0);
  if (reportsRange) {
    setCc(u, C2, ret);
    if ((ret & C2) !== 0) return;
  }
  if ((takeResult(u, ret) & PRE_COMPUTATION) !== 0) return;
  r[a] = t[0]!;
  r[a + 1] = t[1]!;
  r[a + 2] = t[2]!;
  const o = push(u);
  r[o] = t[3]!;
  r[o + 1] = t[4]!;
  r[o + 2] = t[5]!;
}
