/**
 * Stack instructions: push pop (registers, memory, immediates, segment
 * registers), pusha popa, enter leave — and the push/pop primitives the
 * control and system lifters share.
 *
 * The stack pointer is ESP or SP by the stack size (SS.B, LiftMode
 * stackSize), independently of the operand size, which sets how many bytes
 * move. Stores go out at once and the new ESP is written when the
 * instruction ends (LiftContext), so a push that faults leaves ESP as it
 * was. pop r/m computes its destination address with ESP already
 * incremented, as the SDM says, because the context shows later reads the
 * pending ESP.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { MemSize, Value } from '../ir/types.js';
import { ESP, type LiftContext } from './context.js';
import { inline, type FormInfo, type LifterEntry, type LifterTable } from './lifter-entry.js';
import { loadOperand, operand, writeOperand } from './operands.js';
import { popSegment } from './system.js';

const SS = 2;
const EBP = 5;

/** Stack-width offset of a 32-bit stack-pointer value. */
function spOffset(ctx: LiftContext, sp: Value): Value {
  return ctx.stackSize === 2 ? ctx.op('and', sp, 0xffff) : sp;
}

/** ESP after adding delta, wrapping SP alone on a 16-bit stack. */
function spPlus(ctx: LiftContext, sp: Value, delta: number): Value {
  const moved = ctx.op('add', sp, delta);
  if (ctx.stackSize === 4) return moved;
  return ctx.op('or', ctx.op('and', sp, 0xffff0000), ctx.op('and', moved, 0xffff));
}

/** Linear address of ss:[esp + extra], checked for a read of `size` bytes. */
export function stackTop(ctx: LiftContext, extra: number, size: number): Value {
  const sp = ctx.reg32(ESP);
  return ctx.linear(SS, spOffset(ctx, extra === 0 ? sp : ctx.op('add', sp, extra)), size, 'read');
}

/** Push `size` bytes (storeSize bytes written: 2 for a segment register under a 32-bit operand size). */
export function pushValue(ctx: LiftContext, v: Value, size: 2 | 4, storeSize: MemSize = size): void {
  const sp = spPlus(ctx, ctx.reg32(ESP), -size);
  // The limit check covers the whole slot, even when only a selector's 2 bytes are written.
  ctx.store(storeSize, ctx.linear(SS, spOffset(ctx, sp), size, 'write'), v);
  ctx.setReg32(ESP, sp);
}

export function popValue(ctx: LiftContext, size: 2 | 4): Value {
  const v = ctx.load(size, stackTop(ctx, 0, size));
  releaseStack(ctx, size);
  return v;
}

export function releaseStack(ctx: LiftContext, bytes: number): void {
  if (bytes !== 0) ctx.setReg32(ESP, spPlus(ctx, ctx.reg32(ESP), bytes));
}

function push(ctx: LiftContext, insn: DecodedInsn): void {
  const o = operand(insn, 0);
  const size = insn.opSize;
  if (o.kind === 'reg' && o.cls === 'seg') {
    // Recent Intel CPUs write only the selector's 16 bits into the 32-bit slot.
    return pushValue(ctx, ctx.segSel(o.num), size, 2);
  }
  pushValue(ctx, loadOperand(ctx, o, size), size);
}

function pop(ctx: LiftContext, insn: DecodedInsn): void {
  const o = operand(insn, 0);
  if (o.kind === 'reg' && o.cls === 'seg') return popSegment(ctx, insn);
  const v = popValue(ctx, insn.opSize);
  writeOperand(ctx, o, v, insn.opSize);
}

function pusha(ctx: LiftContext, insn: DecodedInsn): void {
  const size = insn.opSize;
  const esp0 = ctx.reg32(ESP);
  for (let r = 0; r < 8; r++) pushValue(ctx, r === ESP ? esp0 : ctx.reg32(r), size);
}

function popa(ctx: LiftContext, insn: DecodedInsn): void {
  const size = insn.opSize;
  const vals: Value[] = [];
  for (let i = 0; i < 8; i++) vals.push(ctx.load(size, stackTop(ctx, i * size, size)));
  for (let i = 0; i < 8; i++) {
    const r = 7 - i;
    if (r !== ESP) ctx.writeReg(r, size, vals[i]!);
  }
  releaseStack(ctx, 8 * size);
}

/** enter alloc, level: push EBP, copy level-1 frame pointers, push the frame, set EBP, allocate. */
function enter(ctx: LiftContext, insn: DecodedInsn): void {
  const size = insn.opSize;
  const a = operand(insn, 0);
  const l = operand(insn, 1);
  const alloc = a.kind === 'imm' ? a.value & 0xffff : 0;
  const level = l.kind === 'imm' ? l.value & 31 : 0;
  const ebp0 = ctx.reg32(EBP);
  pushValue(ctx, ebp0, size);
  const frame = ctx.reg32(ESP);
  if (level > 0) {
    let bp = ebp0;
    for (let i = 1; i < level; i++) {
      bp = ctx.op('sub', bp, size);
      pushValue(ctx, ctx.load(size, ctx.linear(SS, spOffset(ctx, bp), size, 'read')), size);
    }
    pushValue(ctx, frame, size);
  }
  ctx.writeReg(EBP, size, ctx.stackSize === 2 ? ctx.op('and', frame, 0xffff) : frame);
  if (alloc !== 0) ctx.setReg32(ESP, spPlus(ctx, ctx.reg32(ESP), -alloc));
}

/** leave: ESP = EBP (SP = BP on a 16-bit stack), then pop EBP. */
function leave(ctx: LiftContext, insn: DecodedInsn): void {
  const ebp = ctx.reg32(EBP);
  const sp = ctx.stackSize === 4 ? ebp : ctx.op('or', ctx.op('and', ctx.reg32(ESP), 0xffff0000), ctx.op('and', ebp, 0xffff));
  ctx.setReg32(ESP, sp);
  ctx.writeReg(EBP, insn.opSize, popValue(ctx, insn.opSize));
}

const SEGMENTS = new Set(['ES', 'CS', 'SS', 'DS', 'FS', 'GS']);
/** pop Sreg goes to the VMM (a segment load); every other push/pop is inline. */
const popEntry: LifterEntry = { lift: pop, handling: (f: FormInfo) => (SEGMENTS.has(f.operandText) ? 'vmm' : 'inline') };

export const STACK_LIFTERS: LifterTable = {
  push: inline(push),
  pushw: inline(push),
  pop: popEntry,
  popw: popEntry,
  pusha: inline(pusha),
  pushaw: inline(pusha),
  popa: inline(popa),
  popaw: inline(popa),
  enter: inline(enter),
  enterw: inline(enter),
  leave: inline(leave),
  leavew: inline(leave),
};
