/**
 * Bit instructions: bt bts btr btc, bsf bsr, tzcnt lzcnt popcnt, crc32.
 *
 * bt* with a memory operand and a register bit offset address the bit
 * string beyond the operand: the signed offset selects the operand-sized
 * word at ea + (offset >> log2(width)) * size (SDM "Bit(BitBase,
 * BitOffset)"); an immediate offset or a register operand takes the offset
 * modulo the width. Only CF is defined (the others are kept, ZF by the SDM,
 * OF SF AF PF being undefined).
 *
 * bsf/bsr leave the destination unchanged for a zero source (what every
 * Intel and AMD CPU does; the SDM calls it undefined) and set only ZF.
 * The bit index is found by a binary search of five selects: the IR has no
 * count-leading-zeros op and does not need one for instructions this rare.
 */
import type { DecodedInsn } from '../decoder/insn.js';
import type { Value } from '../ir/types.js';
import type { LiftContext } from './context.js';
import { CF, ZF, bitAt, keptFlags, orAll } from './flag-bits.js';
import { inline, type LifterTable } from './lifter-entry.js';
import { loadOperand, memOffset, operand, operandSize, writeOperand } from './operands.js';

type BitOp = 'bt' | 'bts' | 'btr' | 'btc';

function bitTest(kind: BitOp) {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const n = size * 8;
    const o = operand(insn, 1);
    const offset = loadOperand(ctx, o, o.kind === 'imm' ? 1 : size);
    const bit = ctx.op('and', offset, n - 1);
    let value: Value;
    let store: ((v: Value) => void);
    if (d.kind === 'mem' && o.kind !== 'imm') {
      // Word index = signed offset >> log2(n); byte displacement = that × size.
      const words = ctx.op('sar', ctx.sext(offset, size), size === 4 ? 5 : 4);
      const off = ctx.op('add', memOffset(ctx, d), ctx.op('shl', words, size === 4 ? 2 : 1));
      const segOff = d.addrSize === 2 ? ctx.op('and', off, 0xffff) : off;
      const access = {}; // this read-modify-write's own address entry: the write then checks writability alone
      value = ctx.load(size, ctx.operandAddress(access, d.seg, () => segOff, size, 'read'));
      store = (v) => ctx.store(size, ctx.operandAddress(access, d.seg, () => segOff, size, 'write'), v);
    } else {
      value = loadOperand(ctx, d);
      store = (v) => writeOperand(ctx, d, v);
    }
    const cf = ctx.op('and', ctx.op('shr', value, bit), 1);
    if (kind !== 'bt') {
      const m = ctx.op('shl', ctx.c(1), bit);
      const nv = kind === 'bts' ? ctx.op('or', value, m) : kind === 'btr' ? ctx.op('and', value, ctx.un('not', m)) : ctx.op('xor', value, m);
      store(nv);
    }
    ctx.setFlagsExplicit(ctx.op('or', keptFlags(ctx, CF), cf));
  };
}

/** Index of the single set bit of `single` (a power of two), by five masks. */
function indexOfBit(ctx: LiftContext, single: Value): Value {
  const masks = [0xffff0000, 0xff00ff00, 0xf0f0f0f0, 0xcccccccc, 0xaaaaaaaa];
  const parts = masks.map((m, i) => ctx.op('shl', ctx.op('ne', ctx.op('and', single, m | 0), 0), 4 - i));
  return orAll(ctx, parts);
}

/** Index of the highest set bit of x (x != 0), by binary search. */
function highestBit(ctx: LiftContext, x: Value): Value {
  let t = x;
  const parts: Value[] = [];
  for (const k of [16, 8, 4, 2]) {
    const s = ctx.op('shl', ctx.op('ltu', (2 ** k - 1) | 0, t), 31 - Math.clz32(k)); // k or 0
    t = ctx.op('shr', t, s);
    parts.push(s);
  }
  parts.push(ctx.op('ltu', 1, t));
  return orAll(ctx, parts);
}

function lowestBitIndex(ctx: LiftContext, x: Value): Value {
  return indexOfBit(ctx, ctx.op('and', x, ctx.un('neg', x)));
}

function bitScan(kind: 'bsf' | 'bsr') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const x = loadOperand(ctx, operand(insn, 1), size);
    const zero = ctx.op('eq', x, 0);
    const idx = kind === 'bsf' ? lowestBitIndex(ctx, x) : highestBit(ctx, x);
    const old = ctx.readReg(d.kind === 'reg' ? d.num : 0, size);
    writeOperand(ctx, d, ctx.select(zero, old, idx));
    ctx.setFlagsExplicit(ctx.op('or', keptFlags(ctx, ZF), bitAt(ctx, zero, ZF)));
  };
}

/** tzcnt/lzcnt: the count, the operand width for zero; CF = source was zero, ZF = result is zero. */
function count(kind: 'tzcnt' | 'lzcnt') {
  return (ctx: LiftContext, insn: DecodedInsn): void => {
    const d = operand(insn, 0);
    const size = operandSize(d);
    const n = size * 8;
    const x = loadOperand(ctx, operand(insn, 1), size);
    const zero = ctx.op('eq', x, 0);
    const idx = kind === 'tzcnt' ? lowestBitIndex(ctx, x) : ctx.op('sub', n - 1, highestBit(ctx, x));
    const res = ctx.select(zero, n, idx);
    writeOperand(ctx, d, res);
    const zf = bitAt(ctx, ctx.op('eq', res, 0), ZF);
    ctx.setFlagsExplicit(orAll(ctx, [keptFlags(ctx, ZF | CF), zf, zero]));
  };
}

/** popcnt: population count; ZF = source zero, OF SF AF CF PF cleared. */
function popcnt(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const size = operandSize(d);
  const x = loadOperand(ctx, operand(insn, 1), size);
  let v = ctx.op('sub', x, ctx.op('and', ctx.op('shr', x, 1), 0x55555555));
  v = ctx.op('add', ctx.op('and', v, 0x33333333), ctx.op('and', ctx.op('shr', v, 2), 0x33333333));
  v = ctx.op('and', ctx.op('add', v, ctx.op('shr', v, 4)), 0x0f0f0f0f);
  v = ctx.op('shr', ctx.op('mul', v, 0x01010101), 24);
  writeOperand(ctx, d, v);
  ctx.setFlagsExplicit(bitAt(ctx, ctx.op('eq', x, 0), ZF));
}

/** crc32 (SSE4.2): CRC-32C, reflected polynomial 0x82F63B78, one bit per step. Flags unchanged. */
function crc32(ctx: LiftContext, insn: DecodedInsn): void {
  const d = operand(insn, 0);
  const s = operand(insn, 1);
  const size = operandSize(s);
  let crc = ctx.op('xor', ctx.reg32(d.kind === 'reg' ? d.num : 0), loadOperand(ctx, s));
  for (let i = 0; i < size * 8; i++) {
    const poly = ctx.op('and', ctx.un('neg', ctx.op('and', crc, 1)), 0x82f63b78 | 0);
    crc = ctx.op('xor', ctx.op('shr', crc, 1), poly);
  }
  writeOperand(ctx, d, crc, 4);
}

export const BIT_LIFTERS: LifterTable = {
  bt: inline(bitTest('bt')),
  bts: inline(bitTest('bts')),
  btr: inline(bitTest('btr')),
  btc: inline(bitTest('btc')),
  bsf: inline(bitScan('bsf')),
  bsr: inline(bitScan('bsr')),
  tzcnt: inline(count('tzcnt')),
  lzcnt: inline(count('lzcnt')),
  popcnt: inline(popcnt),
  crc32: inline(crc32),
};
