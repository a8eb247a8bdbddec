/**
 * Operand access shared by all lifters: effective addresses, operand loads
 * and writeback (QEMU's gen_load → gen → gen_writeback habit: a lifter loads
 * its operands here, computes, and writes the result back here).
 *
 * Addresses: 32-bit addressing sums base + index*scale + disp modulo 2^32;
 * 16-bit addressing (bx/bp/si/di forms, 0x67 in 32-bit code) wraps the
 * offset to 16 bits. The decoder already chose the segment (SS for bp/esp/ebp
 * bases, DS otherwise, or the override); the segment base is added here
 * explicitly unless the mode says all bases are zero, after the segment
 * checks for the access's size and direction (LiftContext.linear).
 *
 * Values are int32 temps; an operand of 1 or 2 bytes is loaded
 * zero-extended. Results need not be masked before writeback: register
 * writes merge the low bytes, stores have a size, the flags thunk truncates.
 */
import type { DecodedInsn, MemOperand, Operand } from '../decoder/insn.js';
import type { MemSize, Value } from '../ir/types.js';
import type { LiftContext, SegAccess } from './context.js';

/** Offset (effective address within the segment) of a memory operand, wrapped to its address size. */
export function memOffset(ctx: LiftContext, m: MemOperand, extra = 0): Value {
  let v: Value | null = null;
  if (m.base >= 0) v = ctx.reg32(m.base);
  if (m.index >= 0) {
    let ix = ctx.reg32(m.index);
    if (m.scale !== 1) ix = ctx.op('shl', ix, m.scale === 2 ? 1 : m.scale === 4 ? 2 : 3);
    v = v === null ? ix : ctx.op('add', v, ix);
  }
  const disp = (m.disp + extra) | 0;
  if (v === null) return ctx.c(m.addrSize === 2 ? disp & 0xffff : disp);
  if (disp !== 0) v = ctx.op('add', v, disp);
  return m.addrSize === 2 ? ctx.op('and', v, 0xffff) : v;
}

/** Linear address of a memory operand for an access of `size` bytes (cached per instruction for read-modify-write). */
export function memAddress(ctx: LiftContext, m: MemOperand, size: number, access: SegAccess): Value {
  return ctx.operandAddress(m, m.seg, () => memOffset(ctx, m), size, access);
}

/** Linear address `bytes` past a memory operand's start (far pointers, bound, cmpxchg8b), wrapped per address size. */
export function memAddressPlus(ctx: LiftContext, m: MemOperand, bytes: number, size: number, access: SegAccess): Value {
  return ctx.linear(m.seg, memOffset(ctx, m, bytes), size, access);
}

export function operandSize(o: Operand): MemSize {
  const s = o.size;
  if (s === 1 || s === 2 || s === 4) return s;
  throw new Error(`operand of size ${s} is not an integer operand`);
}

/** Load an integer operand (register, memory or immediate), zero-extended. */
export function loadOperand(ctx: LiftContext, o: Operand, size: MemSize = operandSize(o)): Value {
  switch (o.kind) {
    case 'reg':
      if (o.cls === 'gpr') return ctx.readReg(o.num, size);
      if (o.cls === 'seg') return ctx.segSel(o.num);
      return ctx.bug(`cannot load a ${o.cls} register inline`);
    case 'mem':
      return ctx.load(size, memAddress(ctx, o, size, 'read'));
    case 'imm':
      return ctx.c(size === 4 ? o.value : o.value & (size === 2 ? 0xffff : 0xff));
    default:
      return ctx.bug(`cannot load a ${o.kind} operand`);
  }
}

/** Write an integer operand: stores happen at once, register writes when the instruction ends. */
export function writeOperand(ctx: LiftContext, o: Operand, v: Value, size: MemSize = operandSize(o)): void {
  if (o.kind === 'reg' && o.cls === 'gpr') ctx.writeReg(o.num, size, v);
  else if (o.kind === 'mem') ctx.store(size, memAddress(ctx, o, size, 'write'), v);
  else ctx.bug(`cannot write a ${o.kind} operand`);
}

export function operand(insn: DecodedInsn, i: number): Operand {
  const o = insn.operands[i];
  if (o === undefined) throw new Error(`${insn.mnemonic} at 0x${insn.address.toString(16)} lacks operand ${i}`);
  return o;
}

export function memOperand(ctx: LiftContext, i: number): MemOperand {
  const o = operand(ctx.insn, i);
  if (o.kind !== 'mem') return ctx.bug(`operand ${i} must be memory`);
  return o;
}

/** Bits in an operand of `size` bytes, and its sign bit. */
export const bitsOf = (size: number): number => size * 8;
export const signBit = (size: number): number => (size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000) | 0;
