/**
 * The VMM's view of EFLAGS: the arithmetic flags materialised from CpuState's
 * lazy thunk, merged with the system bits, and the way back.
 *
 * Generated code keeps OSZAPC as a thunk (ccOp, ccSize, ccRes, ccA, ccB,
 * ccAux; semantics in src/ir/ops.ts) and has written it back to CpuState
 * before any emulate or raise. Routines that push, pop or test EFLAGS
 * (pushf, popf, int, iret, exception delivery, into, lar/lsl/verr/verw/arpl)
 * need the real bits: readEflags() computes them, writeEflags() stores a new
 * EFLAGS as an `explicit` thunk plus eflagsSys. This is the slow path — it
 * runs once per such instruction, never per arithmetic op.
 */
import { CcOp, type CpuState } from '../cpu/state.js';

export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, TF = 1 << 8;
export const IF = 1 << 9, DF = 1 << 10, OF = 1 << 11, IOPL_MASK = 3 << 12, NT = 1 << 14;
export const RF = 1 << 16, VM = 1 << 17, AC = 1 << 18, VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
export const IOPL_SHIFT = 12;

const PARITY_EVEN = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let v = i; v !== 0; v >>= 1) bits += v & 1;
  PARITY_EVEN[i] = (bits & 1) === 0 ? 1 : 0;
}

/** SF, ZF, PF of `res` truncated to `size` bytes. */
function szp(res: number, size: number): number {
  const bits = size * 8;
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  const r = res & mask;
  let f = 0;
  if (r === 0) f |= ZF;
  if ((r >>> (bits - 1)) & 1) f |= SF;
  if (PARITY_EVEN[r & 0xff]) f |= PF;
  return f;
}

/** OSZAPC as EFLAGS bits, computed from the thunk. */
export function arithFlags(cpu: CpuState): number {
  const size = cpu.ccSize;
  const bits = size * 8;
  const mask = bits === 32 ? -1 : (1 << bits) - 1;
  const res = cpu.ccRes & mask;
  const a = cpu.ccA & mask;
  const b = cpu.ccB & mask;
  const aux = cpu.ccAux;
  const msb = bits - 1;
  const top = (v: number) => (v >>> msb) & 1;
  switch (cpu.ccOp) {
    case CcOp.Explicit:
      return cpu.ccRes & ARITH_FLAGS;
    case CcOp.Add:
    case CcOp.Adc: {
      const carryIn = cpu.ccOp === CcOp.Adc ? aux & 1 : 0;
      const cf = carryIn ? (res >>> 0) <= (a >>> 0) : (res >>> 0) < (a >>> 0);
      const of = top(~(a ^ b) & (a ^ res));
      return szp(res, size) | (cf ? CF : 0) | (of ? OF : 0) | ((a ^ b ^ res) & AF);
    }
    case CcOp.Sub:
    case CcOp.Sbb: {
      const borrowIn = cpu.ccOp === CcOp.Sbb ? aux & 1 : 0;
      const cf = borrowIn ? (a >>> 0) <= (b >>> 0) : (a >>> 0) < (b >>> 0);
      const of = top((a ^ b) & (a ^ res));
      return szp(res, size) | (cf ? CF : 0) | (of ? OF : 0) | ((a ^ b ^ res) & AF);
    }
    case CcOp.Logic:
      return szp(res, size);
    case CcOp.Inc:
      return szp(res, size) | (aux & CF) | ((res ^ a ^ 1) & AF) | (res === (1 << msb) >>> 0 || res === (1 << msb) ? OF : 0);
    case CcOp.Dec:
      return szp(res, size) | (aux & CF) | ((res ^ a ^ 1) & AF) | (a === ((1 << msb) & mask) ? OF : 0);
    case CcOp.Shl: {
      const cf = (a >>> (bits - b)) & 1;
      return szp(res, size) | (cf ? CF : 0) | ((top(res) ^ cf) ? OF : 0);
    }
    case CcOp.Shr: {
      const cf = (a >>> (b - 1)) & 1;
      return szp(res, size) | (cf ? CF : 0) | (top(a) ? OF : 0);
    }
    case CcOp.Sar: {
      // Sign-extend to 32 bits so shifting by >= size keeps copying the sign.
      const sa = bits === 32 ? a : (a << (32 - bits)) >> (32 - bits);
      const cf = b >= 32 ? (sa >>> 31) & 1 : (sa >> (b - 1)) & 1;
      return szp(res, size) | (cf ? CF : 0);
    }
    case CcOp.Rol: {
      const cf = res & 1;
      return (aux & (PF | AF | ZF | SF)) | cf | ((top(res) ^ cf) ? OF : 0);
    }
    case CcOp.Ror: {
      const cf = top(res);
      return (aux & (PF | AF | ZF | SF)) | cf | ((cf ^ ((res >>> (msb - 1)) & 1)) ? OF : 0);
    }
    case CcOp.Mul:
      return szp(res, size) | (aux & 1 ? CF | OF : 0);
    default:
      throw new Error(`corrupt flags thunk: ccOp=${cpu.ccOp}`);
  }
}

/** The full guest-visible EFLAGS (virtual IF and IOPL, bit 1 set). */
export function readEflags(cpu: CpuState): number {
  return ((cpu.eflagsSys & ~ARITH_FLAGS) | arithFlags(cpu) | 2) >>> 0;
}

/** Stores all of EFLAGS: OSZAPC as an explicit thunk, the rest as system bits. */
export function writeEflags(cpu: CpuState, value: number): void {
  cpu.ccOp = CcOp.Explicit;
  cpu.ccSize = 4;
  cpu.ccRes = value & ARITH_FLAGS;
  cpu.ccA = 0;
  cpu.ccB = 0;
  cpu.ccAux = 0;
  cpu.eflagsSys = ((value & ~ARITH_FLAGS) | 2) & ~(1 << 3 | 1 << 5 | 1 << 15) & 0x3fffff;
}

/** Sets or clears ZF only (lar, lsl, verr, verw, arpl). */
export function setZf(cpu: CpuState, on: boolean): void {
  const f = arithFlags(cpu);
  cpu.ccOp = CcOp.Explicit;
  cpu.ccSize = 4;
  cpu.ccRes = on ? f | ZF : f & ~ZF;
}

export const iopl = (cpu: CpuState): number => (cpu.eflagsSys >>> IOPL_SHIFT) & 3;
