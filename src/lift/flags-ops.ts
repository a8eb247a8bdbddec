/**
 * Instructions that work on EFLAGS itself: clc stc cmc (CF through an
 * explicit thunk built from the current flags), cld std (DF lives in
 * eflagsSys, outside the thunk), lahf sahf (SF ZF AF PF CF ↔ AH; bit 1 of
 * AH reads as 1, bits 3 and 5 as 0), and salc (D6).
 *
 * salc has no row in isa/: objdump (the disassembler's reference) calls D6
 * "(bad)", so the decoder reports it invalid and lifter.ts sends that one
 * invalid opcode here. Every IA-32 CPU and QEMU execute it outside 64-bit
 * mode: AL = CF ? 0xFF : 0x00, flags unchanged; with LOCK it is #UD.
 */
import type { LiftContext } from './context.js';
import { CF, OF, OSZAPC } from './flag-bits.js';
import { inline, type LifterTable } from './lifter-entry.js';

const EAX = 0, AH = 4;
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

/** salc: AL = 0 - CF (0xFF or 0x00); EFLAGS are read, not written. */
export function liftSalc(ctx: LiftContext): void {
  ctx.writeReg(EAX, 1, ctx.op('sub', 0, ctx.flag('b')));
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
