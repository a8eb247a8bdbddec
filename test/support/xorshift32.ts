/*
 * xorshift32 (Marsaglia, shifts 13, 17, 5): the one pseudo-random generator
 * of the tests. It is also what the native harness fills its data region
 * with and what the fixture kernels use (fixtures/system/lib/random.h), so
 * tests that predict a guest's numbers use it too. Deterministic, so a
 * failing case reproduces from its seed.
 */

/** The generator from `state` (a nonzero 32-bit value; the caller picks how a seed maps to it): each call returns the next word, unsigned. */
export function xorshift32(state: number): () => number {
  let x = state | 0;
  if (x === 0) throw new Error('xorshift32 needs a nonzero state (zero repeats forever)');
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
