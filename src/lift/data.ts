/**
 * Data movement and conversion: mov (all forms; the segment, control and
 * debug register ones go to system.ts), movzx movsx movbe movnti lea xlat
 * cbw cwde cwd cdq bswap setcc cmovcc bound, and the instructions with no
 * architectural effect here (nop forms, pause, endbr, prefetch, fences,
 * cache-line flushes).
 *
 * cmovcc always reads its source (a memory source faults even when the
 * condition is false, as on hardware) and, with a false condition, writes
 * the destination back unchanged.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import { CONDITION_CODES } from '../ir/ops.js';
import type { FlagCond } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { inline, type FormInfo, type LifterEntry, type LifterTable } from './lifter-entry.js';
import { loadOperand, memAddressPlus, memOffset, memOperand, operand, operandSize, writeOperand } from './operands.js';
import { loadSegment, movSystemRegister, raiseUd } from './system.js';

const EAX = 0, EDX = 2, EBX = 3;
const BR = 5;

function mov(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const s = operand(insn, 1);
  if ((d.kind === 'reg' && d.cls === 'tr') || (s.kind === 'reg' && s.cls === 'tr')) return raiseUd(ctx); // 386/486 only
  if ((d.kind === 'reg' && (d.cls === 'cr' || d.cls === 'dr')) || (s.kind === 'reg' && (s.cls === 'cr' || s.cls === 'dr'))) {
    return movSystemRegister(ctx, insn);
  }
  if (d.kind === 'reg' && d.cls === 'seg') return loadSegment(ctx, d.num, loadOperand(ctx, s, 2), true);
  if (s.kind === 'reg' && s.cls === 'seg') {
    // mov r/m, Sreg: a register gets the selector zero-extended (P6 and later), memory 16 bits.
    return writeOperand(ctx, d, ctx.segSel(s.num), d.kind === 'mem' ? 2 : operandSize(d));
  }
  writeOperand(ctx, d, loadOperand(ctx, s, operandSize(d)));
}

/** mov to a segment, control or debug register is a VMM call; every other mov is inline. */
const movEntry: LifterEntry = {
  lift: mov,
  handling: (f: FormInfo) =>
    /Td/.test(f.operandText) ? 'ud' : /Cd|Dd/.test(f.operandText) || f.operandText.startsWith('Sw') ? 'vmm' : 'inline',
};

function extend(signed: boolean) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const s = operand(insn, 1);
    const v = loadOperand(ctx, s);
    writeOperand(ctx, d, signed ? ctx.sext(v, operandSize(s)) : v);
  };
}

/** lea: the offset alone (no segment base), truncated to the operand size. */
function lea(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  writeOperand(ctx, d, memOffset(ctx, memOperand(ctx, 1)));
}

/** xlat: AL = [seg:(E)BX + AL]. */
function xlat(ctx: LiftContext, insn: DecodedInsn): void {
  const m = memOperand(ctx, 0);
  let off = ctx.op('add', ctx.reg32(EBX), ctx.readReg(EAX, 1));
  if (insn.addrSize === 2) off = ctx.op('and', off, 0xffff);
  ctx.writeReg(EAX, 1, ctx.load(1, ctx.linear(m.seg, off, 1, 'read')));
}

/** cbw / cwde: sign-extend the low half of the accumulator into all of it. */
function widenAcc(ctx: LiftContext, insn: DecodedInsn): void {
  const size = insn.opSize;
  ctx.writeReg(EAX, size, ctx.sext(ctx.reg32(EAX), size / 2));
}

/** cwd / cdq: DX/EDX = sign of AX/EAX. */
function signToDx(ctx: LiftContext, insn: DecodedInsn): void {
  const size = insn.opSize;
  const acc = ctx.sext(ctx.reg32(EAX), size);
  ctx.writeReg(EDX, size, ctx.op('sar', acc, 31));
}

/** bswap: 32-bit swap; with a 16-bit operand the result is undefined (hardware gives 0, as done here). */
function bswap(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  writeOperand(ctx, d, size === 4 ? ctx.un('bswap', loadOperand(ctx, d)) : ctx.c(0));
}

function swapBytes(ctx: LiftContext, v: ReturnType<LiftContext['c']>, size: number) {
  if (size === 4) return ctx.un('bswap', v);
  return ctx.op('or', ctx.op('shr', v, 8), ctx.op('shl', ctx.op('and', v, 0xff), 8));
}

function movbe(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  writeOperand(ctx, d, swapBytes(ctx, loadOperand(ctx, operand(insn, 1), size), size));
}

function setcc(cc: FlagCond) {
  return (ctx: LiftContext, insn: DecodedInsn): void => writeOperand(ctx, operand(insn, 0), ctx.flag(cc), 1);
}

function cmovcc(cc: FlagCond) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const src = loadOperand(ctx, operand(insn, 1), operandSize(d));
    const old = loadOperand(ctx, d);
    writeOperand(ctx, d, ctx.select(ctx.flag(cc), src, old));
  };
}

/** bound r, m: #BR unless lower <= r <= upper (signed, operand-sized). */
function bound(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  const m = memOperand(ctx, 1);
  const lower = ctx.sext(ctx.load(size, memAddressPlus(ctx, m, 0, size, 'read')), size);
  const upper = ctx.sext(ctx.load(size, memAddressPlus(ctx, m, size, size, 'read')), size);
  const idx = ctx.sext(loadOperand(ctx, d), size);
  ctx.raise(BR, null, ctx.op('or', ctx.op('lts', idx, lower), ctx.op('lts', upper, idx)));
}

const nothing = inline(() => {});

const CC_LIFTERS: Record<string, LifterEntry> = {};
for (const cc of CONDITION_CODES) {
  CC_LIFTERS['set' + cc] = inline(setcc(cc));
  CC_LIFTERS['cmov' + cc] = inline(cmovcc(cc));
}

export const DATA_LIFTERS: LifterTable = {
  ...CC_LIFTERS,
  mov: movEntry,
  movzx: inline(extend(false)),
  movsx: inline(extend(true)),
  movnti: inline(mov),
  movbe: inline(movbe),
  lea: inline(lea),
  xlat: inline(xlat),
  cbw: inline(widenAcc),
  cwde: inline(widenAcc),
  cwd: inline(signToDx),
  cdq: inline(signToDx),
  bswap: inline(bswap),
  bound: inline(bound),
  nop: nothing,
  pause: nothing,
  endbr32: nothing,
  endbr64: nothing,
  prefetch: nothing,
  prefetchw: nothing,
  prefetchwt1: nothing,
  prefetchnta: nothing,
  prefetcht0: nothing,
  prefetcht1: nothing,
  prefetcht2: nothing,
  lfence: nothing,
  mfence: nothing,
  sfence: nothing,
  clflush: nothing,
  clflushopt: nothing,
  clwb: nothing,
  cldemote: nothing, // a hint; executes as a nop where unsupported
};
