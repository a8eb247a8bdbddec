/**
 * One lane of ADD, SUB, MUL, DIV and SQRT (ps, ss, pd, sd), bit-exact to the
 * host under every MXCSR: the special operands (NaNs, infinities, zeros,
 * denormals under DAZ) by the SDM's tables, everything else as an exact
 * double core — the operands' significands in [1, 2) combined with an
 * error-free transformation — rounded once by rounding.ts.
 *
 * Flags: IE (SNaN operand, ∞ − ∞, 0·∞, 0/0, ∞/∞, √negative), DE (a
 * denormal operand when DAZ is clear), ZE (finite/0) into ENV.pre; OE, UE, PE
 * from the rounding into ENV.post.
 */
import type { SimdScratch } from '../simd-scratch.js';
import { MXCSR_DE, MXCSR_IE, MXCSR_ZE } from '../simd-scratch.js';
import { ENV, RC_DOWN, RC_NEAREST } from './mxcsr-env.js';
import { fastArithmetic } from './fast-path.js';
import { ADD, DIV, MUL, SQRT, SUB } from './arithmetic-ops.js';
import { decompose, PARTS, productError, remainderSign, sumError } from './error-free.js';
import {
  DENORMAL, INF, isNaNClass, isNormal, load, signOf, SNAN, VAL, ZERO, writeDefaultNaN, writeQuietNaN, writeValue,
} from './operands.js';
import { BINARY32, BINARY64, pow2, ROUNDED, roundToFormat, type FloatFormat } from './rounding.js';

export { ADD, DIV, MUL, SQRT, SUB } from './arithmetic-ops.js';

/** Exponent gap beyond which the smaller addend only decides the rounding direction. */
const FAR = 60;

/**
 * Lane `op` of two sources at word indices wa, wb (SQRT reads only wb),
 * result to word index `out` (which may be wa).
 */
export function arithmeticLane(x: SimdScratch, wide: boolean, op: number, wa: number, wb: number, out: number): void {
  const unary = op === SQRT;
  // The common case first, before any classification: round to nearest, normal operands (SQRT: positive).
  if (ENV.rc === RC_NEAREST && isNormal(x, wide, wb) && (unary ? !signOf(x, wide, wb) : isNormal(x, wide, wa))) {
    const b = wide ? x.f64[wb >>> 1] : x.f32[wb];
    const a = unary ? 0 : wide ? x.f64[wa >>> 1] : x.f32[wa];
    if (fastArithmetic(x, wide, op, a, op === SUB ? -b : b, out)) return;
  }
  const ca = unary ? ZERO : load(x, wide, wa, 0);
  const cb = load(x, wide, wb, 1);
  if (isNaNClass(ca) || isNaNClass(cb)) {
    if (ca === SNAN || cb === SNAN) ENV.pre |= MXCSR_IE;
    writeQuietNaN(x, wide, isNaNClass(ca) ? wa : wb, out);
    return;
  }
  // DE has the lowest priority of the pre-computation exceptions of a lane (measured: a denormal / 0 sets ZE only).
  laneRaised = false;
  const a = VAL[0];
  const b = op === SUB ? -VAL[1] : VAL[1];
  if (ca === INF || cb === INF) specialInfinity(x, wide, op, a, b, out);
  else finite(x, wide, op, a, b, out, wide ? BINARY64 : BINARY32);
  if (!laneRaised && !ENV.daz && (ca === DENORMAL || cb === DENORMAL)) ENV.pre |= MXCSR_DE;
}

/** Both operands finite (zeros included). */
function finite(x: SimdScratch, wide: boolean, op: number, a: number, b: number, out: number, fmt: FloatFormat): void {
  switch (op) {
    case ADD:
    case SUB:
      add(x, wide, a, b, out, fmt);
      return;
    case MUL:
      if (a === 0 || b === 0) writeValue(x, wide, out, a * b);
      else productOrQuotient(x, wide, MUL, a, b, out, fmt);
      return;
    case DIV:
      if (b === 0) {
        if (a === 0) invalid(x, wide, out);
        else {
          ENV.pre |= MXCSR_ZE;
          laneRaised = true;
          writeValue(x, wide, out, a / b);
        }
      } else if (a === 0) writeValue(x, wide, out, a / b);
      else productOrQuotient(x, wide, DIV, a, b, out, fmt);
      return;
    default:
      if (b === 0) writeValue(x, wide, out, b);
      else if (b < 0) invalid(x, wide, out);
      else squareRoot(x, wide, b, out, fmt);
  }
}

