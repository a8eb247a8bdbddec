/**
 * FPREM and FPREM1: the partial remainder of ST(0) by ST(1), exact, with
 * the three low quotient bits reported in C0 C3 C1 and C2 set when the
 * reduction is incomplete (exponent difference 64 or more: the remainder is
 * then reduced by a quotient of N+1 bits only, N = 32..63 chosen from the
 * difference, and the guest loops). FPREM truncates the quotient (the 8087's
 * remainder, sign of the dividend); FPREM1 rounds it to nearest-even (IEEE
 * remainder, |result| ≤ |ST(1)|/2). Neither depends on PC or RC.
 */
import { C0, C1, C2, C3, DE, F80Class, PC_64, SIGN, classify, writeF80 } from '../float80.js';
import { checkOperands, invalid, isDenormalClass, NOT_HANDLED, U, unpackFinite } from './operands.js';
import { normalize96, roundPack, W } from './round.js';

/**
 * The remainder of a by b into out[o..]; `ieee` selects FPREM1. Returns the
 * exception bits OR-ed with C2 (incomplete) or the quotient's bits 2, 1, 0 as
 * C0, C3, C1.
 */
export function fprem(
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number,
  ieee: boolean, fcw: number, out: Uint32Array, o: number,
): number {
  const ca = classify(aSe, aHi, aLo);
  const cb = classify(bSe, bHi, bLo);
  const special = checkOperands(ca, aSe, aHi, aLo, cb, bSe, bHi, bLo, fcw, out, o);
  if (special !== NOT_HANDLED) return special;
  if (ca === F80Class.Infinity || cb === F80Class.Zero) return invalid(fcw, out, o);
  const flags = isDenormalClass(ca) || isDenormalClass(cb) ? DE : 0;
  if (flags & ~fcw) return flags;
  if (ca === F80Class.Zero) {
    writeF80(out, o, aSe, aHi, aLo);
    return flags;
  }
  let sign = aSe & SIGN;
  unpackFinite(aSe, aHi, aLo);
  const ea = U[0];
  let rh = U[1] >>> 0, rl = U[2] >>> 0;
  // a itself when |b| = ∞, canonical (a pseudo-denormal gets exponent 1; a tiny result with UE unmasked wraps).
  if (cb === F80Class.Infinity) return flags | packRemainder(sign, ea, rh, rl, fcw, out, o);
  unpackFinite(bSe, bHi, bLo);
  const bh = U[1] >>> 0, bl = U[2] >>> 0;
  const d = ea - U[0];
  let base = ea; // the remainder rh:rl's bit 63 weighs 2^(base − bias)
  let q = 0;
  let incomplete = 0;
  if (d < 0) {
    // |a| < |b|: the quotient is 0 and the result a (canonical, as above), except that FPREM1 rounds |a| > |b|/2 up to 1.
    if (ieee && d === -1 && (rh > bh || (rh === bh && rl > bl))) {
      // |b| − |a| in units of a's exponent: 2B − A (A < 2B, so positive, up to 65 bits).
      const l = bl * 2 - rl;
      const h = bh * 2 + Math.floor(l / 4294967296) - rh;
      const lo = ((l % 4294967296) + 4294967296) % 4294967296;
      return flags | C1 | packRemainder(sign ^ SIGN, base, h, lo, fcw, out, o);
    }
    return flags | packRemainder(sign, base, rh, rl, fcw, out, o);
  }
  let steps = d;
  if (d >= 64) {
    steps = (d & 31) | 32; // only the top steps+1 quotient bits are taken this round
    incomplete = C2;
  }
  // Restoring division, keeping the quotient's three low bits.
  let r2 = 0;
  for (let i = 0; ; i++) {
    if (r2 !== 0 || rh > bh || (rh === bh && rl >= bl)) {
      const l = rl - bl;
      rl = l >>> 0;
      rh = (rh - bh - (l < 0 ? 1 : 0)) >>> 0;
      q |= 1;
    }
    if (i === steps) break;
    r2 = rh >>> 31;
    rh = ((rh << 1) | (rl >>> 31)) >>> 0;
    rl = (rl << 1) >>> 0;
    q = (q << 1) & 7;
  }
  base -= steps;
  if (ieee && !incomplete) {
    // Round the quotient to nearest-even: take one more b when 2R > B, or 2R = B and q is odd.
    const twoRh = rh * 2 + (rl >>> 31);
    const twoRl = (rl << 1) >>> 0;
    if (twoRh > bh || (twoRh === bh && (twoRl > bl || (twoRl === bl && (q & 1) !== 0)))) {
      const l = bl - rl;
      rl = (l >>> 0);
      rh = (bh - rh - (l < 0 ? 1 : 0)) >>> 0;
      q = (q + 1) & 7;
      sign ^= SIGN;
    }
  }
  const cc = incomplete ? C2 : (q & 4 ? C0 : 0) | (q & 2 ? C3 : 0) | (q & 1 ? C1 : 0);
  if ((rh | rl) === 0) {
    writeF80(out, o, aSe & SIGN, 0, 0);
    return flags | cc;
  }
  return flags | cc | packRemainder(sign, base, rh, rl, fcw, out, o);
}

/** Normalise and write an exact remainder h:l (h may hold a 65th bit) whose bit 63 weighs 2^(base − bias). */
function packRemainder(sign: number, base: number, h: number, l: number, fcw: number, out: Uint32Array, o: number): number {
  let ext = 0;
  if (h > 0xffffffff) {
    ext = (l & 1) << 31;
    l = ((l >>> 1) | ((h & 1) << 31)) >>> 0;
    h = Math.floor(h / 2);
    base++;
  }
  normalize96(h >>> 0, l, ext);
  // Exact: rounding only matters for a tiny result with UE unmasked (wrapped exponent).
  return roundPack(sign, base - W[3], W[0], W[1], W[2], fcw | (PC_64 << 8), out, o) & ~C1;
}
