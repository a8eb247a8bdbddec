/**
 * F2XM1: ST(0) ← 2^ST(0) − 1, in the float80.ts calling convention
 * (UnaryOp). The x87 unit reads ST(0), calls this with ST(0)'s slot as out,
 * and ORs the returned exception bits and C1 into the status word.
 *
 * Special cases are the host CPU's (AMD EPYC, measured with
 * fixtures/native/x87_transcendental_probe.c): ±0 → ±0 and +∞ → +∞ without
 * flags, −∞ → −1 without flags; outside the SDM's domain −1..+1 (where the
 * SDM calls the result undefined) the host returns the operand unchanged with
 * PE; 2^1 − 1 comes out of the host's kernel a hair below 1 (1 with C1 under
 * round-to-nearest and up, 0.FFFF… under down and to zero), 2^−1 − 1 exactly −0.5.
 */
import { BIAS, DE, F80Class, PE, SIGN, classify, writeF80 } from '../float80.js';
import { FRAC, LN2, expm1Factor } from './precise.js';
import { checkOperand } from '../softfloat/operands.js';
import { denormalUnmasked, isDenormalClass, opExp, opSig, roundPack, unpackFinite } from './operand.js';
import { DEVIATION_BITS, DEVIATION_MAX_EXP, hostDeviation } from './host-exp2.js';

export function f2xm1(aSe: number, aHi: number, aLo: number, fcw: number, out: Uint32Array, o: number): number {
  const c = classify(aSe, aHi, aLo);
  const negative = (aSe & SIGN) !== 0;
  switch (c) {
    case F80Class.Unnormal:
    case F80Class.Invalid:
    case F80Class.QNaN:
    case F80Class.SNaN:
      return checkOperand(c, aSe, aHi, aLo, fcw, out, o);
    case F80Class.Zero:
      writeF80(out, o, aSe, aHi, aLo);
      return 0;
    case F80Class.Infinity:
      if (negative) writeF80(out, o, SIGN | BIAS, 0x80000000, 0);
      else writeF80(out, o, aSe, aHi, aLo);
      return 0;
  }
  const flags = isDenormalClass(c) ? DE : 0;
  if (denormalUnmasked(fcw, flags)) return flags;
  unpackFinite(aSe, aHi, aLo);
  const sig = opSig, exp = opExp;
  // |x| = sig·2^exp with bit 63 of sig set: |x| ≥ 1 exactly when exp ≥ -63.
  if (exp >= -63) {
    const isOne = exp === -63 && sig === 1n << 63n;
    if (!isOne) {
      writeF80(out, o, aSe, aHi, aLo);
      return flags | PE;
    }
    if (negative) {
      writeF80(out, o, SIGN | (BIAS - 1), 0x80000000, 0);
      return flags | PE;
    }
    // The host's 2^1 − 1 sits just below 1: a value one part in 2^FRAC low rounds the same way.
    return flags | roundPack(false, (1n << BigInt(FRAC)) - 1n, -FRAC, fcw, out, o);
  }
  // x·ln 2 = prod·2^(exp − FRAC); as a fixed-point number that is prod·2^exp (exp < -63 here).
  // 2^x − 1 = (x·ln 2)·(e^t − 1)/t keeps relative precision for tiny x.
  const prod = sig * LN2;
  let t = prod >> BigInt(-exp);
  if (negative) t = -t;
  const factor = expm1Factor(t);
  let magnitude = prod * factor;
  // Below 2^-34 the host's internal value is the truth moved by a measured deviation (host-exp2.ts).
  if (exp <= DEVIATION_MAX_EXP) {
    // The part beyond x·ln 2, in x's last place (magnitude has 2·FRAC fraction bits there).
    const z = Number((magnitude - (prod << BigInt(FRAC))) >> BigInt(2 * FRAC - 40)) / 2 ** 40;
    magnitude += hostDeviation(sig, exp, negative, z) << BigInt(2 * FRAC - DEVIATION_BITS);
  }
  return flags | roundPack(negative, magnitude, exp - 2 * FRAC, fcw, out, o);
}
