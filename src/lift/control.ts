/**
 * Control transfers: jmp jcc call ret loop* jcxz/jecxz (inline, each sets
 * the block's exit), and the far and interrupt forms (jmp/call far, retf,
 * iret, int n, int3, int1, into, sysenter), which the VMM performs.
 *
 * Near targets with a 16-bit operand size are EIP values wrapped to 16 bits
 * (the decoder wraps relative ones; indirect ones are loaded as 16-bit
 * values). loop/jcxz count with CX or ECX by the address size.
 * Under a limited CS each near transfer first compares its target with the
 * limit (LiftContext.checkBranchTarget): #GP(0) at the branch, nothing moved.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { FlagCond, Value } from '../ir/types.js';
import { CONDITION_CODES } from '../ir/ops.js';
import type { LiftContext } from './context.js';
import { inline, viaVmm, type LifterTable } from './lifter-entry.js';
import { loadOperand, memAddress, memAddressPlus, memOperand, operand } from './operands.js';
import { popValue, pushValue, releaseStack } from './stack.js';
import { callVmm } from './system.js';

const ECX = 1;

function relTarget(ctx: LiftContext, insn: DecodedInsn): number {
  const o = operand(insn, 0);
  if (o.kind !== 'rel') return ctx.bug('expected a relative target');
  return o.target >>> 0;
}

function jmp(ctx: LiftContext, insn: DecodedInsn): void {
  const o = operand(insn, 0);
  if (o.kind === 'rel') {
    ctx.checkBranchTarget(o.target);
    ctx.exit = { kind: 'jump', target: o.target >>> 0 };
  } else if (o.kind === 'far') {
    farTransfer('farJmp')(ctx, insn);
  } else if (o.kind === 'mem' && o.size === insn.opSize + 2) {
    farIndirect('farJmp')(ctx, insn);
  } else {
    const target = loadOperand(ctx, o, insn.opSize);
    ctx.checkBranchTarget(target);
    ctx.exit = { kind: 'indirect', target, hint: 'jmp' };
  }
}

function jcc(cc: FlagCond) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const cond = ctx.flag(cc), taken = relTarget(ctx, insn);
    ctx.checkBranchTarget(taken, cond);
    ctx.exit = { kind: 'branch', cond, taken, fallthrough: ctx.next };
  };
}

function call(ctx: LiftContext, insn: DecodedInsn): void {
  const o = operand(insn, 0);
  if (o.kind === 'far') return farTransfer('farCall')(ctx, insn);
  if (o.kind === 'mem' && o.size === insn.opSize + 2) return farIndirect('farCall')(ctx, insn);
  const size = insn.opSize;
  // The target is read before the push: call [esp] uses the old ESP.
  const target: Value | number = o.kind === 'rel' ? o.target >>> 0 : loadOperand(ctx, o, size);
  ctx.checkBranchTarget(target); // before the push: a call beyond the limit leaves the stack alone
  pushValue(ctx, ctx.c(size === 2 ? ctx.next & 0xffff : ctx.next), size);
  ctx.exit = typeof target === 'number' ? { kind: 'jump', target } : { kind: 'indirect', target, hint: 'call' };
}

function ret(ctx: LiftContext, insn: DecodedInsn): void {
  const size = insn.opSize;
  const target = popValue(ctx, size);
  ctx.checkBranchTarget(target);
  const o = insn.operands[0];
  if (o !== undefined && o.kind === 'imm') releaseStack(ctx, o.value & 0xffff);
  ctx.exit = { kind: 'indirect', target, hint: 'ret' };
}

/** loop/loope/loopne: decrement CX/ECX (flags untouched), branch while non-zero (and ZF as asked). */
function loop(zf: 'any' | 'set' | 'clear') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const size = insn.addrSize;
    const count = ctx.op('sub', ctx.readReg(ECX, size), 1);
    ctx.writeReg(ECX, size, count);
    let cond: Value = ctx.op('ne', ctx.mask(count, size), 0);
    if (zf !== 'any') {
      const z = ctx.flag('zf');
      cond = ctx.op('and', cond, zf === 'set' ? z : ctx.op('xor', z, 1));
    }
    const taken = relTarget(ctx, insn);
    ctx.checkBranchTarget(taken, cond);
    ctx.exit = { kind: 'branch', cond, taken, fallthrough: ctx.next };
  };
}

function jcxz(ctx: LiftContext, insn: DecodedInsn): void {
  const cond = ctx.op('eq', ctx.readReg(ECX, insn.addrSize), 0);
  const taken = relTarget(ctx, insn);
  ctx.checkBranchTarget(taken, cond);
  ctx.exit = { kind: 'branch', cond, taken, fallthrough: ctx.next };
}

/** jmp/call ptr16:16/32: selector and offset from the instruction. */
function farTransfer(routine: 'farJmp' | 'farCall') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const o = operand(insn, 0);
    if (o.kind !== 'far') return ctx.bug('expected a far pointer');
    callVmm(ctx, routine, [o.selector, o.offset, insn.opSize]);
  };
}

/** jmp/call m16:16/32: offset then selector from memory. */
function farIndirect(routine: 'farJmp' | 'farCall') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const m = memOperand(ctx, 0);
    const off = ctx.load(insn.opSize, memAddress(ctx, m, insn.opSize, 'read'));
    const sel = ctx.load(2, memAddressPlus(ctx, m, insn.opSize, 2, 'read'));
    callVmm(ctx, routine, [sel, off, insn.opSize]);
  };
}

function retf(ctx: LiftContext, insn: DecodedInsn): void {
  const o = insn.operands[0];
  callVmm(ctx, 'farRet', [insn.opSize, o !== undefined && o.kind === 'imm' ? o.value & 0xffff : 0]);
}

const JCC: Record<string, ReturnType<typeof inline>> = {};
for (const cc of CONDITION_CODES) JCC['j' + cc] = inline(jcc(cc));

/** Far forms of jmp/call are VMM calls; the near ones are inline. */
const nearOrFar = (lift: (ctx: LiftContext, insn: DecodedInsn) => void) => ({
  lift,
  handling: (f: { operandText: string }) => (f.operandText === 'Ap' || f.operandText === 'Mp' ? 'vmm' as const : 'inline' as const),
});

export const CONTROL_LIFTERS: LifterTable = {
  ...JCC,
  jmp: nearOrFar(jmp),
  jmpw: nearOrFar(jmp),
  call: nearOrFar(call),
  callw: nearOrFar(call),
  ret: inline(ret),
  retw: inline(ret),
  loop: inline(loop('any')),
  loope: inline(loop('set')),
  loopne: inline(loop('clear')),
  jcxz: inline(jcxz),
  jecxz: inline(jcxz),
  retf: viaVmm(retf),
  iret: viaVmm((ctx) => void callVmm(ctx, 'iret', [4])),
  iretw: viaVmm((ctx) => void callVmm(ctx, 'iret', [2])),
  int: viaVmm((ctx, insn) => {
    const o = operand(insn, 0);
    callVmm(ctx, 'int', [o.kind === 'imm' ? o.value & 0xff : 0, 0]);
  }),
  int1: viaVmm((ctx) => void callVmm(ctx, 'int', [1, 1])),
  int3: viaVmm((ctx) => void callVmm(ctx, 'int3', [])),
  into: viaVmm((ctx) => void callVmm(ctx, 'into', [])),
  sysenter: viaVmm((ctx) => void callVmm(ctx, 'sysenter', [])),
};
