/**
 * Rounding and packing: the one place where an exact (or sticky-jammed)
 * significand becomes an 80-bit x87 result, as add, mul, div, sqrt and the
 * integer/BCD loads all finish.
 *
 * The x87 rules implemented here (SDM Vol. 1 §4.8.4, §8.5.4, §8.5.5, §8.1.5.2,
 * each checked against the host CPU by test/fpu/softfloat-*.test.ts):
 *   - Precision control (24/53/64 bits) rounds the significand only; the
 *     reserved encoding 1 rounds to 64 bits as 3 does (measured); the
 *     exponent range stays the 15-bit one, and denormal results are rounded at
 *     the same bit position as normal ones (the mask counts from bit 63).
 *   - Tininess is detected after rounding (as if the exponent were
 *     unbounded); with UE masked, underflow is signalled only when the
 *     denormalised result is also inexact.
 *   - With UE or OE unmasked, the result is rounded as a normal number and
 *     its exponent wrapped by ±0x6000; if even that is out of range (FSCALE
 *     can get there), the result is a signed 0 or ∞.
 *   - Masked overflow gives ∞ or the largest finite value of the precision,
 *     by rounding direction and sign.
 *   - C1 reports that the delivered significand was rounded up in magnitude.
 *
 * Significands travel as three uint32 words hi:lo:ext: 64 bits plus 32
 * guard bits whose lowest bit is a sticky bit (set when anything non-zero was
 * shifted out below it). Helpers that would return several words leave them
 * in this module's `W[0] W[1] W[2]` (read right after the call; no allocation).
 */
import { C1, EXP_MAX, EXP_WRAP, OE, PC_24, PC_53, PE, RC_DOWN, RC_NEAREST, RC_UP, UE, writeF80 } from '../float80.js';

/**
 * Results of shiftRightJam96, normalize96 and the rounding helpers: W[0] W[1]
 * W[2] the words hi, lo, ext (as int32: read them with >>> 0 to compare);
 * W[3] normalize96's left shift count.
 */
export const W = new Int32Array(4);

/** hi:lo:ext >> n (n ≥ 0), any bits shifted out of ext OR-ed into its lowest bit; result in W[0] W[1] W[2]. */
export function shiftRightJam96(hi: number, lo: number, ext: number, n: number): void {
  if (n === 0) {
    W[0] = hi; W[1] = lo; W[2] = ext;
  } else if (n < 32) {
    const sticky = (ext << (32 - n)) !== 0 ? 1 : 0;
    W[2] = ((ext >>> n) | (lo << (32 - n)) | sticky) >>> 0;
    W[1] = ((lo >>> n) | (hi << (32 - n))) >>> 0;
    W[0] = hi >>> n;
  } else if (n < 64) {
    const m = n - 32;
    const sticky = ext !== 0 || (m !== 0 && lo << (32 - m) !== 0) ? 1 : 0;
    W[2] = ((m === 0 ? lo : (lo >>> m) | (hi << (32 - m))) | sticky) >>> 0;
    W[1] = m === 0 ? hi : hi >>> m;
    W[0] = 0;
  } else if (n < 96) {
    const m = n - 64;
    const sticky = ext !== 0 || lo !== 0 || (m !== 0 && hi << (32 - m) !== 0) ? 1 : 0;
    W[2] = ((m === 0 ? hi : hi >>> m) | sticky) >>> 0;
    W[1] = 0;
    W[0] = 0;
  } else {
    W[2] = (hi | lo | ext) !== 0 ? 1 : 0;
    W[1] = 0;
    W[0] = 0;
  }
}

/** Shift hi:lo:ext left until bit 95 is set (it must not be all zero); result in W[0] W[1] W[2], the count in W[3]. */
export function normalize96(hi: number, lo: number, ext: number): void {
  let s = 0;
  while (hi === 0) {
    hi = lo; lo = ext; ext = 0; s += 32;
  }
  const z = Math.clz32(hi);
  if (z !== 0) {
    hi = (hi << z) | (lo >>> (32 - z));
    lo = (lo << z) | (ext >>> (32 - z));
    ext <<= z;
  }
  W[0] = hi >>> 0; W[1] = lo >>> 0; W[2] = ext >>> 0; W[3] = s + z;
}

// Outcome bits of roundSignificand.
export const INEXACT = 1;
export const ROUNDED_UP = 2;
export const CARRY_OUT = 4;

/**
 * Round hi:lo:ext to `pc` bits (counted from bit 63) in direction `rc`;
 * the rounded 64-bit significand is left in W[0] W[1] (W[2] = 0). Returns INEXACT,
 * ROUNDED_UP (magnitude increased) and CARRY_OUT (the significand overflowed
 * 2^64 and is now 0x80000000_00000000, so the exponent must go up by one).
 */
