/**
 * Decimal adjust: daa das aaa aas aam aad, following the SDM pseudo-code
 * line by line with selects in place of its IFs. Flags the SDM defines are
 * exact; undefined ones come out as the explicit composition leaves them
 * (SZP of AL where it is cheap, else 0), which the differential tests mask.
 * aam 0 raises #DE like hardware.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { Value } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { AF, bitAt, orAll, szpBits } from './flag-bits.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { operand } from './operands.js';

const EAX = 0;
const AL = 0, AH = 4;

/** (AL & 0xF) > 9 or AF: the low-nibble adjust condition shared by all four. */
function lowAdjust(ctx: LiftContext, al: Value, af: Value): Value {
  return ctx.op('or', ctx.op('ltu', 9, ctx.op('and', al, 0xf)), af);
}

function daa(ctx: LiftContext): void {
  const al = ctx.readReg(AL, 1);
  const cf = ctx.flag('cf');
  const af = ctx.flag('af');
  const c1 = lowAdjust(ctx, al, af);
  const al1 = ctx.select(c1, ctx.op('add', al, 6), al);
  const c2 = ctx.op('or', ctx.op('ltu', 0x99, al), cf);
  const al2 = ctx.op('and', ctx.select(c2, ctx.op('add', al1, 0x60), al1), 0xff);
  ctx.writeReg(AL, 1, al2);
  ctx.setFlagsExplicit(orAll(ctx, [szpBits(ctx, 1, al2), c2, bitAt(ctx, c1, AF)]));
}

function das(ctx: LiftContext): void {
  const al = ctx.readReg(AL, 1);
  const cf = ctx.flag('cf');
  const af = ctx.flag('af');
  const c1 = lowAdjust(ctx, al, af);
  const al1 = ctx.select(c1, ctx.op('sub', al, 6), al);
  const cf1 = ctx.select(c1, ctx.op('or', cf, ctx.op('ltu', al, 6)), 0);
  const c2 = ctx.op('or', ctx.op('ltu', 0x99, al), cf);
  const al2 = ctx.op('and', ctx.select(c2, ctx.op('sub', al1, 0x60), al1), 0xff);
  ctx.writeReg(AL, 1, al2);
  ctx.setFlagsExplicit(orAll(ctx, [szpBits(ctx, 1, al2), ctx.op('or', c2, cf1), bitAt(ctx, c1, AF)]));
}

/** aaa: AX += 0x106 when adjusting; AL keeps its low nibble. */
function aaa(ctx: LiftContext): void {
  const ax = ctx.readReg(EAX, 2);
  const c = lowAdjust(ctx, ctx.op('and', ax, 0xff), ctx.flag('af'));
  const ax1 = ctx.select(c, ctx.op('add', ax, 0x106), ax);
  const res = ctx.op('or', ctx.op('and', ax1, 0xff00), ctx.op('and', ax1, 0xf));
  ctx.writeReg(EAX, 2, res);
  ctx.setFlagsExplicit(orAll(ctx, [szpBits(ctx, 1, res), c, bitAt(ctx, c, AF)]));
}

/** aas: AX -= 6 and AH -= 1 when adjusting; AL keeps its low nibble. */
function aas(ctx: LiftContext): void {
  const ax = ctx.readReg(EAX, 2);
  const c = lowAdjust(ctx, ctx.op('and', ax, 0xff), ctx.flag('af'));
  const ax1 = ctx.select(c, ctx.op('sub', ax, 6), ax);
  const ah = ctx.select(c, ctx.op('sub', ctx.op('shr', ax1, 8), 1), ctx.op('shr', ax1, 8));
  const res = ctx.op('or', ctx.op('and', ctx.op('shl', ah, 8), 0xff00), ctx.op('and', ax1, 0xf));
  ctx.writeReg(EAX, 2, res);
  ctx.setFlagsExplicit(orAll(ctx, [szpBits(ctx, 1, res), c, bitAt(ctx, c, AF)]));
}

function immByte(insn: DecodedInsn): number {
  const o = operand(insn, 0);
  return o.kind === 'imm' ? o.value & 0xff : 10;
}

/** aam: AH = AL / imm, AL = AL mod imm; SZP from AL. */
function aam(ctx: LiftContext, insn: DecodedInsn): void {
  const base = immByte(insn);
  if (base === 0) {
    ctx.raise(0);
    return;
  }
  const al = ctx.readReg(AL, 1);
  const [q, r] = ctx.b.helper('div64u', [ctx.c(0), al, ctx.c(base)], 2);
  const res = ctx.op('or', ctx.op('shl', q, 8), r!);
  ctx.writeReg(EAX, 2, res);
  ctx.setFlags('logic', 1, r!);
}

/** aad: AL = AL + AH * imm (mod 256), AH = 0; SZP from AL. */
function aad(ctx: LiftContext, insn: DecodedInsn): void {
  const base = immByte(insn);
  const al = ctx.readReg(AL, 1);
  const ah = ctx.readReg(AH, 1);
  const res = ctx.op('and', ctx.op('add', al, ctx.op('mul', ah, base)), 0xff);
  ctx.writeReg(EAX, 2, res);
  ctx.setFlags('logic', 1, res);
}

export const BCD_LIFTERS: LifterTable = {
  daa: inline(daa),
  das: inline(das),
  aaa: inline(aaa),
  aas: inline(aas),
  aam: inline(aam),
  aad: inline(aad),
};
