/**
 * The comparing and classifying forms: fcom/fcomp/fcompp, fucom/fucomp/
 * fucompp, ficom/ficomp, fcomi/fcomip/fucomi/fucomip, ftst and fxam.
 *
 * fcom-style results go to C3 C2 C0 (greater 000, less 001, equal 100,
 * unordered 111) with C1 = 0; fcomi-style results go to ZF PF CF in EFLAGS
 * with the same pattern, OF SF AF cleared. fucom differs from fcom only in
 * raising IE for a QNaN operand (the core's `unordered` argument). An empty
 * operand is a stack underflow whose masked response is "unordered".
 */
import { C0, C1, C2, C3, classify, F80Class, SIGN } from '../float80.js';
import { EFLAGS_CF, EFLAGS_PF, EFLAGS_ZF } from './ports.js';
import { compare80 } from './core.js';
import { isEmpty, pop, PRE_COMPUTATION, setCc, st, stackUnderflow, takeResult, type X87Unit } from './x87-unit.js';

const CC_ORDER = C0 | C2 | C3;
const UNORDERED = C0 | C2 | C3;

/** The +0.0 ftst compares against, as an operand in scratch slots 3..5. */
function loadZero(u: X87Unit): void {
  u.tmp[3] = 0;
  u.tmp[4] = 0;
  u.tmp[5] = 0;
}

/**
 * Compares ST(0) with the operand at bs[b..b+2]; records flags; returns the
 * C3/C2/C0 pattern, or -1 when an unmasked exception stops the instruction.
 */
function compareWith(u: X87Unit, bs: Uint32Array, b: number, unordered: boolean, extra: number): number {
  const r = u.regs;
  const a = st(u, 0);
  const ret = compare80(r[a]!, r[a + 1]!, r[a + 2]!, bs[b]!, bs[b + 1]!, bs[b + 2]!, u.s.fcw, unordered) | extra;
  const unmasked = takeResult(u, ret & ~C1);
  if ((unmasked & PRE_COMPUTATION) !== 0) return -1;
  return ret & CC_ORDER;
}

function popTimes(u: X87Unit, pops: number): void {
  for (let k = 0; k < pops; k++) pop(u);
}

/** ST(0) against ST(i), an empty one counting as unordered after a masked underflow; -1 when stopped. */
function compareRegisters(u: X87Unit, i: number, unordered: boolean): number {
  if (isEmpty(u, 0) || isEmpty(u, i)) return stackUnderflow(u) ? UNORDERED : -1;
  return compareWith(u, u.regs, st(u, i), unordered, 0);
}

/** fcom/fucom and their p/pp forms against ST(i). */
export function fcomRegister(u: X87Unit, i: number, pops: number, unordered: boolean): void {
  const cc = compareRegisters(u, i, unordered);
  if (cc < 0) return;
  setCc(u, CC_ORDER, cc);
  popTimes(u, pops);
}

/** fcom/fcomp/ficom/ficomp with the memory operand in u.tmp[0..2] (`operandExc`: DE from widening). */
export function fcomMemory(u: X87Unit, pops: number, operandExc: number): void {
  let cc: number;
  if (isEmpty(u, 0)) {
    if (!stackUnderflow(u)) return;
    cc = UNORDERED;
  } else {
    cc = compareWith(u, u.tmp, 0, false, operandExc);
    if (cc < 0) return;
  }
  setCc(u, CC_ORDER, cc);
  popTimes(u, pops);
}

export function ftst(u: X87Unit): void {
  if (isEmpty(u, 0)) {
    if (stackUnderflow(u)) setCc(u, CC_ORDER, UNORDERED);
    return;
  }
  loadZero(u);
  const cc = compareWith(u, u.tmp, 3, false, 0);
  if (cc >= 0) setCc(u, CC_ORDER, cc);
}

/** fcomi/fucomi and the ip forms: the result in ZF PF CF. */
export function fcomi(u: X87Unit, i: number, popAfter: boolean, unordered: boolean): void {
  const cc = compareRegisters(u, i, unordered);
  if (cc < 0) return;
  u.cpu.setCompareFlags((cc & C3 ? EFLAGS_ZF : 0) | (cc & C2 ? EFLAGS_PF : 0) | (cc & C0 ? EFLAGS_CF : 0));
  if (popAfter) pop(u);
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
