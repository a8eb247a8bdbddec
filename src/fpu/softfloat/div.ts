/**
 * FDIV on 80-bit values (FDIVR and FIDIV reuse it with operands swapped or
 * converted by the x87 unit): long division of the 64-bit significands to 65
 * quotient bits (64 and a round bit) plus a sticky bit from the remainder,
 * in 16-bit digits estimated with a double division and corrected exactly
 * (every partial product and limb is an exact double), then one rounding
 * (round.ts). Calling convention in float80.ts.
 */
import { BIAS, DE, EXP_MAX, F80Class, SIGN, ZE, classify, writeF80 } from '../float80.js';
import { checkOperands, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { fastDiv, NOT_TAKEN } from './double-fast-path.js';
import { roundPack } from './round.js';

const TWO16 = 65536;
const TWO32 = 4294967296;

/** a ÷ b */
export function fdiv(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  const fast = fastDiv(aSe, aHi, aLo, bSe, bHi, bLo, fcw, out, o);
  if (fast !== NOT_TAKEN) return fast;
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
  // R0 = A, or 2A when A < B, so that R0/B ∈ [1, 2): the first quotient bit is 1 and R = R0 − B < B.
  let rh = ah, rl = al, top = 0;
  if (ah < bh || (ah === bh && al < bl)) {
    top = ah >>> 31;
    rh = ((ah << 1) | (al >>> 31)) >>> 0;
    rl = (al << 1) >>> 0;
    exp--;
  }
  const l = rl - bl;
  rl = l >>> 0;
  rh = (rh - bh - (l < 0 ? 1 : 0) + top * TWO32) >>> 0;
  // Four 16-bit quotient digits, each estimated in double precision and corrected exactly.
  const b3 = bh >>> 16, b2 = bh & 0xffff, b1 = bl >>> 16, b0 = bl & 0xffff;
  const bd = bh * TWO32 + bl;
  let r3 = rh >>> 16, r2 = rh & 0xffff, r1 = rl >>> 16, r0 = rl & 0xffff;
  let q = 0, q0 = 0x80000000 | 0, q1 = 0, q2 = 0;
  for (let k = 0; k < 4; k++) {
    let d = Math.floor((((r3 * TWO16 + r2) * TWO16 + r1) * TWO16 + r0) * TWO16 / bd);
    if (d > 0xffff) d = 0xffff;
    // T = R·2^16 − d·B in five 16-bit limbs, borrows propagated.
    let t0 = -d * b0;
    let t1 = r0 - d * b1;
    let t2 = r1 - d * b2;
    let t3 = r2 - d * b3;
    let t4 = r3;
    let c = Math.floor(t0 / TWO16); t0 -= c * TWO16; t1 += c;
    c = Math.floor(t1 / TWO16); t1 -= c * TWO16; t2 += c;
    c = Math.floor(t2 / TWO16); t2 -= c * TWO16; t3 += c;
    c = Math.floor(t3 / TWO16); t3 -= c * TWO16; t4 += c;
    // The estimate is off by at most one either way.
    while (t4 < 0) {
      d--;
      t0 += b0; c = t0 >= TWO16 ? 1 : 0; t0 -= c * TWO16;
      t1 += b1 + c; c = t1 >= TWO16 ? 1 : 0; t1 -= c * TWO16;
      t2 += b2 + c; c = t2 >= TWO16 ? 1 : 0; t2 -= c * TWO16;
      t3 += b3 + c; c = t3 >= TWO16 ? 1 : 0; t3 -= c * TWO16;
      t4 += c;
    }
    while (t4 > 0 || t3 > b3 || (t3 === b3 && (t2 > b2 || (t2 === b2 && (t1 > b1 || (t1 === b1 && t0 >= b0)))))) {
      d++;
      t0 -= b0; c = t0 < 0 ? 1 : 0; t0 += c * TWO16;
      t1 -= b1 + c; c = t1 < 0 ? 1 : 0; t1 += c * TWO16;
      t2 -= b2 + c; c = t2 < 0 ? 1 : 0; t2 += c * TWO16;
      t3 -= b3 + c; c = t3 < 0 ? 1 : 0; t3 += c * TWO16;
      t4 -= c;
    }
    r3 = t3; r2 = t2; r1 = t1; r0 = t0;
    q = q * TWO16 + d;
    if (k === 1) {
      // Quotient bits: 1, then digits d0 d1 d2 d3 (64 bits); significand = the top 64 of those 65 bits.
      q0 = (0x80000000 | (q / 2)) | 0; // 1 · 2^31 + (d0·2^16 + d1) / 2
      q1 = (q & 1) << 31;
      q = 0;
    }
  }
  q1 = (q1 | (q >>> 1)) | 0;
  q2 = (q & 1) << 31;
  const sticky = (r3 | r2 | r1 | r0) !== 0 ? 1 : 0;
  return flags | roundPack(sign, exp, q0, q1, q2 | sticky, fcw, out, o);
}
