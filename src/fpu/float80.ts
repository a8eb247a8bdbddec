/**
 * The x87 80-bit extended-precision value: its representation in btvm and the
 * calling convention of every arithmetic routine in src/fpu/softfloat/.
 *
 * A JS double cannot hold a 64-bit significand, so an 80-bit value is carried
 * as three numbers, never as an object:
 *   se  bits 79..64: sign in bit 15, biased exponent in bits 14..0 (0..0xFFFF)
 *   hi  significand bits 63..32, including the explicit integer bit 63 (uint32)
 *   lo  significand bits 31..0 (uint32)
 * Stored in a Uint32Array as three consecutive slots [se, hi, lo], so the x87
 * register file is a `Uint32Array(24)` (physical register i at 3*i) and can
 * be passed directly as the `out` of any operation.
 *
 * Calling convention (allocation-free, no closures, int32 arithmetic):
 *   op(aSe, aHi, aLo, [bSe, bHi, bLo,] fcw, out, o): number
 * The operation reads its operands as numbers (so `out` may alias an operand's
 * slot; hi and lo may be given as uint32 or as int32 — the same bits — and
 * int32 is faster: V8 passes a uint32 above 2^31 to a call as a heap number,
 * so a caller that reads an Int32Array view of its Uint32Array allocates
 * nothing), writes the result to out[o]=se, out[o+1]=hi, out[o+2]=lo and
 * returns the exception bits it raised (IE DE ZE OE UE PE, as in the status
 * word) OR-ed with C1 (0x200) when the delivered result was rounded up.
 * The caller owns the status word: it ORs the exception bits into FSW's sticky
 * flags and sets C1 from the return value (C1 is 0 when not returned).
 *
 * Unmasked exceptions (fcw mask bit clear) follow the SDM §8.5 rules, so the
 * x87 unit only has to raise #MF / set ES:
 *   - IE, ZE, or DE unmasked and raised: `out` is NOT written (the
 *     destination keeps its old value); the return value says why.
 *   - OE or UE unmasked and raised: `out` receives the rounded result with
 *     its exponent wrapped by ∓24576 (0x6000), as the SDM prescribes (a
 *     result out of range even wrapped, which only FSCALE reaches, is 0 or
 *     ∞ as on the host).
 * Routines that produce something other than an 80-bit value (compares,
 * integer/BCD/float stores) and the loads (where the host loads a denormal
 * even with DE unmasked) document their own rules in their file. Every rule
 * is measured against the host CPU by test/fpu/softfloat-*.test.ts.
 */

/** Exponent bias of the 80-bit format. */
export const BIAS = 16383;
/** The all-ones exponent: infinities and NaNs. */
export const EXP_MAX = 0x7fff;
export const SIGN = 0x8000;
/** Exponent wrap applied to a result on unmasked overflow/underflow (SDM §8.5.4/§8.5.5). */
export const EXP_WRAP = 0x6000;

// Status-word exception flags (also the FCW mask bits at the same positions).
export const IE = 0x01; // invalid operation
export const DE = 0x02; // denormal operand
export const ZE = 0x04; // zero divide
export const OE = 0x08; // overflow
export const UE = 0x10; // underflow
export const PE = 0x20; // precision (inexact)
export const SF = 0x40; // stack fault (set by the x87 unit, with IE)
export const ES = 0x80; // error summary (set by the x87 unit)
export const EXC_MASK = 0x3f;
// Condition codes in the status word.
export const C0 = 0x0100;
export const C1 = 0x0200;
export const C2 = 0x0400;
export const C3 = 0x4000;

// FCW fields.
export const FCW_PC_SHIFT = 8;
export const FCW_PC_MASK = 0x0300;
export const FCW_RC_SHIFT = 10;
export const FCW_RC_MASK = 0x0c00;
/** FCW after FNINIT: all exceptions masked, 64-bit precision, round to nearest. */
export const FCW_DEFAULT = 0x037f;

/** Precision-control encodings (FCW bits 9..8). Encoding 1 is reserved (rounds as 64 bits on the host measured: see round.ts). */
export const PC_24 = 0;
export const PC_53 = 2;
export const PC_64 = 3;

