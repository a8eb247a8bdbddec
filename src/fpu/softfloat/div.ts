/**
 * FDIV on 80-bit values (FDIVR and FIDIV reuse it with operands swapped or
 * converted by the x87 unit): restoring division of the 64-bit significands
 * to 65 quotient bits (64 and a round bit) plus a sticky bit from the
 * remainder, then one rounding (round.ts). Calling convention in float80.ts.
 */
import { BIAS, DE, EXP_MAX, F80Class, SIGN, ZE, classify, writeF80 } from '../float80.js';
import { checkOperands, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { roundPack } from './round.js';

/** a ÷ b */
export function fdiv(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  const ca = classify(aSe, aHi, aLo);
  const cb = classify(bSe, bHi, bLo);
  const special = checkOperands(ca, aSe, aHi, aLo, cb, bSe, bHi, bLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  const sign = (aSe ^ bSe) & SIGN;
  const flags = isDenormalClass(ca) || isDenormalClass(cb) ? DE : 0;
  if (ca === F80Class.Infinity) {
    if (cb === F80Class.Infinity) return invalid(fcw, out, o);
    if (flags & ~fcw) return flags;
    writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
    return flags;
  }
  if (cb === F80Class.Zero) {
    if (ca === F80Class.Zero) return invalid(fcw, out, o);
    // A denormal dividend does not raise DE here (measured).
    if (fcw & ZE) writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
    return ZE;
  }
  if (flags & ~fcw) return flags;
  if (cb === F80Class.Infinity || ca === F80Class.Zero) {
    writeF80(out, o, sign, 0, 0);
    return flags;
  }
  unpackFinite(aSe, aHi, aLo);
  const ea = U[0], ah = U[1] >>> 0, al = U[2] >>> 0;
  unpackFinite(bSe, bHi, bLo);
  const bh = U[1] >>> 0, bl = U[2] >>> 0;
  let exp = ea - U[0] + BIAS;
  // Remainder r2:r1:r0 (65 bits); start from 2A when A < B so the first quotient bit is 1.
  let r2 = 0, r1 = ah, r0 = al;
  if (ah < bh || (ah === bh && al < bl)) {
    r2 = r1 >>> 31;
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = (r0 << 1) >>> 0;
    exp--;
  }
  let q0 = 0, q1 = 0, q2 = 0;
  for (let i = 0; i < 65; i++) {
    if (r2 !== 0 || r1 > bh || (r1 === bh && r0 >= bl)) {
      const l = r0 - bl;
      const borrow = l < 0 ? 1 : 0;
      r0 = l >>> 0;
      r1 = (r1 - bh - borrow) >>> 0;
      if (i < 32) q0 |= 1 << (31 - i);
      else if (i < 64) q1 |= 1 << (63 - i);
      else q2 |= 1 << (95 - i);
    }
    r2 = r1 >>> 31;
    r1 = ((r1 << 1) | (r0 >>> 31)) >>> 0;
    r0 = (r0 << 1) >>> 0;
  }
  const sticky = (r2 | r1 | r0) !== 0 ? 1 : 0;
  return flags | roundPack(sign, exp, q0, q1, q2 | sticky, fcw, out, o);
}
