/**
 * Exchanges: xchg xadd cmpxchg cmpxchg8b. With one virtual CPU a lock
 * prefix (or xchg's implicit lock) needs no extra ordering: the plain
 * read-modify-write is atomic with respect to the guest.
 *
 * Write order follows the SDM so that aliasing operands come out right
 * (xadd r,r: the destination write is last; cmpxchg r,eax: the accumulator
 * first). A memory destination is always written, as hardware does, even
 * when cmpxchg's comparison fails.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { LiftContext } from './context.js';
import { ZF, bitAt, keptFlags } from './flag-bits.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { loadOperand, memAddress, memAddressPlus, memOperand, operand, operandSize, writeOperand } from './operands.js';

const EAX = 0, ECX = 1, EDX = 2, EBX = 3;

function xchg(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const s = operand(insn, 1);
  const a = loadOperand(ctx, d);
  const b = loadOperand(ctx, s, operandSize(d));
  writeOperand(ctx, d, b);
  writeOperand(ctx, s, a);
}

function xadd(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const s = operand(insn, 1);
  const size = operandSize(d);
  const a = loadOperand(ctx, d);
  const b = loadOperand(ctx, s, size);
  const sum = ctx.op('add', a, b);
  if (d.kind === 'mem') {
    writeOperand(ctx, d, sum); // the store goes first: it may fault
    writeOperand(ctx, s, a);
  } else {
    writeOperand(ctx, s, a);
    writeOperand(ctx, d, sum);
  }
  ctx.setFlags('add', size, sum, a, b);
}

function cmpxchg(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  const acc = ctx.readReg(EAX, size);
  const dst = loadOperand(ctx, d);
  const src = loadOperand(ctx, operand(insn, 1), size);
  const equal = ctx.op('eq', acc, dst);
  const newDst = ctx.select(equal, src, dst);
  if (d.kind === 'mem') writeOperand(ctx, d, newDst);
  ctx.writeReg(EAX, size, ctx.select(equal, acc, dst));
  if (d.kind !== 'mem') writeOperand(ctx, d, newDst);
  ctx.setFlags('sub', size, ctx.op('sub', acc, dst), acc, dst);
}

/** cmpxchg8b m64: EDX:EAX against m64; equal → m64 = ECX:EBX, else EDX:EAX = m64. Only ZF changes. */
function cmpxchg8b(ctx: LiftContext): void {
  const m = memOperand(ctx, 0);
  // One 8-byte access for the limit check: the first byte to the last.
  const lo = ctx.load(4, memAddress(ctx, m, 8, 'read'));
  const hiAddr = memAddressPlus(ctx, m, 4, 4, 'none');
  const hi = ctx.load(4, hiAddr);
  const eax = ctx.reg32(EAX);
  const edx = ctx.reg32(EDX);
  const equal = ctx.op('and', ctx.op('eq', lo, eax), ctx.op('eq', hi, edx));
  ctx.store(4, memAddress(ctx, m, 8, 'write'), ctx.select(equal, ctx.reg32(EBX), lo));
  ctx.store(4, hiAddr, ctx.select(equal, ctx.reg32(ECX), hi));
  ctx.setReg32(EAX, ctx.select(equal, eax, lo));
  ctx.setReg32(EDX, ctx.select(equal, edx, hi));
  ctx.setFlagsExplicit(ctx.op('or', keptFlags(ctx, ZF), bitAt(ctx, equal, ZF)));
}

export const EXCHANGE_LIFTERS: LifterTable = {
  xchg: inline(xchg),
  xadd: inline(xadd),
  cmpxchg: inline(cmpxchg),
  cmpxchg8b: inline(cmpxchg8b),
};