export function roundSignificand(hi: number, lo: number, ext: number, pc: number, rc: number, negative: boolean): number {
  hi >>>= 0;
  lo >>>= 0;
  ext >>>= 0;
  let rem: number; // the discarded bits, left-aligned
  let sticky: number; // whether anything below rem is non-zero
  let lsb: number;
  if (pc === PC_53) {
    rem = ((lo << 21) | (ext >>> 11)) >>> 0;
    sticky = ext & 0x7ff;
    lo = (lo & ~0x7ff) >>> 0;
    lsb = lo & 0x800;
  } else if (pc === PC_24) {
    rem = ((hi << 24) | (lo >>> 8)) >>> 0;
    sticky = (lo & 0xff) | ext;
    hi = (hi & ~0xff) >>> 0;
    lo = 0;
    lsb = hi & 0x100;
  } else {
    rem = ext;
    sticky = 0;
    lsb = lo & 1;
  }
  W[2] = 0;
  if (rem === 0 && sticky === 0) {
    W[0] = hi; W[1] = lo;
    return 0;
  }
  let up: boolean;
  if (rc === RC_NEAREST) up = rem > 0x80000000 || (rem === 0x80000000 && (sticky !== 0 || lsb !== 0));
  else if (rc === RC_DOWN) up = negative;
  else if (rc === RC_UP) up = !negative;
  else up = false;
  if (!up) {
    W[0] = hi; W[1] = lo;
    return INEXACT;
  }
  let out = INEXACT | ROUNDED_UP;
  if (pc === PC_24) {
    hi = (hi + 0x100) >>> 0;
  } else {
    const unit = pc === PC_53 ? 0x800 : 1;
    const nlo = (lo + unit) >>> 0;
    if (nlo < lo) hi = (hi + 1) >>> 0;
    lo = nlo;
  }
  if (hi === 0 && lo === 0) {
    hi = 0x80000000;
    out |= CARRY_OUT;
  }
  W[0] = hi; W[1] = lo;
  return out;
}

/**
 * Round the value hi:lo · 2^(e − 63) (hi:lo a normalised significand, e ≤ 63)
 * to an integer in direction `rc`: the integer is left in W[0]:W[1] (W[2] = 0);
 * returns INEXACT and ROUNDED_UP. For FIST, FBSTP and FRNDINT.
 */
export function roundToInteger(hi: number, lo: number, e: number, rc: number, negative: boolean): number {
  shiftRightJam96(hi, lo, 0, 63 - e);
  const frac = W[2] >>> 0;
  W[2] = 0;
  if (frac === 0) return 0;
  let up: boolean;
  if (rc === RC_NEAREST) up = frac > 0x80000000 || (frac === 0x80000000 && (W[1] & 1) !== 0);
  else if (rc === RC_DOWN) up = negative;
  else if (rc === RC_UP) up = !negative;
  else up = false;
  if (!up) return INEXACT;
  W[1] = (W[1] + 1) >>> 0;
  if (W[1] === 0) W[0] = (W[0] + 1) >>> 0;
  return INEXACT | ROUNDED_UP;
}

/**
 * Round and pack sign (0 or 0x8000), biased exponent `exp` (any integer) and
 * the normalised significand hi:lo:ext (bit 31 of hi set) under fcw's PC and
 * RC; write the 80-bit result to out[o..o+2]; return PE UE OE and C1.
 */
export function roundPack(sign: number, exp: number, hi: number, lo: number, ext: number, fcw: number, out: Uint32Array, o: number): number {
  const pc = (fcw >>> 8) & 3;
  const rc = (fcw >>> 10) & 3;
  const negative = sign !== 0;
  let flags = 0;
  if (exp <= 0) {
    // Tiny after rounding: the value rounded to pc bits with an unbounded
    // exponent is still below 2^-16382, which for exp = 0 means rounding
    // does not carry out of the significand.
    const tiny = exp < 0 || (roundSignificand(hi, lo, ext, pc, rc, negative) & CARRY_OUT) === 0;
    if (tiny) {
      if ((fcw & UE) === 0) {
        exp += EXP_WRAP;
        flags = UE;
        if (exp <= 0) {
          // Out of range even wrapped (only FSCALE gets here): a signed zero, as measured.
          writeF80(out, o, sign, 0, 0);
          return UE | PE;
        }
      } else {
        shiftRightJam96(hi, lo, ext, 1 - exp);
        const r = roundSignificand(W[0], W[1], W[2], pc, rc, negative);
        if (r & INEXACT) flags = UE | PE | (r & ROUNDED_UP ? C1 : 0);
        // Rounding up into bit 63 makes the smallest normal.
        writeF80(out, o, sign | (W[0] >>> 31), W[0], W[1]);
        return flags;
      }
    }
  }
  let r = roundSignificand(hi, lo, ext, pc, rc, negative);
  if (r & CARRY_OUT) exp++;
  if (exp >= EXP_MAX) {
    if ((fcw & OE) === 0) {
      exp -= EXP_WRAP;
      flags |= OE;
      if (exp >= EXP_MAX) {
        // Out of range even wrapped (only FSCALE gets here): ∞ whatever the rounding, as measured.
        writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
        return OE | PE | C1;
      }
    } else {
      // ∞ when rounding goes away from zero, else the largest finite value of the precision.
      const toInfinity = rc === RC_NEAREST || (rc === RC_UP && !negative) || (rc === RC_DOWN && negative);
      if (toInfinity) {
        writeF80(out, o, sign | EXP_MAX, 0x80000000, 0);
        return flags | OE | PE | C1;
      }
      writeF80(out, o, sign | (EXP_MAX - 1), pc === PC_24 ? 0xffffff00 : 0xffffffff,
        pc === PC_24 ? 0 : pc === PC_53 ? 0xfffff800 : 0xffffffff);
      return flags | OE | PE;
    }
  }
  if (r & INEXACT) flags |= PE | (r & ROUNDED_UP ? C1 : 0);
  writeF80(out, o, sign | exp, W[0], W[1]);
  return flags;
}
