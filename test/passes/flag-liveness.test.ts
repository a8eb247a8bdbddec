/* flag-liveness on hand-built blocks, including the traps. */
import { describe, expect, it } from 'vitest';
import type { Block } from '../../src/ir/types.js';
import { flagLiveness, overwritesFlagsFirst } from '../../src/passes/flag-liveness.js';
import { newBlock, runPass } from './pass-test-helpers.js';

const thunks = (lines: string[]): string[] => lines.filter((l) => l.includes('flags.set'));

/** add; cmp — then whatever `between` puts in the second instruction before the cmp's thunk. */
function twoThunks(between: (b: ReturnType<typeof newBlock>) => void, exitOverwrite = false): string[] {
  const b = newBlock();
  b.insn(0x1000, 2, 'add eax,ecx');
  const a = b.gpr(0), c = b.gpr(1);
  b.setFlags('add', 4, b.bin('add', a, c), a, c);
  b.insn(0x1002, 2, 'cmp eax,ecx');
  between(b);
  b.setFlags('sub', 4, b.bin('sub', a, c), a, c);
  return thunks(runPass((x: Block) => flagLiveness(x, { successorsOverwriteFlags: () => exitOverwrite }),
    b.finish({ kind: 'jump', target: 0x1004 })));
}

describe('flag-liveness', () => {
  it('deletes a thunk overwritten by a later one with no reader between', () => {
    expect(twoThunks(() => {})).toEqual(['  flags.set sub.32 t3, t0, t1, 0']);
  });

  it('deletes the last thunk too when every successor overwrites the flags', () => {
    expect(twoThunks(() => {}, true)).toEqual([]);
    expect(twoThunks(() => {}, false)).toEqual(['  flags.set sub.32 t3, t0, t1, 0']);
  });

  it('keeps the last thunk without successor information', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'cmp');
    b.setFlags('sub', 4, b.c(1), b.c(2), b.c(1));
    expect(thunks(runPass(flagLiveness, b.finish({ kind: 'jump', target: 0 })))).toHaveLength(1);
  });

  it.each([
    ['flags.get', (b: ReturnType<typeof newBlock>) => b.putGpr(2, b.flag('cf'))],
    ['flags.all', (b: ReturnType<typeof newBlock>) => b.putGpr(2, b.flagsAll())],
    ['raise', (b: ReturnType<typeof newBlock>) => b.raise(0, null, b.gpr(3))],
    ['load', (b: ReturnType<typeof newBlock>) => b.putGpr(2, b.load(4, b.gpr(3)))],
    ['store', (b: ReturnType<typeof newBlock>) => b.store(4, b.gpr(3), b.c(0))],
    ['exit.if', (b: ReturnType<typeof newBlock>) => b.exitIf(b.gpr(3), 0x3000)],
    ['emulate', (b: ReturnType<typeof newBlock>) => b.emulate('pushf', [b.c(4)], 0x1004)],
  ])('keeps a thunk that a %s may observe before it is overwritten', (_name, between) => {
    expect(twoThunks(between)).toHaveLength(2);
  });

  it('a flags.get whose result is unused does not keep a thunk', () => {
    expect(twoThunks((b) => { b.flag('cf'); })).toHaveLength(1);
  });

  it('a guarded thunk neither kills the one before it nor survives when dead', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'add');
    b.setFlags('add', 4, b.c(3), b.c(1), b.c(2));
    b.insn(0x1002, 2, 'shl eax,cl');
    const n = b.bin('and', b.gpr(1), b.c(31));
    b.setFlags('shl', 4, b.c(0), b.c(0), n, b.c(0), n);
    expect(thunks(runPass(flagLiveness, b.finish({ kind: 'jump', target: 0 })))).toHaveLength(2);
    const b2 = newBlock();
    b2.insn(0x1000, 2, 'shl eax,cl');
    const n2 = b2.bin('and', b2.gpr(1), b2.c(31));
    b2.setFlags('shl', 4, b2.c(0), b2.c(0), n2, b2.c(0), n2);
    b2.insn(0x1002, 2, 'cmp');
    b2.setFlags('sub', 4, b2.c(3), b2.c(1), b2.c(2));
    expect(thunks(runPass(flagLiveness, b2.finish({ kind: 'jump', target: 0 })))).toEqual(['  flags.set sub.32 3, 1, 2, 0']);
  });

  it('a chain inc; inc; cmp dies in one sweep although each inc reads CF', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'add');
    b.setFlags('add', 4, b.c(3), b.c(1), b.c(2));
    for (const at of [0x1002, 0x1003]) {
      b.insn(at, 1, 'inc eax');
      const a = b.gpr(0);
      const cf = b.flag('cf');
      const r = b.bin('add', a, b.c(1));
      b.setFlags('inc', 4, r, a, b.c(1), cf);
      b.putGpr(0, r);
    }
    b.insn(0x1004, 2, 'cmp');
    b.setFlags('sub', 4, b.c(3), b.c(1), b.c(2));
    expect(thunks(runPass(flagLiveness, b.finish({ kind: 'jump', target: 0 })))).toEqual(['  flags.set sub.32 3, 1, 2, 0']);
  });
});

describe('overwritesFlagsFirst', () => {
  const build = (first: (b: ReturnType<typeof newBlock>) => void) => {
    const b = newBlock();
    b.insn(0x1000, 3, 'x');
    first(b);
    b.setFlags('sub', 4, b.c(1), b.c(2), b.c(1));
    return b.finish({ kind: 'jump', target: 0 });
  };
  it('is true when an unguarded thunk comes before any reader or fault', () => {
    expect(overwritesFlagsFirst(build((b) => { b.putGpr(0, b.bin('add', b.gpr(1), b.c(1))); }))).toBe(true);
    expect(overwritesFlagsFirst(build((b) => { b.putGpr(0, b.load(4, b.gpr(1))); }), { memoryCannotFault: true })).toBe(true);
  });
  it('is false after a read, a possible fault, a VMM call, or only a guarded thunk', () => {
    expect(overwritesFlagsFirst(build((b) => { b.flag('cf'); }))).toBe(false);
    expect(overwritesFlagsFirst(build((b) => { b.putGpr(0, b.load(4, b.gpr(1))); }))).toBe(false);
    expect(overwritesFlagsFirst(build((b) => { b.emulate('cli', [], 0x1003); }))).toBe(false);
    expect(overwritesFlagsFirst(build((b) => { b.setFlags('shl', 4, b.c(0), b.c(0), b.gpr(1), b.c(0), b.gpr(1)); b.flag('cf'); })))
      .toBe(false);
    const none = newBlock();
    none.insn(0x1000, 1, 'nop');
    expect(overwritesFlagsFirst(none.finish({ kind: 'jump', target: 0 }))).toBe(false);
  });
});
