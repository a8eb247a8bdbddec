/**
 * The run functions of the conversion forms (CVT*): which lanes of B each
 * converts, where the results go in A, and which of A's lanes are kept or
 * zeroed (SDM Vol. 2, one entry per instruction). The lane conversions are
 * in convert.ts.
 */
import { B32, type SimdRun, type SimdScratch } from '../simd-scratch.js';
import { float32To64, float64To32, floatToInt32, int32ToFloat32 } from './convert.js';
import { begin, finish } from './mxcsr-env.js';

/** Results held while all lanes convert (a source lane may be read after a destination lane is written). */
const held = new Uint32Array(4);

/** CVT(T)PS2DQ (4 lanes), CVT(T)PS2PI (2 lanes, to an MMX register). */
export function float32ToInt32s(lanes: number, truncate: boolean): SimdRun {
  return (x) => {
    begin(x);
    for (let i = 0; i < lanes; i++) x.u32[i] = floatToInt32(x, false, B32 + i, truncate);
    finish(x);
  };
}

/** CVT(T)PD2DQ (upper half of A zeroed) and CVT(T)PD2PI (MMX destination). */
export function float64ToInt32s(zeroUpper: boolean, truncate: boolean): SimdRun {
  return (x) => {
    begin(x);
    held[0] = floatToInt32(x, true, B32, truncate);
    held[1] = floatToInt32(x, true, B32 + 2, truncate);
    x.u32[0] = held[0];
    x.u32[1] = held[1];
    if (zeroUpper) {
      x.u32[2] = 0;
      x.u32[3] = 0;
    }
    finish(x);
  };
}

/** CVT(T)SS2SI, CVT(T)SD2SI: lane 0 of B to the GPR in A's lane 0. */
export function scalarToInt32(wide: boolean, truncate: boolean): SimdRun {
  return (x) => {
    begin(x);
    x.u32[0] = floatToInt32(x, wide, B32, truncate);
    finish(x);
  };
}

/** CVTDQ2PS (4 lanes), CVTPI2PS (2 lanes from MMX; A's lanes 2, 3 kept), CVTSI2SS (1 lane from a GPR). */
export function int32sToFloat32(lanes: number): SimdRun {
  return (x) => {
    begin(x);
    for (let i = 0; i < lanes; i++) int32ToFloat32(x, x.i32[B32 + i], i);
    finish(x);
  };
}

/** CVTDQ2PD, CVTPI2PD (2 lanes), CVTSI2SD (1 lane; A's upper half kept): exact. */
export function int32sToFloat64(lanes: number): SimdRun {
  return (x: SimdScratch) => {
    const a = x.i32[B32];
    const b = x.i32[B32 + 1];
    x.f64[0] = a;
    if (lanes === 2) x.f64[1] = b;
    x.flags = 0;
  };
}

/** CVTPS2PD (2 lanes), CVTSS2SD (lane 0; A's upper half kept). */
export function float32sTo64(lanes: number): SimdRun {
  return (x) => {
    begin(x);
    for (let i = 0; i < lanes; i++) float32To64(x, B32 + i, 2 * i);
    finish(x);
  };
}

/** CVTPD2PS (2 lanes, A's upper half zeroed), CVTSD2SS (lane 0; A's lanes 1..3 kept). */
export function float64sTo32(lanes: number): SimdRun {
  return (x) => {
    begin(x);
    for (let i = 0; i < lanes; i++) float64To32(x, B32 + 2 * i, i);
    if (lanes === 2) {
      x.u32[2] = 0;
      x.u32[3] = 0;
    }
    finish(x);
  };
}
