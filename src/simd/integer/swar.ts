/**
 * Byte lanes four at a time inside one 32-bit word ("SIMD within a
 * register"), for the byte forms real programs run hottest (glibc's string
 * functions: pcmpeqb, pmovmskb, pminub, psubb, paddusb…). On V8 a byte loop
 * over a Uint8Array costs about 1 ns per byte; these cost that per word
 * (bench/simd-integer.bench.ts measures the forms).
 *
 * Each helper takes and returns int32 words and never lets a carry or borrow
 * cross from one byte into the next: the low 7 bits of each byte are
 * combined with the top bits kept apart, and the top bits fixed up after.
 */

const H = 0x80808080;
const L = 0x7f7f7f7f;

/** Bytewise a + b mod 256. */
export const addBytes = (a: number, b: number): number => ((a & L) + (b & L)) ^ ((a ^ b) & H);

/** Bytewise a − b mod 256: each byte's (a | 0x80) − (b & 0x7f) is ≥ 1, so no borrow leaves it. */
export const subBytes = (a: number, b: number): number => ((a | H) - (b & L)) ^ ((a ^ ~b) & H);

/** 0xff in each byte where a's unsigned byte ≥ b's, else 0x00. Bit 7 of the subtraction says a's low 7 bits ≥ b's; the top bits decide where they differ. */
export function bytesAtLeast(a: number, b: number): number {
  const low = (a | H) - (b & L);
  const ge = ((a & ~b) | (~(a ^ b) & low)) & H;
  return Math.imul(ge >>> 7, 0xff);
}

/** 0xff in each byte of d that is zero, else 0x00: the low 7 bits plus 0x7f carry into bit 7 unless all zero, and d's own bit 7 covers the rest. */
export function zeroBytes(d: number): number {
  const t = ((d & L) + L) | d;
  return Math.imul((~t & H) >>> 7, 0xff);
}

/** The four byte signs of a word as a 4-bit number: bits 7, 15, 23, 31 times 2^21 + 2^14 + 2^7 + 1 land on bits 28..31 in order, and no other partial product reaches those bits or carries into them. */
export const byteSigns = (w: number): number => Math.imul(w & H, 0x00204081) >>> 28;

/** Bytewise rounded-up unsigned average (a + b + 1) >> 1: a | b exceeds the average by half of a ^ b, and that half (masked to stay in its byte) never borrows. */
export const averageBytes = (a: number, b: number): number => (a | b) - ((a ^ b) >>> 1 & L);

/** 0xff in each byte where a's signed byte > b's: with the sign bits flipped the order is the unsigned one. */
export const bytesGreaterSigned = (a: number, b: number): number => ~bytesAtLeast(b ^ H, a ^ H);

/**
 * Signed saturation of a bytewise sum or difference `r` of a and b: where
 * `overflow` has bit 7 set the byte becomes 0x7f or 0x80 by a's sign (the
 * direction it overflowed), else stays r's.
 */
function saturateSigned(a: number, r: number, overflow: number): number {
  const m = Math.imul((overflow & H) >>> 7, 0xff);
  const limit = 0x7f7f7f7f + ((a & H) >>> 7);
  return (r & ~m) | (limit & m);
}

/** Bytewise signed a + b saturated: overflow when a and b have one sign and the sum the other. */
export function addBytesSigned(a: number, b: number): number {
  const s = addBytes(a, b);
  return saturateSigned(a, s, ~(a ^ b) & (a ^ s));
}

/** Bytewise signed a − b saturated: overflow when a and b differ in sign and the difference has b's. */
export function subBytesSigned(a: number, b: number): number {
  const d = subBytes(a, b);
  return saturateSigned(a, d, (a ^ b) & (a ^ d));
}
