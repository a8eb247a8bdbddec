/**
 * The SSE3 forms that pair lanes differently from the vertical ones:
 * ADDSUBPS/PD (subtract in even lanes, add in odd ones) and HADDPS/PD,
 * HSUBPS/PD (adjacent lanes of A, then of B, combined). Each lane is one
 * arithmetic.ts operation, so rounding and flags are those of ADD/SUB.
 *
 * The lanes are computed in order into A in place: every lane of A a result
 * overwrites has already been read.
 */
import { B32, type SimdRun, type SimdScratch } from '../simd-scratch.js';
import { ADD, arithmeticLane, SUB } from './arithmetic.js';
import { begin, finish } from './mxcsr-env.js';

/** ADDSUBPS / ADDSUBPD. */
export function addSub(wide: boolean): SimdRun {
  const step = wide ? 2 : 1;
  return (x: SimdScratch) => {
    begin(x);
    for (let w = 0, lane = 0; w < 4; w += step, lane++) arithmeticLane(x, wide, (lane & 1) === 0 ? SUB : ADD, w, B32 + w, w);
    finish(x);
  };
}

/** HADDPS/HSUBPS (`wide` false) and HADDPD/HSUBPD: op is ADD or SUB. */
export function horizontal(wide: boolean, op: number): SimdRun {
  return (x: SimdScratch) => {
    begin(x);
    if (wide) {
      arithmeticLane(x, true, op, 0, 2, 0);
      arithmeticLane(x, true, op, B32, B32 + 2, 2);
    } else {
      arithmeticLane(x, false, op, 0, 1, 0);
      arithmeticLane(x, false, op, 2, 3, 1);
      arithmeticLane(x, false, op, B32, B32 + 1, 2);
      arithmeticLane(x, false, op, B32 + 2, B32 + 3, 3);
    }
    finish(x);
  };
}
