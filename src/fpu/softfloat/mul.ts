/**
 * FMUL on 80-bit values: the exact 128-bit product of the two 64-bit
 * significands (16-bit limbs, so every partial product and column sum is an
 * exact double), then one rounding (round.ts). Calling convention in float80.ts.
 */
import { BIAS, DE, EXP_MAX, F80Class, SIGN, classify, writeF80 } from '../float80.js';
import { checkOperands, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { fastMul, NOT_TAKEN } from './double-fast-path.js';
import { roundPack } from './round.js';

/** mul128's result P[3]:P[2]:P[1]:P[0] (as int32: read them with >>> 0 to compare). */
export const P = new Int32Array(4);

const TWO16 = 65536;
const TWO32 = 4294967296;

/** The 128-bit product of the 64-bit integers ah:al and bh:bl, in P[3] P[2] P[1] P[0]. */
export function mul128(ah: number, al: number, bh: number, bl: number): void {
  const a3 = ah >>> 16, a2 = ah & 0xffff, a1 = al >>> 16, a0 = al & 0xffff;
  const b3 = bh >>> 16, b2 = bh & 0xffff, b1 = bl >>> 16, b0 = bl & 0xffff;
  const c0 = a0 * b0;
  const c1 = a1 * b0 + a0 * b1;
  const c2 = a2 * b0 + a1 * b1 + a0 * b2;
  const c3 = a3 * b0 + a2 * b1 + a1 * b2 + a0 * b3;
  const c4 = a3 * b1 + a2 * b2 + a1 * b3;
  const c5 = a3 * b2 + a2 * b3;
  const c6 = a3 * b3;
  // Column k holds weight 2^(16k); fold pairs of columns into 32-bit words (x >>> 0 is x mod 2^32 for these exact integers).
  let t = c0 + (c1 & 0xffff) * TWO16;
  P[0] = t;
  let carry = (t - (t >>> 0)) / TWO32;
  t = Math.floor(c1 / TWO16) + c2 + (c3 & 0xffff) * TWO16 + carry;
  P[1] = t;
  carry = (t - (t >>> 0)) / TWO32;
  t = Math.floor(c3 / TWO16) + c4 + (c5 & 0xffff) * TWO16 + carry;
  P[2] = t;
  carry = (t - (t >>> 0)) / TWO32;
  P[3] = Math.floor(c5 / TWO16) + c6 + carry;
}

/** a × b */
export function fmul(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  const fast = fastMul(aSe, aHi, aLo, bSe, bHi, bLo, fcw, out, o);
  if (fast !== NOT_TAKEN) return fast;
  const ca = classify(aSe, aHi, aLo);
  const cb = classify(bSe, bHi, bLo);
  const special = checkOperands(ca, aSe, aHi, aLo, cb, bSe, bHi, bLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  const sign = (aSe ^ bSe) & SIGN;
  const flags = isDenormalClass(ca) || isDenormalClass(cb) ? DE : 0;
  if (ca === F80Class.Infinity || cb === F80Class.Infinity) {
    if (ca === F80Class.Zero || cb === F80Class.Zero) return invalid(fcw, out, o);
    if (flags & ~fcw) return flags;
    writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
    return flags;
  }
  if (flags & ~fcw) return flags;
  if (ca === F80Class.Zero || cb === F80Class.Zero) {
    writeF80(out, o, sign, 0, 0);
    return flags;
  }
  unpackFinite(aSe, aHi, aLo);
  const ea = U[0], ah = U[1], al = U[2];
  unpackFinite(bSe, bHi, bLo);
  let exp = ea + U[0] - BIAS + 1;
  mul128(ah, al, U[1], U[2]);
  let hi = P[3] >>> 0, lo = P[2] >>> 0, ext = P[1] >>> 0;
  let sticky = P[0] !== 0 ? 1 : 0;
  if (hi < 0x80000000) {
    sticky = P[0] << 1 !== 0 ? 1 : 0;
    // Product in [2^126, 2^127): one left shift normalises it.
    hi = ((hi << 1) | (lo >>> 31)) >>> 0;
    lo = ((lo << 1) | (ext >>> 31)) >>> 0;
    ext = ((ext << 1) | (P[0] >>> 31)) >>> 0;
    exp--;
  }
  return flags | roundPack(sign, exp, hi | 0, lo | 0, ext | sticky, fcw, out, o);
}
