/**
 * Loads and stores between the register stack and memory: fld m32/m64/m80,
 * fild m16/m32/m64, fbld, fst/fstp m32/m64/m80, fist/fistp/fisttp
 * m16/m32/m64 and fbstp.
 *
 * Every form reads its operand (or checks its destination is writable)
 * before changing anything, so a memory fault leaves the FPU untouched.
 *
 * Loads: stack overflow when ST(7) is in use; fld m32/m64 quietens an SNaN
 * with IE (unmasked: nothing pushed) and reports a denormal with DE (the
 * normalised value is pushed even when DE is unmasked, as on the host). fld m80, fild and fbld raise nothing but the overflow.
 *
 * Stores: an empty ST(0) is an underflow whose masked response stores the
 * format's indefinite (and pops). An unmasked IE, DE, OE or UE stores
 * nothing and does not pop (SDM Vol. 1 §8.5: the source stays on the stack
 * for the handler); PE alone still stores.
 */
import { C1, DE, F80Class, IE, OE, UE, classify, INDEFINITE_HI, INDEFINITE_LO, INDEFINITE_SE } from '../float80.js';
import { fromBcd, toBcd, toFloat32, toFloat64, toInt } from './core.js';
import { readInt16, readInt32, readInt64, readReal32, readReal64, readReal80, write64, write80 } from './memory-operands.js';
import { isEmpty, overflowPush, pop, push, st, stackUnderflow, takeResult, type X87Unit } from './x87-unit.js';

/** A NaN's quiet bit (significand bit 62). */
const QUIET_BIT = 0x40000000;

/** Unmasked exceptions that keep a store from writing memory and popping. */
const STORE_BLOCKING = IE | DE | OE | UE;

export const enum RealSize { M32 = 4, M64 = 8, M80 = 10 }
export const enum IntSize { M16 = 2, M32 = 4, M64 = 8 }

/** Pushes u.tmp[0..2]; the caller has checked ST(7). */
function pushTmp(u: X87Unit): void {
  const o = push(u);
  u.regs[o] = u.tmp[0]!;
  u.regs[o + 1] = u.tmp[1]!;
  u.regs[o + 2] = u.tmp[2]!;
}

/** fld m32/m64/m80. */
export function fldReal(u: X87Unit, la: number, size: RealSize): void {
  const t = u.tmp;
  let exc = 0;
  if (size === RealSize.M32) exc = readReal32(u.mem, la, t, 0);
  else if (size === RealSize.M64) exc = readReal64(u.mem, la, t, 0);
  else readReal80(u.mem, la, t, 0);
  if (!isEmpty(u, 7)) return overflowPush(u);
  if (size !== RealSize.M80 && classify(t[0]!, t[1]!, t[2]!) === F80Class.SNaN) {
    t[1] = (t[1]! | QUIET_BIT) >>> 0;
    exc |= IE;
  }
  // An unmasked IE loads nothing; an unmasked DE still loads (measured).
  if ((takeResult(u, exc) & IE) !== 0) return;
  pushTmp(u);
}

/** fild m16/m32/m64: exact, so only the stack can go wrong. */
export function fild(u: X87Unit, la: number, size: IntSize): void {
  if (size === IntSize.M16) readInt16(u.mem, la, u.tmp, 0);
  else if (size === IntSize.M32) readInt32(u.mem, la, u.tmp, 0);
  else readInt64(u.mem, la, u.tmp, 0);
  if (!isEmpty(u, 7)) return overflowPush(u);
  u.s.sw &= ~C1;
  pushTmp(u);
}

export function fbld(u: X87Unit, la: number): void {
  readReal80(u.mem, la, u.tmp, 3);
  if (!isEmpty(u, 7)) return overflowPush(u);
  const t = u.tmp;
  takeResult(u, fromBcd(t[3]!, t[4]!, t[5]!, t, 0));
  pushTmp(u);
}

/**
 * fst/fstp m32/m64/m80. The converted value lands in u.tmp[3..]; it is
 * written only when no blocking exception is unmasked.
 */
export function fstReal(u: X87Unit, la: number, size: RealSize, popAfter: boolean): void {
  const m = u.mem;
  m.checkWrite(la, size);
  const t = u.tmp;
  if (isEmpty(u, 0)) {
    if (!stackUnderflow(u)) return;
    if (size === RealSize.M32) m.write32(la, 0xffc00000);
    else if (size === RealSize.M64) write64(m, la, 0xfff80000, 0);
    else write80(m, la, INDEFINITE_SE, INDEFINITE_HI, INDEFINITE_LO);
  } else {
    const r = u.regs;
    const a = st(u, 0);
    if (size === RealSize.M80) {
      u.s.sw &= ~C1;
      write80(m, la, r[a]!, r[a + 1]!, r[a + 2]!);
    } else {
      const ret = size === RealSize.M32
        ? toFloat32(r[a]!, r[a + 1]!, r[a + 2]!, u.s.fcw, t, 3)
        : toFloat64(r[a]!, r[a + 1]!, r[a + 2]!, u.s.fcw, t, 3);
      if ((takeResult(u, ret) & STORE_BLOCKING) !== 0) return;
      if (size === RealSize.M32) m.write32(la, t[3]!);
      else write64(m, la, t[3]!, t[4]!);
    }
  }
  if (popAfter) pop(u);
}

/** fist/fistp (round by RC) and fisttp (`truncate`) to m16/m32/m64. */
export function fistInt(u: X87Unit, la: number, size: IntSize, popAfter: boolean, truncate: boolean): void {
  const m = u.mem;
  m.checkWrite(la, size);
  const t = u.tmp;
  if (isEmpty(u, 0)) {
    if (!stackUnderflow(u)) return;
    t[3] = size === IntSize.M64 ? 0x80000000 : 0xffffffff;
    t[4] = size === IntSize.M16 ? 0xffff8000 : size === IntSize.M32 ? 0x80000000 : 0;
  } else {
    const r = u.regs;
    const a = st(u, 0);
    const ret = toInt(r[a]!, r[a + 1]!, r[a + 2]!, size * 8, truncate, u.s.fcw, t, 3);
    if ((takeResult(u, ret) & STORE_BLOCKING) !== 0) return;
  }
  if (size === IntSize.M16) m.write16(la, t[4]! & 0xffff);
  else if (size === IntSize.M32) m.write32(la, t[4]!);
  else write64(m, la, t[3]!, t[4]!);
  if (popAfter) pop(u);
}

/** fbstp: 18 BCD digits, rounded by RC; the BCD indefinite when out of range. */
export function fbstp(u: X87Unit, la: number): void {
  const m = u.mem;
  m.checkWrite(la, 10);
  const t = u.tmp;
  if (isEmpty(u, 0)) {
    if (!stackUnderflow(u)) return;
    write80(m, la, 0xffff, 0xc0000000, 0);
  } else {
    const r = u.regs;
    const a = st(u, 0);
    const ret = toBcd(r[a]!, r[a + 1]!, r[a + 2]!, u.s.fcw, t, 3);
    if ((takeResult(u, ret) & STORE_BLOCKING) !== 0) return;
    write80(m, la, t[3]!, t[4]!, t[5]!);
  }
  pop(u);
}
