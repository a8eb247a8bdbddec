/**
 * Operands for the floating-point SIMD differential tests
 * (float-differential.test.ts): lane values chosen where the floating-point
 * forms are most likely to go wrong — NaN payloads, zeros, infinities,
 * denormals, the ends of the normal range, ties and near-ties of rounding,
 * results on the edge of underflow and overflow, values next to integers and
 * to the int32 limits — and pairs of lanes (A's and B's) made to interact:
 * cancelling sums, products and quotients near the range limits.
 *
 * A lane kind is 'f32', 'f64' or 'i32'; an operand is four words, filled
 * lane by lane with A's and B's lane i drawn as a pair.
 */
export type LaneKind = 'f32' | 'f64' | 'i32';

const f32 = new Float32Array(1);
const u32of32 = new Uint32Array(f32.buffer);
const f64 = new Float64Array(1);
const u32of64 = new Uint32Array(f64.buffer);

export class FloatValues {
  constructor(private readonly next: () => number) {}

  /** Integer in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }

  chance(percent: number): boolean {
    return this.below(100) < percent;
  }

  /** A random double in [1, 2) with `bits` random significand bits. */
  private significand(bits: number): number {
    const hi = this.next() & 0xfffff;
    const lo = this.next();
    const v = 1 + hi / 2 ** 20 + lo / 2 ** 52;
    return bits >= 52 ? v : Math.floor(v * 2 ** bits) / 2 ** bits;
  }

  private sign(): number {
    return this.chance(50) ? -1 : 1;
  }

  /** A binary32 (as its bits) of a chosen class. */
  special32(): number {
    const s = this.next() & 0x80000000;
    switch (this.below(9)) {
      case 0: return s;
      case 1: return (s | 0x7f800000) >>> 0;
      case 2: return (s | 0x7fc00000 | (this.next() & 0x3fffff)) >>> 0; // QNaN with a payload
      case 3: return (s | 0x7f800000 | ((this.next() & 0x3fffff) || 1)) >>> 0; // SNaN
      case 4: return (s | ((this.next() & 0x7fffff) || 1)) >>> 0; // denormal
      case 5: return (s | [0x00800000, 0x7f7fffff, 0x00000001, 0x007fffff, 0x3f800000][this.below(5)]!) >>> 0;
      default: return this.next();
    }
  }

  /** A binary64 special into words (lo, hi) of u at w. */
  special64(u: Uint32Array, w: number): void {
    const s = this.next() & 0x80000000;
    let hi: number;
    let lo = this.next();
    switch (this.below(9)) {
      case 0: hi = s; lo = 0; break;
      case 1: hi = s | 0x7ff00000; lo = 0; break;
      case 2: hi = s | 0x7ff80000 | (this.next() & 0x7ffff); break;
      case 3: hi = s | 0x7ff00000 | (this.next() & 0x7ffff); lo ||= 1; break;
      case 4: hi = s | (this.next() & 0xfffff); lo ||= 1; break;
      case 5: hi = s | [0x00100000, 0x7fefffff, 0, 0x000fffff][this.below(4)]!; lo = hi & 0x7ff00000 ? (this.chance(50) ? 0 : 0xffffffff) : 1; break;
      default: hi = this.next();
    }
    u[w] = lo >>> 0;
    u[w + 1] = hi >>> 0;
  }

