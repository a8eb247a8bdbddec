/* The pipeline's contract: schedule, --no-opt names, onPass, verification after each pass. */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/ir/types.js';
import {
  NO_OPT_NAMES, PASS_NAMES, PassVerifyError, SCHEDULE, UnknownPassError, optimize, parseNoOpt, type PassName,
} from '../../src/passes/pipeline.js';
import { body, newBlock } from './pass-test-helpers.js';

/** mov eax,5; add eax,3; cmp eax,8; je → everything folds to a put and a jump. */
function sample(): Block {
  const b = newBlock();
  b.insn(0x1000, 5, 'mov eax,0x5');
  b.putGpr(0, b.c(5));
  b.insn(0x1005, 3, 'add eax,0x3');
  const a = b.gpr(0);
  const r = b.bin('add', a, b.c(3));
  b.setFlags('add', 4, r, a, b.c(3));
  b.putGpr(0, r);
  b.insn(0x1008, 3, 'cmp eax,0x8');
  const a2 = b.gpr(0);
  b.setFlags('sub', 4, b.bin('sub', a2, b.c(8)), a2, b.c(8));
  b.insn(0x100b, 2, 'je 0x2000');
  return b.finish({ kind: 'branch', cond: b.flag('e'), taken: 0x2000, fallthrough: 0x100d });
}

describe('optimize', () => {
  it('runs the schedule in order and reports each pass', () => {
    const seen: PassName[] = [];
    const out = optimize(sample(), { verify: true, onPass: (name) => seen.push(name) });
    expect(seen).toEqual(SCHEDULE);
    expect(body(out)).toEqual([
      '; 0x00001000  mov eax,0x5', '; 0x00001005  add eax,0x3', '  put eax, 8', '; 0x00001008  cmp eax,0x8',
      '  flags.set sub.32 0, 8, 8, 0', '; 0x0000100b  je 0x2000', '  exit jump 0x00002000',
    ]);
  });

  it('skips disabled passes; disabling all returns the block unchanged', () => {
    const seen: string[] = [];
    optimize(sample(), { disabled: new Set(['const-fold', 'dead-code']), onPass: (n) => seen.push(n) });
    expect(seen).toEqual(['get-put', 'get-put', 'flag-liveness']);
    const block = sample();
    expect(optimize(block, { disabled: new Set(PASS_NAMES) })).toBe(block);
  });

  it('with verify, a pass that breaks an invariant is named', () => {
    const broken = sample();
    // An exit reading a temp nobody defines: the first pass that runs carries it through and must be named.
    broken.exit = { kind: 'indirect', target: { kind: 'tmp', id: 999 }, hint: 'jmp' };
    expect(() => optimize(broken, { verify: true, disabled: new Set(['const-fold']) })).toThrow(PassVerifyError);
    try {
      optimize(broken, { verify: true, disabled: new Set(['const-fold']) });
    } catch (e) {
      expect((e as PassVerifyError).pass).toBe('get-put');
      expect((e as PassVerifyError).blockAddress).toBe(0x1000);
    }
  });
});

describe('parseNoOpt', () => {
  it('accepts pass names, locals and all', () => {
    expect(parseNoOpt('const-fold,dead-code')).toEqual({ disabled: new Set(['const-fold', 'dead-code']), noLocals: false });
    expect(parseNoOpt('locals')).toEqual({ disabled: new Set(), noLocals: true });
    expect(parseNoOpt('all')).toEqual({ disabled: new Set(PASS_NAMES), noLocals: true });
    expect(NO_OPT_NAMES).toEqual(['const-fold', 'get-put', 'dead-code', 'flag-liveness', 'locals', 'all']);
  });

  it('rejects an unknown name with a typed error naming it', () => {
    expect(() => parseNoOpt('const-fold,cse')).toThrow(UnknownPassError);
    expect(() => parseNoOpt('cse')).toThrow(/unknown pass 'cse'/);
  });
});
