/**
 * Runtime helpers generated code calls: pure functions over int32s that are
 * too long to inline (64-by-32 division, the high half of a 64-bit product).
 *
 * None allocates and none uses BigInt: they split operands into 16-bit
 * digits so every intermediate value stays below 2^53 and is exact in a
 * double. Two-result helpers return the first result and leave the second
 * in `HELPER_OUT.second` (one shared, monomorphic object), which generated
 * code reads right after the call.
 */

export const HELPER_OUT = { second: 0 };

/**
 * Unsigned (hi:lo) / d, d != 0. Returns the low 32 bits of the quotient
 * (int32) and leaves the remainder in HELPER_OUT.second. When the quotient
 * does not fit 32 bits (hi >= d, which the lifter turns into #DE) the result
 * is still defined: the low half of the true quotient.
 */
export function div64u(hi: number, lo: number, d: number): number {
  const dv = d >>> 0;
  if (dv === 0) {
    HELPER_OUT.second = 0;
    return 0;
  }
  let r = hi >>> 0;
  if (r >= dv) r = r % dv; // the quotient's high half is discarded
  const lou = lo >>> 0;
  // Two steps of 16-bit long division: r < dv < 2^32, so r*65536+digit < 2^48.
  const n1 = r * 65536 + (lou >>> 16);
  const q1 = Math.floor(n1 / dv);
  r = n1 - q1 * dv;
  const n0 = r * 65536 + (lou & 0xffff);
  const q0 = Math.floor(n0 / dv);
  r = n0 - q0 * dv;
  HELPER_OUT.second = r | 0;
  return (q1 * 65536 + q0) | 0;
}

/** 1 when the unsigned quotient of (hi:lo) / d does not fit 32 bits (or d is 0). */
export function div64uOverflow(hi: number, _lo: number, d: number): number {
  return (hi >>> 0) >= (d >>> 0) ? 1 : 0;
}

// Magnitude of div64s's last quotient: high part (non-zero means it needs
// more than 32 bits) and low 32 bits, for div64sOverflow.
let lastMagnitudeHigh = 0;
let lastMagnitudeLow = 0;

/**
 * Signed (hi:lo) / d toward zero, d != 0: quotient (int32, low 32 bits) and
 * remainder (HELPER_OUT.second, sign of the dividend).
 */
export function div64s(hi: number, lo: number, d: number): number {
  const negN = (hi | 0) < 0;
  const negD = (d | 0) < 0;
  let h = hi >>> 0, l = lo >>> 0;
  if (negN) {
    // 64-bit two's complement negation in halves.
    l = (~l + 1) >>> 0;
    h = (~h + (l === 0 ? 1 : 0)) >>> 0;
  }
  const dm = negD ? (-(d | 0)) >>> 0 : d >>> 0;
  if (dm === 0) {
    HELPER_OUT.second = 0;
    lastMagnitudeHigh = 0;
    return 0;
  }
  lastMagnitudeHigh = Math.floor(h / dm); // non-zero: quotient needs more than 32 bits
  const q = div64u(h, l, dm) >>> 0;
  lastMagnitudeLow = q;
  const r = HELPER_OUT.second >>> 0;
  HELPER_OUT.second = negN ? -r | 0 : r | 0;
  return negN !== negD ? -q | 0 : q | 0;
}

/** 1 when the signed quotient of (hi:lo) / d does not fit int32 (or d is 0). */
export function div64sOverflow(hi: number, lo: number, d: number): number {
  if ((d | 0) === 0) return 1;
  div64s(hi, lo, d);
  if (lastMagnitudeHigh !== 0) return 1;
  const negative = ((hi | 0) < 0) !== ((d | 0) < 0);
  // -2^31 is representable, +2^31 is not.
  return lastMagnitudeLow > (negative ? 0x8000_0000 : 0x7fff_ffff) ? 1 : 0;
}

/** High 32 bits of the unsigned 64-bit product a*b (int32). */
export function umulhi(a: number, b: number): number {
  const au = a >>> 0, bu = b >>> 0;
  const al = au & 0xffff, ah = au >>> 16, bl = bu & 0xffff, bh = bu >>> 16;
  const ll = al * bl;
  const mid = ah * bl + (ll >>> 16) + (al * bh); // < 2^33: exact
  return (ah * bh + Math.floor(mid / 65536)) | 0;
}

/** High 32 bits of the signed 64-bit product a*b (int32). */
export function smulhi(a: number, b: number): number {
  let hi = umulhi(a, b);
  // Signed correction: (a - 2^32·[a<0])(b - 2^32·[b<0]) differs from the
  // unsigned product by 2^32·(b·[a<0] + a·[b<0]) modulo 2^64.
  if ((a | 0) < 0) hi = (hi - b) | 0;
  if ((b | 0) < 0) hi = (hi - a) | 0;
  return hi;
}

export function bswap(a: number): number {
  return ((a << 24) | ((a & 0xff00) << 8) | ((a >>> 8) & 0xff00) | (a >>> 24)) | 0;
}
