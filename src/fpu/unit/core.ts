/**
 * The arithmetic the x87 unit calls, gathered in one place: the softfloat
 * core (src/fpu/softfloat/) and the transcendental functions
 * (src/fpu/transcendental/), under the names and signatures the unit's forms
 * use. Every routine follows float80.ts's convention (operands as numbers,
 * result into out[o..], exception bits and C1 returned).
 *
 * A routine the core does not provide yet throws CoreRoutineMissing, so the
 * forms that need it fail loudly in tests instead of computing something
 * plausible.
 */
import type { BinaryOp, UnaryOp } from '../float80.js';

export class CoreRoutineMissing extends Error {
  override readonly name = 'CoreRoutineMissing';
  constructor(readonly routine: string) {
    super(`x87 arithmetic routine ${routine} is not available yet`);
  }
}

function missing(routine: string): never {
  throw new CoreRoutineMissing(routine);
}

export const add80: BinaryOp = () => missing('add');
export const sub80: BinaryOp = () => missing('sub');
export const mul80: BinaryOp = () => missing('mul');
export const div80: BinaryOp = () => missing('div');
export const sqrt80: UnaryOp = () => missing('sqrt');
export const frndint80: UnaryOp = () => missing('frndint');

/**
 * Compares a with b: returns C3 C2 C0 as fcom sets them (unordered 111) OR-ed
 * with IE (an SNaN, an unsupported encoding, or any NaN unless `unordered`,
 * the fucom rule) and DE.
 */
export const compare80 = (
  _aSe: number, _aHi: number, _aLo: number, _bSe: number, _bHi: number, _bLo: number, _fcw: number, _unordered: boolean,
): number => missing('compare');

/** ST(0) as a float32 (bits to out[o]) or float64 (out[o] high word, out[o+1] low), rounded by RC; returns exceptions and C1. */
export const toFloat32 = (_se: number, _hi: number, _lo: number, _fcw: number, _out: Uint32Array, _o: number): number =>
  missing('toFloat32');
export const toFloat64 = (_se: number, _hi: number, _lo: number, _fcw: number, _out: Uint32Array, _o: number): number =>
  missing('toFloat64');
/**
 * ST(0) as a signed integer of `bits` 16/32/64, rounded by RC or truncated
 * (fisttp); out[o] high word, out[o+1] low word (sign-extended to 32 bits
 * for 16); IE with the integer indefinite when out of range or NaN.
 */
export const toInt = (
  _se: number, _hi: number, _lo: number, _bits: number, _truncate: boolean, _fcw: number, _out: Uint32Array, _o: number,
): number => missing('toInt');
/** fbld: the 10 packed BCD bytes (top16, hi, lo words) as an 80-bit value into out[o..]. */
export const fromBcd = (_top16: number, _hi: number, _lo: number, _out: Uint32Array, _o: number): number => missing('fromBcd');
/** fbstp: ST(0) rounded by RC as 18 BCD digits: out[o] top 16 bits (sign byte and digits 17..16), out[o+1] hi, out[o+2] lo. */
export const toBcd = (_se: number, _hi: number, _lo: number, _fcw: number, _out: Uint32Array, _o: number): number =>
  missing('toBcd');

/** fscale: a scaled by 2^trunc(b) into out[o..]. */
export const fscale80: BinaryOp = () => missing('fscale');
/** fxtract: a's exponent (as a value) into out[o..o+2], its significand (exponent 0x3FFF, a's sign) into out[o+3..o+5]. */
export const fxtract80: UnaryOp = () => missing('fxtract');
/**
 * fprem (`ieee` false: truncating quotient) and fprem1 (round to nearest):
 * the partial remainder of a by b into out[o..]; returns exceptions OR-ed
 * with C2 (incomplete) or C0 C3 C1 (quotient bits 2, 1, 0).
 */
export const fprem80 = (
  _aSe: number, _aHi: number, _aLo: number, _bSe: number, _bHi: number, _bLo: number, _ieee: boolean, _fcw: number,
  _out: Uint32Array, _o: number,
): number => missing('fprem');

/** The transcendentals (src/fpu/transcendental/): see each routine there for its outputs. */
export const f2xm180: UnaryOp = () => missing('f2xm1');
export const fyl2x80: BinaryOp = () => missing('fyl2x');
export const fyl2xp180: BinaryOp = () => missing('fyl2xp1');
export const fpatan80: BinaryOp = () => missing('fpatan');
export const fsin80: UnaryOp = () => missing('fsin');
export const fcos80: UnaryOp = () => missing('fcos');
export const fsincos80: UnaryOp = () => missing('fsincos');
export const fptan80: UnaryOp = () => missing('fptan');
