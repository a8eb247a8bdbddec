/**
 * The arithmetic the x87 unit calls, gathered in one place: the softfloat
 * core (src/fpu/softfloat/) and the transcendental functions
 * (src/fpu/transcendental/), under the names the unit's forms use. Every
 * routine follows float80.ts's convention (operands as numbers, result into
 * out[o..], exception bits and C1 returned); the two-result routines
 * (fxtract, fptan, fsincos) write the value that replaces ST(0) to
 * out[o..o+2] and the one pushed to out[o+3..o+5].
 */
export { fadd as add80, fsub as sub80 } from '../softfloat/add.js';
export { fromBcd, toBcd } from '../softfloat/bcd.js';
export { compare80 } from '../softfloat/compare.js';
export { toFloat32, toFloat64 } from '../softfloat/convert-float.js';
export { fromInt32, fromInt64, toInt } from '../softfloat/convert-int.js';
export { fdiv as div80 } from '../softfloat/div.js';
export { frndint as frndint80, fscale as fscale80, fxtract as fxtract80 } from '../softfloat/misc.js';
export { fmul as mul80 } from '../softfloat/mul.js';
export { fprem as fprem80 } from '../softfloat/remainder.js';
export { fsqrt as sqrt80 } from '../softfloat/sqrt.js';
export {
  f2xm1 as f2xm180, fcos as fcos80, fpatan as fpatan80, fptan as fptan80, fsin as fsin80, fsincos as fsincos80,
  fyl2x as fyl2x80, fyl2xp1 as fyl2xp180,
} from '../transcendental/index.js';