/** Whether the current lane raised IE or ZE (which hide its DE). */
let laneRaised = false;

function invalid(x: SimdScratch, wide: boolean, out: number): void {
  ENV.pre |= MXCSR_IE;
  laneRaised = true;
  writeDefaultNaN(x, wide, out);
}

/** An infinite operand: exact results or an invalid operation. */
function specialInfinity(x: SimdScratch, wide: boolean, op: number, a: number, b: number, out: number): void {
  let r: number;
  if (op === ADD || op === SUB) r = a + b;
  else if (op === MUL) r = a * b;
  else if (op === DIV) r = a / b;
  else r = b > 0 ? b : NaN;
  if (r !== r) invalid(x, wide, out);
  else writeValue(x, wide, out, r);
}

/** Deliver a rounded core: (s + err)·2^e2 with sign `negative`, delta the sign of err. */
function deliver(x: SimdScratch, wide: boolean, negative: boolean, s: number, delta: number, e2: number, out: number, fmt: FloatFormat): void {
  roundToFormat(negative, s, delta, e2, fmt);
  writeValue(x, wide, out, ROUNDED.value);
}

function add(x: SimdScratch, wide: boolean, a: number, b: number, out: number, fmt: FloatFormat): void {
  if (a === 0 || b === 0) {
    if (a === 0 && b === 0) {
      // Zeros of opposite signs sum to +0, or −0 when rounding down.
      writeValue(x, wide, out, Object.is(a, b) ? a : ENV.rc === RC_DOWN ? -0 : 0);
      return;
    }
    const v = a === 0 ? b : a;
    decompose(v);
    deliver(x, wide, v < 0, PARTS.mant, 0, PARTS.exp, out, fmt);
    return;
  }
  decompose(a);
  const ma = a < 0 ? -PARTS.mant : PARTS.mant;
  const ea = PARTS.exp;
  decompose(b);
  const mb = b < 0 ? -PARTS.mant : PARTS.mant;
  const eb = PARTS.exp;
  if (ea - eb > FAR || eb - ea > FAR) {
    // The smaller addend lies far below half a unit of the larger: only its sign matters.
    const big = ea > eb ? ma : mb;
    const delta = (ma < 0) === (mb < 0) ? 1 : -1;
    deliver(x, wide, big < 0, Math.abs(big), delta, ea > eb ? ea : eb, out, fmt);
    return;
  }
  // Scale both by 2^−max(ea, eb): exact, and TwoSum cannot overflow.
  const e = ea > eb ? ea : eb;
  const sa = ma * pow2(ea - e);
  const sb = mb * pow2(eb - e);
  const s = sa + sb;
  if (s === 0) {
    writeValue(x, wide, out, ENV.rc === RC_DOWN ? -0 : 0);
    return;
  }
  const err = sumError(sa, sb, s);
  const negative = s < 0;
  const delta = err === 0 ? 0 : (err > 0) !== negative ? 1 : -1;
  deliver(x, wide, negative, Math.abs(s), delta, e, out, fmt);
}

/** MUL or DIV of finite non-zero a, b: the significands' exact product or quotient, the exponents apart. */
function productOrQuotient(x: SimdScratch, wide: boolean, op: number, a: number, b: number, out: number, fmt: FloatFormat): void {
  decompose(a);
  const ma = PARTS.mant;
  const ea = PARTS.exp;
  decompose(b);
  const mb = PARTS.mant;
  const negative = (a < 0) !== (b < 0);
  if (op === MUL) {
    const s = ma * mb;
    const err = productError(ma, mb, s);
    deliver(x, wide, negative, s, err > 0 ? 1 : err < 0 ? -1 : 0, ea + PARTS.exp, out, fmt);
  } else {
    const s = ma / mb;
    deliver(x, wide, negative, s, remainderSign(ma, s, mb), ea - PARTS.exp, out, fmt);
  }
}

function squareRoot(x: SimdScratch, wide: boolean, b: number, out: number, fmt: FloatFormat): void {
  decompose(b);
  let m = PARTS.mant;
  let e = PARTS.exp;
  if ((e & 1) !== 0) {
    m *= 2;
    e -= 1;
  }
  const s = Math.sqrt(m);
  deliver(x, wide, false, s, remainderSign(m, s, s), e / 2, out, fmt);
}