  /**
   * A pair of finite values (a, b) with magnitudes made to interact for a
   * format of `precision` bits and exponents emin..emax.
   */
  pair(precision: number, emin: number, emax: number, out: Float64Array): void {
    const bits = precision - 1;
    const e = (lo: number, hi: number): number => lo + this.below(hi - lo + 1);
    let a = this.sign() * this.significand(bits) * 2 ** e(-20, 20);
    let b: number;
    switch (this.below(13)) {
      case 9:
      case 10:
      case 11: { // results at the underflow threshold 2^emin, where tininess before and after rounding differ
        const tiny = 2 ** emin;
        const near = 1 + (this.below(7) - 3) * 2 ** -bits - (this.chance(50) ? 2 ** -(bits + 1 + this.below(3)) : 0);
        a = this.sign() * this.significand(bits) * 2 ** e(-10, 10);
        const which = this.below(3);
        if (which === 0) b = (tiny / Math.abs(a)) * near; // a·b near 2^emin
        else if (which === 1) b = Math.abs(a) / tiny / near; // a/b near 2^emin
        else {
          a = tiny * near * this.sign();
          b = -Math.sign(a) * 2 ** (emin - bits - 1 - this.below(4)) * this.significand(bits);
        }
        break;
      }
      case 8: // around 2^-960 and 2^990 (binary64): where fast-path.ts hands over to the exact path
        a = this.sign() * this.significand(bits) * 2 ** (this.chance(50) ? e(-975, -945) : e(975, 1005));
        b = this.sign() * this.significand(bits) * 2 ** e(-20, 20);
        if (this.chance(30)) b = a * (1 + this.below(4) * 2 ** -bits);
        break;
      case 0: // cancellation and near-cancellation
        b = -a * (1 + this.sign() * this.below(8) * 2 ** -bits);
        break;
      case 1: // addends whose sum lands on or next to a rounding tie
        b = this.sign() * Math.abs(a) * 2 ** -e(bits - 2, bits + 3) * (1 + this.below(4) * 2 ** -bits);
        break;
      case 2: // products and quotients near the bottom of the normal range
        a = this.sign() * this.significand(bits) * 2 ** e(emin - 4, emin + 40);
        b = this.sign() * this.significand(this.below(3) === 0 ? 3 : bits) * 2 ** -e(0, 40) * (this.chance(50) ? 1 : 2 ** -precision);
        if (this.chance(50)) b = 1 / b;
        break;
      case 3: // near overflow
        a = this.sign() * this.significand(bits) * 2 ** e(emax - 40, emax);
        b = this.sign() * this.significand(bits) * 2 ** e(0, 41);
        if (this.chance(50)) b = 1 / b;
        break;
      case 4: // short significands: exact results, exact ties
        a = this.sign() * this.significand(this.below(12)) * 2 ** e(-8, 8);
        b = this.sign() * this.significand(this.below(12)) * 2 ** e(-8, 8);
        break;
      case 5: // near an integer, near ±2^31 (both operands: B is the conversions' source)
        a = this.nearInteger();
        b = this.nearInteger();
        break;
      case 6: // squares: exact square roots and their neighbours
        b = this.significand(bits >> 1) * 2 ** e(-30, 30);
        a = b * b * (1 + this.sign() * this.below(3) * 2 ** -bits);
        break;
      default:
        b = this.sign() * this.significand(bits) * 2 ** e(emin, emax);
        a = this.sign() * this.significand(bits) * 2 ** e(emin, emax);
    }
    out[0] = a;
    out[1] = b;
  }

  /** Near an integer or ±2^31: halves, quarters and a little off them. */
  private nearInteger(): number {
    const base = this.chance(50) ? 2 ** 31 : this.below(100);
    const off = this.chance(30) ? this.sign() * 2 ** -(10 + this.below(50)) : 0;
    return this.sign() * (base + this.sign() * this.below(5) * 0.25 + off);
  }

  /** An int32 operand word. */
  int32(): number {
    switch (this.below(6)) {
      case 0: return [0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 0x01000001, 0xfeffffff][this.below(7)]!;
      case 1: return (this.next() & 0x1ffffff) * (this.chance(50) ? 1 : -1) >>> 0;
      case 2: return (this.below(1000) - 500) >>> 0;
      default: return this.next();
    }
  }

  private readonly two = new Float64Array(2);

  /** Fill operands A (words a..a+3) and B (b..b+3) of u with lanes of the given kinds. */
  fill(u: Uint32Array, aKind: LaneKind, bKind: LaneKind, aw: number, bw: number): void {
    const kinds: LaneKind[] = [aKind, bKind];
    const bases = [aw, bw];
    const wide = aKind === 'f64' || bKind === 'f64';
    for (let lane = 0; lane < (wide ? 2 : 4); lane++) {
      const fmt = aKind === 'f64' || (aKind === 'i32' && bKind === 'f64') ? 64 : 32;
      if (fmt === 64) this.pair(53, -1022, 1023, this.two);
      else this.pair(24, -126, 127, this.two);
      for (let k = 0; k < 2; k++) {
        const kind = kinds[k]!;
        if (kind === 'i32') {
          const words = wide ? 2 : 1;
          for (let j = 0; j < words; j++) u[bases[k]! + lane * words + j] = this.int32();
        } else if (kind === 'f64') {
          const w = bases[k]! + lane * 2;
          if (this.chance(15)) this.special64(u, w);
          else {
            f64[0] = this.two[k]!;
            u[w] = u32of64[0]!;
            u[w + 1] = u32of64[1]!;
          }
        } else {
          const n = wide ? 2 : 1; // f32 lanes beside f64 ones: two per f64 lane
          for (let j = 0; j < n; j++) {
            f32[0] = this.two[k]! * (j === 0 ? 1 : 1.5);
            u[bases[k]! + lane * n + j] = this.chance(15) ? this.special32() : u32of32[0]!;
          }
        }
      }
    }
  }

  /** An MXCSR: any rounding, FZ and DAZ; usually all exceptions masked; sometimes flags already set. */
  mxcsr(): number {
    let m = (this.next() & 0x6000) | (this.chance(30) ? 0x8000 : 0) | (this.chance(30) ? 0x40 : 0);
    m |= this.chance(75) ? 0x1f80 : this.next() & 0x1f80;
    if (this.chance(20)) m |= this.next() & 0x3f;
    return m;
  }
}
