/**
 * The generator's deterministic random source (xorshift128): a seed names a
 * whole batch of cases, so a failure printed with its seed replays exactly.
 * Also the value distributions the generator wants: uniform 32-bit words
 * mixed with the edge values where x86 arithmetic changes behaviour.
 */

/** Values at which carries, overflows, sign changes and BCD adjustments happen. */
const EDGES: readonly number[] = [
  0, 1, 2, 7, 9, 0x0f, 0x10, 0x1f, 0x20, 0x3f, 0x7f, 0x80, 0x81, 0x99, 0xff, 0x100,
  0x7fff, 0x8000, 0x8001, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
];

export class Rng {
  private a: number; private b: number; private c: number; private d: number;

  constructor(seed: number) {
    this.a = (seed ^ 0x9e3779b9) | 1; this.b = 0x243f6a88; this.c = 0x85a308d3; this.d = seed * 31 + 7;
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    let t = this.d;
    const s = this.a;
    this.d = this.c; this.c = this.b; this.b = s;
    t ^= t << 11; t ^= t >>> 8;
    this.a = (t ^ s ^ (s >>> 19)) | 0;
    return this.a >>> 0;
  }

  /** Uniform in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Uniform in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** A register or memory value: an edge value (perhaps negated or nudged) a third of the time. */
  value(): number {
    if (this.int(3) !== 0) return this.u32();
    let v = this.pick(EDGES);
    const k = this.int(4);
    if (k === 1) v = -v;
    else if (k === 2) v = v << (8 * this.int(4));
    return v >>> 0;
  }

  /** An immediate of `size` bytes (unsigned, truncated). */
  imm(size: number): number {
    const v = this.value();
    return size === 1 ? v & 0xff : size === 2 ? v & 0xffff : v >>> 0;
  }
}