/** Rounding-control encodings (FCW bits 11..10). */
export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

export function precisionControl(fcw: number): number {
  return (fcw >>> FCW_PC_SHIFT) & 3;
}
export function roundingControl(fcw: number): number {
  return (fcw >>> FCW_RC_SHIFT) & 3;
}

/** What an 80-bit pattern is. Values fit the register-class switch in one small int. */
export const enum F80Class {
  Zero = 0,
  Normal = 1,
  /** exp 0, integer bit 0, significand non-zero */
  Denormal = 2,
  /** exp 0, integer bit 1: read as exponent 1 (DE raised), never produced */
  PseudoDenormal = 3,
  /** exp 1..0x7FFE, integer bit 0: unsupported since the 387, IE on use */
  Unnormal = 4,
  Infinity = 5,
  QNaN = 6,
  SNaN = 7,
  /** exp 0x7FFF, integer bit 0 (pseudo-infinity / pseudo-NaN): unsupported, IE on use */
  Invalid = 8,
}

/** Classify an 80-bit pattern. */
export function classify(se: number, hi: number, lo: number): F80Class {
  const exp = se & EXP_MAX;
  const j = hi >>> 31;
  if (exp === 0) {
    if (j !== 0) return F80Class.PseudoDenormal;
    return (hi | lo) === 0 ? F80Class.Zero : F80Class.Denormal;
  }
  if (exp === EXP_MAX) {
    if (j === 0) return F80Class.Invalid;
    if ((hi & 0x7fffffff) === 0 && lo === 0) return F80Class.Infinity;
    return (hi & 0x40000000) !== 0 ? F80Class.QNaN : F80Class.SNaN;
  }
  return j !== 0 ? F80Class.Normal : F80Class.Unnormal;
}

/** Tag-word values (FSAVE format). */
export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

/**
 * The 2-bit tag the hardware computes for a non-empty register, as FNSTENV /
 * FNSAVE report it: zero only for a true zero, valid only for a normal,
 * everything else (denormal, pseudo-denormal, unnormal, inf, NaN, invalid) special.
 */
export function tagOf(se: number, hi: number, lo: number): number {
  const exp = se & EXP_MAX;
  if (exp === 0) return (hi | lo) === 0 ? TAG_ZERO : TAG_SPECIAL;
  if (exp === EXP_MAX || hi >>> 31 === 0) return TAG_SPECIAL;
  return TAG_VALID;
}

/** The default QNaN ("real indefinite"): sign 1, exponent 0x7FFF, significand 0xC000000000000000. */
export const INDEFINITE_SE = 0xffff;
export const INDEFINITE_HI = 0xc0000000;
export const INDEFINITE_LO = 0;

/** Integer indefinite (stores of NaN/out-of-range values when IE is masked): 0x8000, 0x80000000, 0x8000000000000000. */
export const INT16_INDEFINITE = 0x8000;
export const INT32_INDEFINITE = 0x80000000;

export function writeF80(out: Uint32Array, o: number, se: number, hi: number, lo: number): void {
  out[o] = se;
  out[o + 1] = hi;
  out[o + 2] = lo;
}

export function writeIndefinite(out: Uint32Array, o: number): void {
  out[o] = INDEFINITE_SE;
  out[o + 1] = INDEFINITE_HI;
  out[o + 2] = INDEFINITE_LO;
}

/** The signature every two-operand arithmetic routine has (fadd, fsub, fmul, fdiv, ...). */
export type BinaryOp = (
  aSe: number, aHi: number, aLo: number,
  bSe: number, bHi: number, bLo: number,
  fcw: number, out: Uint32Array, o: number,
) => number;

/** The signature of one-operand routines (fsqrt, frndint, ...). */
export type UnaryOp = (aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number) => number;

/** Format an 80-bit pattern as 20 hex digits (se hi lo), for tests and diagnostics. */
export function f80Hex(se: number, hi: number, lo: number): string {
  return (
    (se >>> 0).toString(16).padStart(4, '0') +
    (hi >>> 0).toString(16).padStart(8, '0') +
    (lo >>> 0).toString(16).padStart(8, '0')
  );
}
