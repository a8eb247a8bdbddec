/**
 * Memory operands of x87 instructions: reading m16/m32/m64 integers and
 * m32/m64/m80 reals into the unit's scratch slot as 80-bit values, and
 * writing results back.
 *
 * Reals are widened exactly and *without* quieting a signaling NaN: the
 * arithmetic and compare forms must see an SNaN from memory as an SNaN
 * (the host's fadd m32 picks a QNaN in ST(0) over an m32 SNaN whatever the
 * significands, which it would not do if the load quietened the SNaN
 * first). A denormal m32/m64 is normalised and reported as DE, which the
 * caller raises.
 *
 * fld m32/m64 itself quietens through the softfloat load (load-store.ts).
 *
 * Every reader performs all its reads before returning, so the caller can
 * change state afterwards knowing no fault can follow.
 */
import { DE, EXP_MAX } from '../float80.js';
import { fromInt32, fromInt64 } from './core.js';
import type { FpuMemory } from './ports.js';

/**
 * Writes the non-zero significand h:l normalised (bit 63 set) with `sign`
 * and the biased exponent `exp63` less the shift: exp63 is the exponent
 * h:l would have if its top bit were already bit 63.
 */
function packNormalized(sign: number, exp63: number, h: number, l: number, out: Uint32Array, o: number): void {
  let k: number;
  if (h !== 0) {
    k = Math.clz32(h);
    if (k !== 0) {
      h = (h << k) | (l >>> (32 - k));
      l <<= k;
    }
  } else {
    const z = Math.clz32(l);
    h = l << z;
    l = 0;
    k = 32 + z;
  }
  out[o] = sign | (exp63 - k);
  out[o + 1] = h >>> 0;
  out[o + 2] = l >>> 0;
}

function writeZero(sign: number, out: Uint32Array, o: number): void {
  out[o] = sign;
  out[o + 1] = 0;
  out[o + 2] = 0;
}

/** Widens the float32 `bits` into out[o..o+2]; returns DE for a denormal, else 0. */
export function widenFloat32(bits: number, out: Uint32Array, o: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const e = (bits >>> 23) & 0xff;
  const f = bits & 0x7fffff;
  if (e !== 0) {
    out[o] = sign | (e === 0xff ? EXP_MAX : e - 127 + 16383);
    out[o + 1] = (0x80000000 | (f << 8)) >>> 0;
    out[o + 2] = 0;
    return 0;
  }
  if (f === 0) {
    writeZero(sign, out, o);
    return 0;
  }
  // 0.f × 2^-126 with f at bits 62..40: bit 63 would carry exponent -126.
  packNormalized(sign, 16383 - 126, f << 8, 0, out, o);
  return DE;
}

/** Widens the float64 whose high and low words are `hiBits`, `loBits`; returns DE for a denormal. */
export function widenFloat64(hiBits: number, loBits: number, out: Uint32Array, o: number): number {
  const sign = (hiBits >>> 16) & 0x8000;
  const e = (hiBits >>> 20) & 0x7ff;
  const sh = ((hiBits & 0xfffff) << 11) | (loBits >>> 21);
  const sl = loBits << 11;
  if (e !== 0) {
    out[o] = sign | (e === 0x7ff ? EXP_MAX : e - 1023 + 16383);
    out[o + 1] = (0x80000000 | sh) >>> 0;
    out[o + 2] = sl >>> 0;
    return 0;
  }
  if ((sh | sl) === 0) {
    writeZero(sign, out, o);
    return 0;
  }
  packNormalized(sign, 16383 - 1022, sh, sl, out, o);
  return DE;
}

/** m32real into out[o..]: returns DE for a denormal. */
export function readReal32(mem: FpuMemory, la: number, out: Uint32Array, o: number): number {
  return widenFloat32(mem.read32(la), out, o);
}

export function readReal64(mem: FpuMemory, la: number, out: Uint32Array, o: number): number {
  const lo = mem.read32(la);
  return widenFloat64(mem.read32((la + 4) | 0), lo, out, o);
}

export function readReal80(mem: FpuMemory, la: number, out: Uint32Array, o: number): void {
  const lo = mem.read32(la);
  const hi = mem.read32((la + 4) | 0);
  out[o] = mem.read16((la + 8) | 0);
  out[o + 1] = hi;
  out[o + 2] = lo;
}

/** m16int, m32int, m64int: exact (the softfloat conversion). */
export function readInt16(mem: FpuMemory, la: number, out: Uint32Array, o: number): void {
  fromInt32((mem.read16(la) << 16) >> 16, out, o);
}

export function readInt32(mem: FpuMemory, la: number, out: Uint32Array, o: number): void {
  fromInt32(mem.read32(la) | 0, out, o);
}

export function readInt64(mem: FpuMemory, la: number, out: Uint32Array, o: number): void {
  const lo = mem.read32(la);
  fromInt64(mem.read32((la + 4) | 0), lo, out, o);
}

/** Ten bytes: a 64-bit significand (or BCD digits) and a 16-bit top. checkWrite(la, 10) must precede. */
export function write80(mem: FpuMemory, la: number, top16: number, hi: number, lo: number): void {
  mem.write32(la, lo >>> 0);
  mem.write32((la + 4) | 0, hi >>> 0);
  mem.write16((la + 8) | 0, top16 & 0xffff);
}

/** Eight bytes, low word first. checkWrite(la, 8) must precede. */
export function write64(mem: FpuMemory, la: number, hi: number, lo: number): void {
  mem.write32(la, lo >>> 0);
  mem.write32((la + 4) | 0, hi >>> 0);
}
