/**
 * Lane loops shared by the floating-point forms: a lane function applied to
 * every lane of a packed operand or to lane 0 of a scalar one, between the
 * MXCSR bookkeeping of mxcsr-env.ts. The runners are made once, when the
 * forms table is built; nothing here allocates per instruction.
 */
import { B32, type SimdRun, type SimdScratch } from '../simd-scratch.js';
import { begin, finish } from './mxcsr-env.js';

/** A lane computation: sources at word indices wa, wb, result at word index out. */
export type LaneFn = (x: SimdScratch, wide: boolean, op: number, wa: number, wb: number, out: number) => void;

/** ps / pd: every lane of A op the same lane of B, into A. */
export function packed(fn: LaneFn, wide: boolean, op: number): SimdRun {
  const step = wide ? 2 : 1;
  return (x) => {
    begin(x);
    for (let w = 0; w < 4; w += step) fn(x, wide, op, w, B32 + w, w);
    finish(x);
  };
}

/** ss / sd: lane 0 only; A's other lanes are kept. */
export function scalar(fn: LaneFn, wide: boolean, op: number): SimdRun {
  return (x) => {
    begin(x);
    fn(x, wide, op, 0, B32, 0);
    finish(x);
  };
}

/** ps / pd with the lane operation chosen by imm8[2:0] (CMPccPS/PD). */
export function packedByImm(fn: LaneFn, wide: boolean): SimdRun {
  const step = wide ? 2 : 1;
  return (x, _bytes, imm) => {
    begin(x);
    const op = imm & 7;
    for (let w = 0; w < 4; w += step) fn(x, wide, op, w, B32 + w, w);
    finish(x);
  };
}

/** ss / sd with the lane operation chosen by imm8[2:0] (CMPccSS/SD). */
export function scalarByImm(fn: LaneFn, wide: boolean): SimdRun {
  return (x, _bytes, imm) => {
    begin(x);
    fn(x, wide, imm & 7, 0, B32, 0);
    finish(x);
  };
}
