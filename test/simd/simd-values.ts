/**
 * Operand values for the SIMD differential tests, biased to where SIMD
 * arithmetic goes wrong: ±0, ±inf, quiet and signalling NaNs with payloads,
 * denormals, the smallest and largest normals, values at rounding and
 * integer-conversion edges (x.5, ±2^31, ±2^63), integer lane extremes and
 * saturation edges (int8/16/32 min/max, 0x80000000, 0x7fff/0x8000 in wider
 * lanes), shift counts around the lane widths, and random bits.
 *
 * A form row does not say its lane type, so an operand is filled with lanes
 * of one randomly chosen type (or a mix per 32-bit chunk): over a few hundred
 * cases every row meets every kind of value in its own lane type.
 */

const F32_SPECIALS = [
  0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x00000001, 0x807fffff,
  0x00800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000,
  0x40200000, 0xc0200000, 0x4f000000, 0xcf000000, 0x4effffff, 0xcf000001, 0x5f000000, 0xdf000000,
  0x3effffff, 0x3f7fffff, 0x33800000, 0x0c000000,
];

// [hi, lo] pairs.
const F64_SPECIALS = [
  [0, 0], [0x80000000, 0], [0x7ff00000, 0], [0xfff00000, 0], [0x7ff80000, 0], [0xfff80000, 0],
  [0, 1], [0x800fffff, 0xffffffff], [0x00100000, 0], [0x7fefffff, 0xffffffff], [0x3ff00000, 0],
  [0xbff00000, 0], [0x3fe00000, 0], [0x41dfffff, 0xffe00000], [0x41e00000, 0], [0xc1e00000, 0],
  [0xc1e00000, 0x00200000], [0x41dfffff, 0xfff00000], [0x43e00000, 0], [0xc3e00000, 0],
  [0x3ff00000, 0x10000000], [0x3ff00000, 0x20000000], [0x47efffff, 0xe0000000], [0x47efffff, 0xf0000000],
  [0x36a00000, 0], [0x38100000, 0], [0x380fffff, 0xffffffff], [0x36900000, 0],
];

const I32_SPECIALS = [
  0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x80000001, 0x7ffffffe, 0x00007fff, 0x00008000,
  0xffff8000, 0xffff7fff, 0x0000ffff, 0x00010000, 0x000000ff, 0x00000100, 0xffffff80, 0xffffff7f,
  0x0000007f, 0x00000080,
];

const I16_SPECIALS = [0, 1, 0xffff, 0x7fff, 0x8000, 0x7ffe, 0x8001, 0x00ff, 0x0100, 0xff80, 0xff7f, 0x007f, 0x0080, 0xfffe];

const I8_SPECIALS = [0, 1, 0xff, 0x7f, 0x80, 0xfe, 0x81, 0x7e];

/** The lane types an operand may be filled with. */
const enum Fill {
  F32,
  F64,
  I32,
  I16,
  I8,
  COUNT,
  MIXED,
  RANDOM,
}
const FILLS = 8;

export class SimdValues {
  private readonly w = new Uint32Array(4);
  private readonly bytes = new Uint8Array(this.w.buffer);

  constructor(private readonly next: () => number) {}

  /** An integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }

  chance(percent: number): boolean {
    return this.next() % 100 < percent;
  }

  private pick(list: readonly number[]): number {
    return list[this.next() % list.length]!;
  }

  private sign(): number {
    return this.next() & 0x80000000;
  }

  /** A float32 pattern: a special, a NaN with payload, a denormal, an exponent near an edge, a small integer or x.5, or random bits. */
  f32(): number {
    const r = this.next();
    switch (this.below(9)) {
      case 0:
      case 1:
        return this.pick(F32_SPECIALS);
      case 2: // QNaN or SNaN with payload
        return (this.sign() | 0x7f800000 | (r & 0x3fffff) | (this.chance(50) ? 0x400000 : 0) | (r & 0x3fffff ? 0 : 1)) >>> 0;
      case 3: // denormal
        return (this.sign() | (r & 0x7fffff) | 1) >>> 0;
      case 4: {
        const exps = [0, 1, 2, 3, 24, 25, 126, 127, 150, 157, 158, 190, 252, 253, 254];
        return (this.sign() | (this.pick(exps) << 23) | (r & 0x7fffff)) >>> 0;
      }
      case 5:
        return f32Bits(((r % 601) - 300) / (this.chance(50) ? 1 : 2));
      default:
        return r;
    }
  }

  /** A float64 pattern as [hi, lo] into w at i (hi at i + 1). */
  private f64(i: number): void {
    const r = this.next(), lo = this.next();
    let hi: number;
    let low = lo;
    switch (this.below(9)) {
      case 0:
      case 1: {
        const s = F64_SPECIALS[this.below(F64_SPECIALS.length)]!;
        hi = s[0]!;
        low = s[1]!;
        break;
      }
      case 2:
        hi = this.sign() | 0x7ff00000 | (r & 0x7ffff) | (this.chance(50) ? 0x80000 : 0);
        if ((hi & 0xfffff) === 0 && low === 0) low = 1;
        break;
      case 3:
        hi = this.sign() | (r & 0xfffff);
        low |= 1;
        break;
      case 4: {
        const exps = [0, 1, 2, 0x36a, 0x380, 0x381, 0x3fe, 0x3ff, 0x41d, 0x41e, 0x43e, 0x47e, 0x47f, 0x7fd, 0x7fe];
        hi = this.sign() | (this.pick(exps) << 20) | (r & 0xfffff);
        break;
      }
      case 5: {
        f64Scratch[0] = ((r % 601) - 300) / (this.chance(50) ? 1 : 2);
        hi = f64Words[1]!;
        low = f64Words[0]!;
        break;
      }
      default:
        hi = r;
    }
    this.w[i] = low;
    this.w[i + 1] = hi >>> 0;
  }

