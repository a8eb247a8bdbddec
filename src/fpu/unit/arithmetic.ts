/**
 * The two-operand arithmetic forms: fadd, fmul, fsub, fsubr, fdiv, fdivr
 * with an m32/m64 real, m16/m32 integer or ST(i) operand, and the pop forms.
 *
 * ModRM.reg names the operation on (ST(0), other) whatever the destination:
 * 0 add, 1 mul, 4 ST(0) − other, 5 other − ST(0), 6 ST(0) ÷ other,
 * 7 other ÷ ST(0). That is why "dc e0+i" (fsubr st(i), st) computes
 * ST(0) − ST(i) like "d8 e0+i" (fsub st, st(i)): only the destination
 * differs.
 *
 * Exceptions (SDM Vol. 1 §8.5): an empty operand is a stack underflow (the
 * destination gets the indefinite when IE is masked); an unmasked IE, DE or
 * ZE leaves the destination and TOP unchanged (the softfloat routine does
 * not write); OE/UE/PE deliver a result and the pop happens.
 */
import { DE, EXP_MAX, IE, ZE, type BinaryOp } from '../float80.js';
import { add80, div80, mul80, sub80 } from './core.js';
import {
  isEmpty, pop, PRE_COMPUTATION, st, takeResult, underflowInto, type X87Unit,
} from './x87-unit.js';

/** Operation by ModRM.reg; 2 and 3 are the compares (compare.ts). */
const OPS: readonly BinaryOp[] = [add80, mul80, add80, add80, sub80, sub80, div80, div80];

/**
 * ST(0) op other into out[o]: `b` is the other operand's offset in `bs`.
 * Returns the unmasked exceptions.
 */
function compute(u: X87Unit, reg: number, bs: Uint32Array, b: number, out: Uint32Array, o: number): number {
  const r = u.regs;
  const a = st(u, 0);
  const op = OPS[reg]!;
  const fcw = u.s.fcw;
  return reg === 5 || reg === 7
    ? op(bs[b]!, bs[b + 1]!, bs[b + 2]!, r[a]!, r[a + 1]!, r[a + 2]!, fcw, out, o)
    : op(r[a]!, r[a + 1]!, r[a + 2]!, bs[b]!, bs[b + 1]!, bs[b + 2]!, fcw, out, o);
}

/**
 * Whether the denormal-operand exception of a memory operand that widening
 * normalised (so the core saw a normal number) applies: as on the host,
 * only when nothing of higher priority happened (SDM Vol. 1 §4.9.2): no
 * NaN operand, no IE, no ZE in the core's result `ret`.
 */
export function memoryOperandDenormal(u: X87Unit, ret: number): boolean {
  const r = u.regs;
  const a = st(u, 0);
  return (ret & (IE | ZE)) === 0 && !isNaNPattern(r[a]!, r[a + 1]!, r[a + 2]!) && !isNaNPattern(u.tmp[0]!, u.tmp[1]!, u.tmp[2]!);
}

/** Exponent all ones and not an infinity: a NaN or a pseudo-NaN/pseudo-infinity. */
export function isNaNPattern(se: number, hi: number, lo: number): boolean {
  return (se & EXP_MAX) === EXP_MAX && (hi !== 0x80000000 || lo !== 0);
}

/**
 * ST(0) := ST(0) op m, the memory operand already in u.tmp[0..2];
 * `operandDenormal` when widening a denormal m32/m64 normalised it. The
 * result goes to u.tmp[3..5] first: an unmasked DE found only after the
 * core ran must leave ST(0) alone.
 */
export function arithMemory(u: X87Unit, reg: number, operandDenormal: boolean): void {
  if (isEmpty(u, 0)) {
    underflowInto(u, 0);
    return;
  }
  const t = u.tmp;
  let ret = compute(u, reg, t, 0, t, 3);
  // With DE unmasked the operation does not happen: none of its own flags (PE, UE, C1) are raised.
  if (operandDenormal && memoryOperandDenormal(u, ret)) ret = (u.s.fcw & DE) === 0 ? DE : ret | DE;
  if ((takeResult(u, ret) & PRE_COMPUTATION) !== 0) return;
  const o = st(u, 0);
  u.regs[o] = t[3]!;
  u.regs[o + 1] = t[4]!;
  u.regs[o + 2] = t[5]!;
}

/**
 * Register forms: ST(0) := ST(0) op ST(i) when `toSt0`, else ST(i) := ST(0) op
 * ST(i) (reg decides the operand order as above); pop afterwards for the p forms.
 */
export function arithRegister(u: X87Unit, reg: number, i: number, toSt0: boolean, popAfter: boolean): void {
  const dest = toSt0 ? 0 : i;
  if (isEmpty(u, 0) || isEmpty(u, i)) {
    if (!underflowInto(u, dest)) return;
  } else if ((takeResult(u, compute(u, reg, u.regs, st(u, i), u.regs, st(u, dest))) & PRE_COMPUTATION) !== 0) {
    return;
  }
  if (popAfter) pop(u);
}
