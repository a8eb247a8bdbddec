/**
 * Instructions that work on EFLAGS itself: clc stc cmc (CF through an
 * explicit thunk built from the current flags), cld std (DF lives in
 * eflagsSys, outside the thunk), lahf sahf (SF ZF AF PF CF ↔ AH; bit 1 of
 * AH reads as 1, bits 3 and 5 as 0).
 */
import type { LiftContext } from './context.js';
import { CF, OF, OSZAPC } from './flag-bits.js';
import { inline, type LifterTable } from './lifter-entry.js';

const AH = 4;
const DF = 0x400;
const SZAPC = OSZAPC & ~OF;

function carry(op: 'clear' | 'set' | 'complement') {
  return (ctx: LiftContext): void => {
    const all = ctx.flagsAll();
    const bits = op === 'clear' ? ctx.op('and', all, ~CF) : op === 'set' ? ctx.op('or', all, CF) : ctx.op('xor', all, CF);
    ctx.setFlagsExplicit(bits);
  };
}

function direction(set: boolean) {
  return (ctx: LiftContext): void => {
    const sys = ctx.eflagsSys();
    ctx.setEflagsSys(set ? ctx.op('or', sys, DF) : ctx.op('and', sys, ~DF));
  };
}

function lahf(ctx: LiftContext): void {
  ctx.writeReg(AH, 1, ctx.op('or', ctx.op('and', ctx.flagsAll(), SZAPC), 2));
}

function sahf(ctx: LiftContext): void {
  const keptOf = ctx.op('and', ctx.flagsAll(), OF);
  ctx.setFlagsExplicit(ctx.op('or', keptOf, ctx.op('and', ctx.readReg(AH, 1), SZAPC)));
}

export const FLAGS_LIFTERS: LifterTable = {
  clc: inline(carry('clear')),
  stc: inline(carry('set')),
  cmc: inline(carry('complement')),
  cld: inline(direction(false)),
  std: inline(direction(true)),
  lahf: inline(lahf),
  sahf: inline(sahf),
};