  /** A 32-bit integer: an int32/int16/int8 edge, a small number, or random bits. */
  i32(): number {
    switch (this.below(4)) {
      case 0:
      case 1:
        return this.pick(I32_SPECIALS);
      case 2:
        return (this.below(65) - 32) >>> 0;
      default:
        return this.next();
    }
  }

  private i16Pair(): number {
    const one = (): number => (this.chance(60) ? this.pick(I16_SPECIALS) : this.next() & 0xffff);
    return (one() | (one() << 16)) >>> 0;
  }

  private i8Quad(): number {
    let v = 0;
    for (let k = 0; k < 4; k++) v |= (this.chance(60) ? this.pick(I8_SPECIALS) : this.next() & 0xff) << (8 * k);
    return v >>> 0;
  }

  /** A shift count as a 64-bit value: around 8/16/32/64, sometimes with high bits set. */
  private count(i: number): void {
    const small = this.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256]);
    this.w[i] = this.chance(80) ? small : this.next();
    this.w[i + 1] = this.chance(85) ? 0 : this.chance(50) ? 1 : this.next();
  }

  /** Fills `dst[at..at+16)` with lanes of one random type (16 bytes; a 64-bit operand uses the first 8). */
  fill(dst: Uint8Array, at: number): void {
    const kind = this.below(FILLS) as Fill;
    for (let i = 0; i < 4; i++) {
      const chunk = kind === Fill.MIXED ? (this.below(5) as Fill) : kind;
      switch (chunk) {
        case Fill.F32:
          this.w[i] = this.f32();
          break;
        case Fill.F64:
          if (i & 1) break;
          this.f64(i);
          break;
        case Fill.I32:
          this.w[i] = this.i32();
          break;
        case Fill.I16:
          this.w[i] = this.i16Pair();
          break;
        case Fill.I8:
          this.w[i] = this.i8Quad();
          break;
        case Fill.COUNT:
          if (i & 1) break;
          this.count(i);
          break;
        default:
          this.w[i] = this.next();
      }
      if (kind === Fill.MIXED && (chunk === Fill.F64 || chunk === Fill.COUNT) && i & 1) this.w[i] = this.f32();
    }
    dst.set(this.bytes, at);
  }

  /**
   * Makes some lanes of the second operand equal to the first's or close to
   * them (compares, min/max; cancellation, ties and tiny results in add/sub):
   * a close lane differs in its low bits, its exponent by a little, or its sign.
   */
  shareLanes(a: Uint8Array, aAt: number, b: Uint8Array, bAt: number): void {
    const width = this.pick([4, 8, 2, 1]);
    const n = Math.min(16, a.length - aAt, b.length - bAt);
    for (let k = 0; k + width <= n; k += width) {
      if (this.chance(40)) continue;
      for (let j = 0; j < width; j++) b[bAt + k + j] = a[aAt + k + j]!;
      if (width < 4 || this.chance(50)) continue;
      // The lane's top 32 bits: float32, or the sign/exponent/high fraction of a float64.
      const top = bAt + k + width - 4;
      let w = (b[top]! | (b[top + 1]! << 8) | (b[top + 2]! << 16) | (b[top + 3]! << 24)) >>> 0;
      switch (this.below(3)) {
        case 0: // the lowest bits of the lane
          if (width === 4) w ^= 1 + this.below(7);
          else b[bAt + k] ^= 1 + this.below(7);
          break;
        case 1: // exponent ± a little
          w = (w + (((this.below(51) - 25) << (width === 4 ? 23 : 20)) | 0)) >>> 0;
          break;
        default:
          w ^= 0x80000000;
      }
      b[top] = w & 0xff;
      b[top + 1] = (w >>> 8) & 0xff;
      b[top + 2] = (w >>> 16) & 0xff;
      b[top + 3] = w >>> 24;
    }
  }

  /** An immediate byte: a small count or predicate, one near a lane width, or random. */
  imm(): number {
    switch (this.below(4)) {
      case 0:
        return this.below(18);
      case 1:
        return this.pick([7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x80, 0xff]);
      default:
        return this.next() & 0xff;
    }
  }

  /** An MXCSR: any rounding, FZ and DAZ often, usually all exceptions masked, sometimes some unmasked, sometimes flags already set. */
  mxcsr(): number {
    let v = (this.below(4) << 13) | 0x1f80;
    if (this.chance(30)) v |= 0x8000;
    if (this.chance(30)) v |= 0x0040;
    if (this.chance(25)) v &= ~((this.next() & 0x3f) << 7);
    if (this.chance(20)) v |= this.next() & 0x3f;
    return v;
  }
}

const f64Scratch = new Float64Array(1);
const f64Words = new Uint32Array(f64Scratch.buffer);
const f32Scratch = new Float32Array(1);
const f32Word = new Uint32Array(f32Scratch.buffer);

function f32Bits(v: number): number {
  f32Scratch[0] = v;
  return f32Word[0]!;
}
