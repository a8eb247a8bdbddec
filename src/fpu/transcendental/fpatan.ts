/**
 * FPATAN: ST(1) ← arctan(ST(1)/ST(0)) in the quadrant of (x = ST(0), y = ST(1)),
 * then pop; float80.ts's BinaryOp with a = ST(0) (x) and b = ST(1) (y), the
 * result to out[o..o+2] (the x87 unit points it at ST(1)'s slot).
 *
 * The angle is computed from the exact ratio min(|x|,|y|)/max(|x|,|y|): reduced
 * to a table point j/8 by atan q = atan(j/8) + atan((8q − j)/(8 + jq)), so the
 * series argument is at most 1/16, then unfolded to the octant and quadrant
 * (π/2 − θ, π − θ) in fixed point; a tiny angle (|y| ≪ x) keeps relative
 * precision. Zeros and infinities give the SDM's exact table (±0, ±π/4, ±π/2,
 * ±3π/4, ±π rounded under RC) without IE: arctan of 0/0 is defined here.
 */
import { DE, F80Class, SIGN, classify, writeF80 } from '../float80.js';
import { ATAN_EIGHTHS, FRAC, HALF_PI, PI, mulFix, oddSeries } from './precise.js';
import { checkOperands, NOT_HANDLED } from '../softfloat/operands.js';
import { denormalUnmasked, isDenormalClass, opExp, opSig, roundPack, unpackFinite } from './operand.js';

const FRACN = BigInt(FRAC);

export function fpatan(
  aSe: number, aHi: number, aLo: number, bSe: number, bHi: number, bLo: number, fcw: number, out: Uint32Array, o: number,
): number {
  const xc = classify(aSe, aHi, aLo), yc = classify(bSe, bHi, bLo);
  const early = checkOperands(xc, aSe, aHi, aLo, yc, bSe, bHi, bLo, fcw, out, o);
  if (early !== NOT_HANDLED) return early;
  const flags = isDenormalClass(xc) || isDenormalClass(yc) ? DE : 0;
  if (denormalUnmasked(fcw, flags)) return flags;
  const xNeg = (aSe & SIGN) !== 0, yNeg = (bSe & SIGN) !== 0;
  const xInf = xc === F80Class.Infinity, yInf = yc === F80Class.Infinity;
  const yZero = yc === F80Class.Zero, xZero = xc === F80Class.Zero;
  // The table's exact cases, as fixed-point angles in [0, π] (the sign of y applied last).
  if (yZero) {
    if (!xNeg) {
      writeF80(out, o, bSe & SIGN, 0, 0);
      return flags;
    }
    return flags | roundPack(yNeg, PI, -FRAC, fcw, out, o);
  }
  if (xZero || (yInf && !xInf)) return flags | roundPack(yNeg, HALF_PI, -FRAC, fcw, out, o);
  if (xInf && yInf) return flags | roundPack(yNeg, xNeg ? 3n * (PI >> 2n) : PI >> 2n, -FRAC, fcw, out, o);
  if (xInf) {
    if (!xNeg) {
      writeF80(out, o, bSe & SIGN, 0, 0);
      return flags;
    }
    return flags | roundPack(yNeg, PI, -FRAC, fcw, out, o);
  }
  unpackFinite(aSe, aHi, aLo);
  const xSig = opSig, xExp = opExp;
  unpackFinite(bSe, bHi, bLo);
  const ySig = opSig, yExp = opExp;
  // q = n/d ≤ 1 with n the smaller magnitude; both significands have bit 63 set.
  const swap = yExp > xExp || (yExp === xExp && ySig > xSig);
  const nSig = swap ? xSig : ySig, nExp = swap ? xExp : yExp;
  const dSig = swap ? ySig : xSig, dExp = swap ? yExp : xExp;
  const gap = dExp - nExp;
  let angle: bigint; // fixed point, in [0, π/4]
  let tinySig = 0n, tinyExp = 0;
  if (gap > 5) {
    // q < 2^-5: no table point, atan q = q·Σ(−q²)^k/(2k+1), q to FRAC+64 significant bits.
    const qq = (nSig << BigInt(FRAC + 64)) / dSig; // q = qq·2^(-FRAC-64-gap)
    const qExp = -FRAC - 64 - gap;
    const qFix = qq >> BigInt(64 + gap);
    const series = oddSeries(mulFix(qFix, qFix), -1);
    tinySig = qq * series;
    tinyExp = qExp - FRAC;
    angle = tinyExp + FRAC >= 0 ? tinySig << BigInt(tinyExp + FRAC) : tinySig >> BigInt(-(tinyExp + FRAC));
  } else {
    // Exact integers for q = N/D, then j = round(8q) and z = (8N − jD)/(8D + jN), |z| ≤ 1/16.
    const N = nSig, D = dSig << BigInt(gap);
    const j = Number((16n * N + D) / (2n * D));
    const zNum = 8n * N - BigInt(j) * D, zDen = 8n * D + BigInt(j) * N;
    const zFix = (zNum << FRACN) / zDen;
    angle = ATAN_EIGHTHS[j]! + mulFix(zFix, oddSeries(mulFix(zFix, zFix), -1));
  }
  // Unfold: |y| > |x| means the angle is measured from the y axis; x < 0 mirrors it.
  const direct = !swap && !xNeg;
  if (direct && gap > 5) return flags | roundPack(yNeg, tinySig, tinyExp, fcw, out, o);
  let theta = swap ? HALF_PI - angle : angle;
  if (xNeg) theta = PI - theta;
  return flags | roundPack(yNeg, theta, -FRAC, fcw, out, o);
}
