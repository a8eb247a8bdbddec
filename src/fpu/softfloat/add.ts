/**
 * FADD / FSUB on 80-bit values (FSUBR and the FIADD family reuse these with
 * operands swapped or converted by the x87 unit): exact alignment with a
 * sticky bit, then one rounding under precision and rounding control
 * (round.ts). Calling convention in float80.ts.
 */
import { DE, F80Class, SIGN, classify, writeF80, RC_DOWN, EXP_MAX } from '../float80.js';
import { checkOperands, invalid, isDenormalClass, NOT_HANDLED } from './operands.js';
import { fastAdd, NOT_TAKEN } from './double-fast-path.js';
import { normalize96, roundPack, shiftRightJam96, W } from './round.js';

/** a + b */
export function fadd(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  return addSigned(aSe, aHi, aLo, bSe, bHi, bLo, 0, fcw, out, o);
}

/** a − b */
export function fsub(aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number): number {
  return addSigned(aSe, aHi, aLo, bSe, bHi, bLo, SIGN, fcw, out, o);
}

/** a + (b with its sign flipped by negateB), NaNs propagating unflipped. */
function addSigned(
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number,
  negateB: number, fcw: number, out: Uint32Array, o: number,
): number {
  const fast = fastAdd(aSe, aHi, aLo, bSe, bHi, bLo, negateB, fcw, out, o);
  if (fast !== NOT_TAKEN) return fast;
  const ca = classify(aSe, aHi, aLo);
  const cb = classify(bSe, bHi, bLo);
  const special = checkOperands(ca, aSe, aHi, aLo, cb, bSe, bHi, bLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  let signA = aSe & SIGN;
  let signB = (bSe ^ negateB) & SIGN;
  const flags = isDenormalClass(ca) || isDenormalClass(cb) ? DE : 0;
  if (ca === F80Class.Infinity || cb === F80Class.Infinity) {
    if (ca === cb && signA !== signB) return invalid(fcw, out, o);
    if (flags & ~fcw) return flags;
    writeF80(out, o, (ca === F80Class.Infinity ? signA : signB) | EXP_MAX, 0x80000000, 0);
    return flags;
  }
  if (flags & ~fcw) return flags;
  if (ca === F80Class.Zero && cb === F80Class.Zero) {
    const sign = signA === signB ? signA : ((fcw >>> 10) & 3) === RC_DOWN ? SIGN : 0;
    writeF80(out, o, sign, 0, 0);
    return flags;
  }
  // Denormals and pseudo-denormals have the exponent of the smallest normal; zeros align as anything.
  let eA = aSe & EXP_MAX || 1;
  let eB = bSe & EXP_MAX || 1;
  let hA = aHi >>> 0, lA = aLo >>> 0, hB = bHi >>> 0, lB = bLo >>> 0;
  if (ca === F80Class.Zero) eA = eB;
  if (cb === F80Class.Zero) eB = eA;
  // Make |A| ≥ |B|.
  if (eA < eB || (eA === eB && (hA < hB || (hA === hB && lA < lB)))) {
    let t = eA; eA = eB; eB = t;
    t = hA; hA = hB; hB = t;
    t = lA; lA = lB; lB = t;
    t = signA; signA = signB; signB = t;
  }
  shiftRightJam96(hB | 0, lB | 0, 0, eA - eB);
  const w0 = W[0] >>> 0, w1 = W[1] >>> 0, w2 = W[2] >>> 0;
  let hi: number, lo: number, ext: number;
  let exp = eA;
  if (signA === signB) {
    ext = w2;
    lo = lA + w1;
    const carryLo = lo > 0xffffffff ? 1 : 0;
    lo = lo >>> 0;
    hi = hA + w0 + carryLo;
    if (hi > 0xffffffff) {
      // Carry out of bit 63: shift the 65-bit sum right by one, keeping the sticky bit.
      ext = ((ext >>> 1) | (lo << 31) | (ext & 1)) >>> 0;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = ((hi >>> 1) | 0x80000000) >>> 0;
      exp++;
    }
  } else {
    ext = (0 - w2) >>> 0;
    let borrow = w2 !== 0 ? 1 : 0;
    lo = lA - w1 - borrow;
    borrow = lo < 0 ? 1 : 0;
    lo = lo >>> 0;
    hi = (hA - w0 - borrow) >>> 0;
    if ((hi | lo | ext) === 0) {
      writeF80(out, o, ((fcw >>> 10) & 3) === RC_DOWN ? SIGN : 0, 0, 0);
      return flags;
    }
  }
  normalize96(hi | 0, lo | 0, ext | 0);
  return flags | roundPack(signA, exp - W[3], W[0], W[1], W[2], fcw, out, o);
}
