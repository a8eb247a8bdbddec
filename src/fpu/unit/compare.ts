/**
 * The comparing and classifying forms: fcom/fcomp/fcompp, fucom/fucomp/
 * fucompp, ficom/ficomp, fcomi/fcomip/fucomi/fucomip, ftst and fxam.
 *
 * fcom-style results go to C3 C2 C0 (greater 000, less 001, equal 100,
 * unordered 111) with C1 = 0; fcomi-style results go to ZF PF CF in EFLAGS
 * with the same pattern, OF SF AF cleared. fucom differs from fcom only in
 * raising IE for a QNaN operand (the core's `unordered` argument). An empty
 * operand is a stack underflow (IE, SF) whose result is "unordered". The
 * host sets the result even when an exception is unmasked; only the pops
 * are skipped then.
 */
import { C0, C1, C2, C3, classify, DE, EXC_MASK, F80Class, IE, SF, SIGN } from '../float80.js';
import { EFLAGS_CF, EFLAGS_PF, EFLAGS_ZF } from './ports.js';
import { memoryOperandDenormal } from './arithmetic.js';
import { compare80 } from './core.js';
import { isEmpty, pop, raise, setCc, st, type X87Unit } from './x87-unit.js';

const CC_ORDER = C0 | C2 | C3;
const UNORDERED = C0 | C2 | C3;

/**
 * Compares ST(0) with the operand at bs[b..b+2]: the core's C3 C2 C0 and
 * exception bits (DE added for a memory operand that widening normalised).
 */
function compareWith(u: X87Unit, bs: Uint32Array, b: number, unordered: boolean, operandDenormal: boolean): number {
  const r = u.regs;
  const a = st(u, 0);
  const ret = compare80(r[a]!, r[a + 1]!, r[a + 2]!, bs[b]!, bs[b + 1]!, bs[b + 2]!, u.s.fcw, unordered);
  return operandDenormal && memoryOperandDenormal(u, ret) ? ret | DE : ret;
}

/**
 * ST(0) against ST(i), or UNORDERED | IE | SF for an empty one (the
 * underflow's flags are the caller's to raise, with C1 as its form wants).
 */
function compareRegisters(u: X87Unit, i: number, unordered: boolean): number {
  if (isEmpty(u, 0) || isEmpty(u, i)) return UNORDERED | IE | SF;
  return compareWith(u, u.regs, st(u, i), unordered, false);
}

/**
 * The fcom family's ending: C3 C2 C0 from the result even when an
 * exception is unmasked (measured), C1 = 0, and the pops only when no
 * unmasked exception stopped the instruction.
 */
function finishFcom(u: X87Unit, ret: number, pops: number): void {
  setCc(u, CC_ORDER | C1, ret & CC_ORDER);
  if (raise(u, ret & (EXC_MASK | SF)) !== 0) return;
  for (let k = 0; k < pops; k++) pop(u);
}

/** fcom/fucom and their p/pp forms against ST(i). */
export function fcomRegister(u: X87Unit, i: number, pops: number, unordered: boolean): void {
  finishFcom(u, compareRegisters(u, i, unordered), pops);
}

/** fcom/fcomp/ficom/ficomp with the memory operand in u.tmp[0..2] (`operandDenormal`: widening normalised it). */
export function fcomMemory(u: X87Unit, pops: number, operandDenormal: boolean): void {
  finishFcom(u, isEmpty(u, 0) ? UNORDERED | IE | SF : compareWith(u, u.tmp, 0, false, operandDenormal), pops);
}

/** ftst: ST(0) against +0.0. */
export function ftst(u: X87Unit): void {
  u.tmp[3] = 0;
  u.tmp[4] = 0;
  u.tmp[5] = 0;
  finishFcom(u, isEmpty(u, 0) ? UNORDERED | IE | SF : compareWith(u, u.tmp, 3, false, false), 0);
}

/**
 * fcomi/fucomi and the ip forms: the result in ZF PF CF (OF SF AF cleared),
 * written even when an exception is unmasked; C1 is left alone unless the
 * stack underflows (measured).
 */
export function fcomi(u: X87Unit, i: number, popAfter: boolean, unordered: boolean): void {
  const ret = compareRegisters(u, i, unordered);
  if ((ret & SF) !== 0) u.s.sw &= ~C1; // but an underflow clears it, as every underflow does
  u.cpu.setCompareFlags((ret & C3 ? EFLAGS_ZF : 0) | (ret & C2 ? EFLAGS_PF : 0) | (ret & C0 ? EFLAGS_CF : 0));
  if (raise(u, ret & (EXC_MASK | SF)) === 0 && popAfter) pop(u);
}

/**
 * fxam: C3 C2 C0 give the class (unsupported 000, NaN 001, normal 010,
 * infinity 011, zero 100, empty 101, denormal 110) and C1 the sign, also
 * of an empty register's stale contents. Raises nothing.
 */
export function fxam(u: X87Unit): void {
  const r = u.regs;
  const a = st(u, 0);
  const sign = (r[a]! & SIGN) !== 0 ? C1 : 0;
  let cc: number;
  if (isEmpty(u, 0)) cc = C3 | C0;
  else {
    switch (classify(r[a]!, r[a + 1]!, r[a + 2]!)) {
      case F80Class.Zero: cc = C3; break;
      case F80Class.Normal: cc = C2; break;
      case F80Class.Denormal:
      case F80Class.PseudoDenormal: cc = C3 | C2; break;
      case F80Class.Infinity: cc = C2 | C0; break;
      case F80Class.QNaN:
      case F80Class.SNaN: cc = C0; break;
      default: cc = 0;
    }
  }
  setCc(u, C0 | C1 | C2 | C3, cc | sign);
}
