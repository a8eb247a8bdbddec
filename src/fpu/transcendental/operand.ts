/**
 * Operands in and results out for the x87 transcendental instructions
 * (src/fpu/transcendental/): an 80-bit operand becomes an exact BigInt
 * significand and a binary exponent, and a high-precision value becomes a
 * 64-bit-significand result rounded under the FCW's rounding control, with
 * the status bits the host CPU reports (PE, UE/OE, C1 when rounded up).
 *
 * Precision control does not apply to these instructions (measured on the
 * host: PC=24 gives the same 64-bit result), so only RC is read. Tininess is
 * judged after rounding to 64 bits with an unbounded exponent, as the host
 * does (fsin of the pseudo-denormal 2^-16382 gives the smallest normal
 * without UE).
 */
import {
  BIAS, C1, DE, EXP_MAX, EXP_WRAP, F80Class, IE, OE, PE, RC_DOWN, RC_NEAREST, RC_UP, RC_ZERO, SIGN, UE, roundingControl, writeF80,
} from '../float80.js';
import { bitLength } from './precise.js';

/** Significand and exponent of the last finite operand unpacked: value = ±sig · 2^exp, sig ≥ 1. */
export let opSig = 0n;
export let opExp = 0;

/**
 * Unpack a finite non-zero operand (Normal, Denormal or PseudoDenormal) into
 * opSig/opExp, normalised so that bit 63 of opSig is set. Denormals read as
 * exponent 1 - BIAS, as the hardware does.
 */
export function unpackFinite(se: number, hi: number, lo: number): void {
  let exp = se & EXP_MAX;
  if (exp === 0) exp = 1;
  let sig = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  let e = exp - BIAS - 63;
  const shift = 64 - bitLength(sig);
  if (shift > 0) {
    sig <<= BigInt(shift);
    e -= shift;
  }
  opSig = sig;
  opExp = e;
}

/** The operand is a denormal or pseudo-denormal: reading it raises DE. */
export function isDenormalClass(c: F80Class): boolean {
  return c === F80Class.Denormal || c === F80Class.PseudoDenormal;
}

/** IE unmasked: the destination must keep its value (float80.ts contract). */
export function ieUnmasked(fcw: number): boolean {
  return (fcw & IE) === 0;
}

/**
 * Round ±sig·2^exp (sig > 0: a kernel's approximation good far beyond 64
 * bits, or an exact value) to the 80-bit format under the FCW's rounding control,
 * write it to out[o..o+2] and return PE|UE|OE|C1 as the host reports them:
 * PE for every computed result (the host sets it even when the value is
 * exactly representable, e.g. fyl2x(4, 1) = 2), C1 when the significand was
 * rounded up in magnitude.
 */
export function roundPack(negative: boolean, sig: bigint, exp: number, fcw: number, out: Uint32Array, o: number): number {
  const rc = roundingControl(fcw);
  const len = bitLength(sig);
  // Biased exponent of the result before rounding, the integer bit at 2^(len-1+exp).
  let biased = len - 1 + exp + BIAS;
  let kept = roundSig(negative, sig, len - 64, rc);
  let flags = PE;
  if (kept.up) flags |= C1;
  let m = kept.m;
  if (m >> 64n !== 0n) {
    m >>= 1n;
    biased++;
  }
  if (biased >= EXP_MAX) return overflow(negative, biased, m, flags, fcw, rc, out, o);
  if (biased < 1) {
    // Tiny after rounding: unmasked UE delivers the rounded value with its exponent wrapped up.
    if ((fcw & UE) === 0) {
      writeSig(out, o, negative, biased + EXP_WRAP, m);
      return flags | UE;
    }
    // Masked: denormalise from the exact value (one rounding), exponent field 0.
    kept = roundSig(negative, sig, 1 - BIAS - 63 - exp, rc);
    m = kept.m;
    flags = PE | UE | (kept.up ? C1 : 0);
    // A carry into bit 63 makes it the smallest normal, still flagged as an underflow.
    writeSig(out, o, negative, m >> 63n !== 0n ? 1 : 0, m);
    return flags;
  }
  writeSig(out, o, negative, biased, m);
  return flags;
}

function overflow(
  negative: boolean, biased: number, m: bigint, flags: number, fcw: number, rc: number, out: Uint32Array, o: number,
): number {
  if ((fcw & OE) === 0) {
    writeSig(out, o, negative, biased - EXP_WRAP, m);
    return flags | OE;
  }
  const toInfinity = rc === RC_NEAREST || (rc === RC_UP && !negative) || (rc === RC_DOWN && negative);
  if (toInfinity) writeF80(out, o, (negative ? SIGN : 0) | EXP_MAX, 0x80000000, 0);
  else writeF80(out, o, (negative ? SIGN : 0) | (EXP_MAX - 1), 0xffffffff, 0xffffffff);
  return (flags & ~C1) | OE | PE | (toInfinity ? C1 : 0);
}

function writeSig(out: Uint32Array, o: number, negative: boolean, biased: number, m: bigint): void {
  writeF80(out, o, (negative ? SIGN : 0) | (biased & EXP_MAX), Number(m >> 32n) >>> 0, Number(m & 0xffffffffn) >>> 0);
}

/** Result of roundSig: the kept significand and whether it was rounded up in magnitude. */
const rounded = { m: 0n, up: false };

/**
 * Drop `drop` low bits of sig (drop ≤ 0 shifts left, exactly) under rc.
 * A kernel's approximation lands exactly on a tie only when the value is
 * exact (its error bits would otherwise be non-zero), so ties are real ties.
 */
function roundSig(negative: boolean, sig: bigint, drop: number, rc: number): { m: bigint; up: boolean } {
  if (drop <= 0) {
    rounded.m = sig << BigInt(-drop);
    rounded.up = false;
    return rounded;
  }
  const d = BigInt(drop);
  let m = sig >> d;
  const rem = sig - (m << d);
  const half = 1n << (d - 1n);
  let up = false;
  if (rem !== 0n) {
    if (rc === RC_NEAREST) up = rem > half || (rem === half && (m & 1n) === 1n);
    else if (rc === RC_UP) up = !negative;
    else if (rc === RC_DOWN) up = negative;
    else if (rc === RC_ZERO) up = false;
  }
  if (up) m += 1n;
  rounded.m = m;
  rounded.up = up;
  return rounded;
}

/** Operands' denormal flag, honouring an unmasked DE (instruction not executed). */
export function denormalUnmasked(fcw: number, flags: number): boolean {
  return (flags & DE) !== 0 && (fcw & DE) === 0;
}
