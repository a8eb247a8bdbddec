/* const-fold on hand-built blocks: one test per rule, including the cases it must leave alone. */
import { describe, expect, it } from 'vitest';
import type { BinaryOpName } from '../../src/ir/types.js';
import { constFold } from '../../src/passes/const-fold.js';
import { newBlock, runPass } from './pass-test-helpers.js';

const fold = runPass.bind(null, constFold);

describe('const-fold', () => {
  it('folds constant arithmetic and propagates it into puts, through mov', () => {
    const b = newBlock();
    b.insn(0x1000, 5, 'mov eax,5');
    const x = b.mov(b.c(5));
    const y = b.bin('add', x, b.c(3));
    const z = b.bin('shl', y, b.c(33)); // count mod 32: << 1
    b.putGpr(0, b.unary('not', z));
    expect(fold(b.finish({ kind: 'jump', target: 0x1005 }))).toEqual([
      '; 0x00001000  mov eax,5',
      '  put eax, 0xffffffef',
      '  exit jump 0x00001005',
    ]);
  });

  it('copy-propagates temps through mov', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'x');
    const a = b.gpr(1);
    const m = b.mov(a);
    b.putGpr(0, b.bin('add', m, m));
    expect(fold(b.finish({ kind: 'jump', target: 0 }))).toEqual([
      '; 0x00001000  x', '  t0 = get ecx', '  t2 = add t0, t0', '  put eax, t2', '  exit jump 0x00000000',
    ]);
  });

  const identity = (name: BinaryOpName, c: number, constFirst = false): string[] => {
    const b = newBlock();
    b.insn(0x1000, 1, 'x');
    const a = b.gpr(1);
    b.putGpr(0, constFirst ? b.bin(name, b.c(c), a) : b.bin(name, a, b.c(c)));
    return fold(b.finish({ kind: 'jump', target: 0 })).slice(2, 3);
  };

  it.each([
    ['add', 0, false, 't0'], ['add', 0, true, 't0'], ['sub', 0, false, 't0'], ['or', 0, true, 't0'],
    ['xor', 0, false, 't0'], ['and', -1, false, 't0'], ['and', -1, true, 't0'], ['and', 0, false, '0'],
    ['or', -1, false, '0xffffffff'], ['mul', 1, true, 't0'], ['mul', 0, false, '0'], ['shl', 32, false, 't0'],
    ['ror', 0, false, 't0'], ['shr', 0, true, '0'], ['sar', -1, true, '0xffffffff'], ['umulhi', 1, false, '0'],
    ['smulhi', 0, true, '0'], ['ltu', 0, false, '0'], ['leu', 0, true, '1'],
  ] as const)('%s with constant %d (first: %s) is %s', (name, c, first, result) => {
    expect(identity(name, c, first)).toEqual([`  put eax, ${result}`]);
  });

  it.each([
    ['sub', '0'], ['xor', '0'], ['and', 't0'], ['or', 't0'], ['eq', '1'], ['ne', '0'],
    ['ltu', '0'], ['leu', '1'], ['lts', '0'], ['les', '1'],
  ] as const)('%s x, x is %s', (name, result) => {
    const b = newBlock();
    b.insn(0x1000, 1, 'x');
    const a = b.gpr(1);
    b.putGpr(0, b.bin(name, a, a));
    expect(fold(b.finish({ kind: 'jump', target: 0 }))[2]).toBe(`  put eax, ${result}`);
  });

  it('keeps ops that are not identities (x-0 only, not 0-x; shl by 1; x+x)', () => {
    const b = newBlock();
    b.insn(0x1000, 1, 'x');
    const a = b.gpr(1);
    b.putGpr(0, b.bin('sub', b.c(0), a));
    b.putGpr(2, b.bin('shl', a, b.c(1)));
    b.putGpr(3, b.bin('add', a, a));
    b.putGpr(5, b.bin('smulhi', a, b.c(1))); // the sign word, not 0
    expect(fold(b.finish({ kind: 'jump', target: 0 }))).toHaveLength(11);
  });

  it('drops a mask that repeats an earlier one, merges a narrowing one into it', () => {
    const b = newBlock();
    b.insn(0x1000, 1, 'x');
    const a = b.gpr(1);
    const lo = b.bin('and', a, b.c(0xff));
    b.putGpr(0, b.bin('and', lo, b.c(0xffff)));
    b.putGpr(2, b.bin('and', lo, b.c(0xf)));
    expect(fold(b.finish({ kind: 'jump', target: 0 }))).toEqual([
      '; 0x00001000  x', '  t0 = get ecx', '  t1 = and t0, 0xff', '  put eax, t1', '  t3 = and t0, 0xf', '  put edx, t3',
      '  exit jump 0x00000000',
    ]);
  });

  it('folds unary ops and helpers on constants, but not a division that overflows', () => {
    const b = newBlock();
    b.insn(0x1000, 1, 'x');
    b.putGpr(0, b.unary('bswap', b.c(0x11223344)));
    b.putGpr(1, b.unary('sext8', b.c(0x80)));
    b.putGpr(2, b.unary('parity', b.c(3)));
    const [q, r] = b.helper('div64s', [b.c(-1), b.c(-7), b.c(2)], 2);
    b.putGpr(3, q);
    b.putGpr(5, r!);
    const [big] = b.helper('div64u', [b.c(5), b.c(0), b.c(2)], 2);
    b.putGpr(6, big);
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out.slice(1, 6)).toEqual([
      '  put eax, 0x44332211', '  put ecx, 0xffffff80', '  put edx, 1', '  put ebx, 0xfffffffd', '  put ebp, 0xffffffff',
    ]);
    expect(out[6]).toBe('  t5, t6 = helper div64u(5, 0, 2)');
  });

  it('folds select with a constant condition or equal arms', () => {
    const b = newBlock();
    b.insn(0x1000, 1, 'x');
    const a = b.gpr(1), c = b.gpr(2);
    b.putGpr(0, b.select(b.c(0), a, c));
    b.putGpr(3, b.select(c, a, a));
    expect(fold(b.finish({ kind: 'jump', target: 0 })).slice(3, 5)).toEqual(['  put eax, t1', '  put ebx, t0']);
  });

  it('folds flags.get of a constant thunk, and flags.all', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'cmp');
    b.setFlags('sub', 4, b.c(0), b.c(7), b.c(7));
    b.insn(0x1002, 2, 'jcc');
    const e = b.flag('e'), l = b.flag('l'), all = b.flagsAll();
    b.putGpr(0, e); b.putGpr(1, l); b.putGpr(2, all);
    expect(fold(b.finish({ kind: 'jump', target: 0 })).slice(3, 6)).toEqual(['  put eax, 1', '  put ecx, 0', '  put edx, 0x44']);
  });

  it('knows CF, OF and AF after any logic thunk, but not ZF', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'test');
    const a = b.gpr(0);
    b.setFlags('logic', 4, a, a, a);
    b.insn(0x1002, 2, 'x');
    b.putGpr(1, b.flag('b'));
    b.putGpr(2, b.flag('no'));
    b.putGpr(3, b.flag('e'));
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  put ecx, 0');
    expect(out).toContain('  put edx, 1');
    expect(out).toContain('  t3 = flags.get e');
  });

  it('does not fold flags across an emulate, nor after a thunk with an unknown guard', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'cmp');
    b.setFlags('sub', 4, b.c(0), b.c(7), b.c(7));
    b.insn(0x1002, 1, 'popf');
    b.emulate('popf', [b.c(4)], 0x1003);
    b.insn(0x1003, 2, 'x');
    b.putGpr(0, b.flag('e'));
    b.setFlags('shl', 4, b.c(2), b.c(1), b.c(1), b.c(0), b.gpr(1)); // guard unknown
    b.insn(0x1005, 2, 'x');
    b.putGpr(0, b.flag('cf'));
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out.filter((l) => l.includes('flags.get'))).toEqual(['  t0 = flags.get e', '  t2 = flags.get cf']);
  });

  it('resolves constant guards: 0 drops the thunk, non-zero makes it unconditional (and known)', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'shl eax,0');
    b.setFlags('shl', 4, b.c(2), b.c(1), b.c(1), b.c(0), b.c(0));
    b.insn(0x1002, 2, 'shl eax,1');
    b.setFlags('shl', 4, b.c(2), b.c(1), b.c(1), b.c(0), b.c(1));
    b.insn(0x1004, 2, 'x');
    b.putGpr(0, b.flag('cf'));
    expect(fold(b.finish({ kind: 'jump', target: 0 }))).toEqual([
      '; 0x00001000  shl eax,0', '; 0x00001002  shl eax,1', '  flags.set shl.32 2, 1, 1, 0', '; 0x00001004  x',
      '  put eax, 0', '  exit jump 0x00000000',
    ]);
  });

  it('drops a raise that cannot happen; a certain one becomes unconditional and ends the block', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'div');
    b.raise(0, null, b.bin('eq', b.c(4), b.c(0)));
    b.insn(0x1002, 2, 'div');
    b.raise(0, null, b.bin('eq', b.c(0), b.c(0)));
    b.putGpr(0, b.c(1));
    b.insn(0x1004, 1, 'nop');
    const out = constFold(b.finish({ kind: 'jump', target: 0x1005 }));
    expect(runPass(constFold, out)).toEqual([
      '; 0x00001000  div', '; 0x00001002  div', '  raise #0', '  exit dispatch 0x00001004',
    ]);
    expect([out.guestInsns, out.guestLength]).toEqual([2, 4]);
  });

  it('drops a never-taken exit.if; an always-taken one ends the block there', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'rep movsb');
    b.exitIf(b.c(0), 0x1002);
    b.insn(0x1002, 2, 'rep stosb');
    b.exitIf(b.bin('eq', b.c(0), b.c(0)), 0x1004);
    b.store(1, b.gpr(7), b.c(0));
    b.insn(0x1004, 1, 'nop');
    const block = fold(b.finish({ kind: 'jump', target: 0x1005 }));
    expect(block).toEqual(['; 0x00001000  rep movsb', '; 0x00001002  rep stosb', '  exit jump 0x00001004']);
    const b2 = newBlock();
    b2.insn(0x1000, 2, 'x');
    b2.exitIf(b2.c(1), 0x1002);
    b2.insn(0x1002, 1, 'nop');
    const out = constFold(b2.finish({ kind: 'jump', target: 0x1003 }));
    expect([out.guestInsns, out.guestLength]).toEqual([1, 2]);
  });

  it('turns a constant branch and a constant indirect target into jumps', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'jz');
    const exit = fold(b.finish({ kind: 'branch', cond: b.bin('ne', b.c(1), b.c(2)), taken: 0x2000, fallthrough: 0x1002 }));
    expect(exit.at(-1)).toBe('  exit jump 0x00002000');
    const b2 = newBlock();
    b2.insn(0x1000, 2, 'jmp eax');
    expect(fold(b2.finish({ kind: 'indirect', target: b2.bin('add', b2.c(0x3000), b2.c(4)), hint: 'jmp' })).at(-1))
      .toBe('  exit jump 0x00003004');
    const b3 = newBlock();
    b3.insn(0x1000, 2, 'jz');
    expect(fold(b3.finish({ kind: 'branch', cond: b3.c(0), taken: 0x2000, fallthrough: 0x1002 })).at(-1))
      .toBe('  exit jump 0x00001002');
  });

  it('uses known bits: an 8-bit register merge read back is a constant, a mask that changes nothing goes', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'mov al,0x12');
    const eax = b.gpr(0);
    const merged = b.bin('or', b.bin('and', eax, b.c(0xffffff00)), b.c(0x12));
    b.insn(0x1002, 2, 'x');
    b.putGpr(1, b.bin('and', merged, b.c(0xff))); // every bit known: 0x12
    const cmp = b.bin('ltu', eax, b.c(5));
    b.putGpr(2, b.bin('and', cmp, b.c(1))); // a comparison is 0 or 1 already
    b.putGpr(3, b.bin('or', merged, b.c(0x10))); // bit 4 of 0x12 is already set
    b.putGpr(5, b.bin('and', merged, b.c(0xfff))); // upper bits of eax unknown: stays
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  put ecx, 0x12');
    expect(out).toContain('  put edx, t4');
    expect(out).toContain('  put ebx, t2');
    expect(out).toContain('  t7 = and t2, 0xfff');
  });

  it('reads CF after inc/dec and CF/OF after mul from the thunk aux, when aux is 0 or 1', () => {
    const b = newBlock();
    b.insn(0x1000, 1, 'inc eax');
    const a = b.gpr(0);
    const cf = b.flag('cf');
    b.setFlags('inc', 4, b.bin('add', a, b.c(1)), a, b.c(1), cf);
    b.insn(0x1001, 1, 'x');
    b.putGpr(1, b.flag('cf'));
    b.putGpr(2, b.flag('ae')); // needs a negation: not rewritten
    b.setFlags('inc', 4, b.c(0), a, b.c(1), a); // aux not known to be boolean
    b.insn(0x1002, 1, 'y');
    b.putGpr(3, b.flag('b'));
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  put ecx, t1');
    expect(out).toContain('  t4 = flags.get ae');
    expect(out).toContain('  t5 = flags.get b');
  });

  it('replaces thunk operands the kind never reads by 0 (temps only)', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'and eax,ecx');
    const a = b.gpr(0), c = b.gpr(1);
    b.setFlags('logic', 4, b.bin('and', a, c), a, c);
    b.insn(0x1002, 2, 'inc');
    b.setFlags('inc', 4, a, c, b.c(1), b.c(0));
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  flags.set logic.32 t2, 0, 0, 0');
    expect(out).toContain('  flags.set inc.32 t0, t1, 1, 0');
  });

  it('reuses a repeated pure computation, so xor al,al becomes 0', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'xor al,al');
    const eax = b.gpr(0);
    const x = b.bin('and', eax, b.c(0xff)), y = b.bin('and', b.c(0xff), eax); // commutative: same value
    b.putGpr(0, b.bin('xor', x, y));
    b.putGpr(1, b.bin('sub', b.bin('shl', eax, b.c(3)), b.bin('shl', eax, b.c(3))));
    b.putGpr(2, b.bin('sub', b.bin('shl', eax, b.c(3)), b.bin('shl', eax, b.c(4)))); // different: kept
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  put eax, 0');
    expect(out).toContain('  put ecx, 0');
    expect(out.filter((l) => l.includes('shl'))).toEqual(['  t4 = shl t0, 3', '  t8 = shl t0, 4']);
  });

  it('looks through or/xor sides a mask makes irrelevant (reading AL back from a merged EAX)', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'in al,dx; test al,0x20');
    const eax = b.gpr(0);
    const v = b.emulate('in', [b.c(0x3fd), b.c(1)], 0x1002, true)!;
    const merged = b.bin('or', b.bin('and', eax, b.c(0xffffff00)), b.bin('and', v, b.c(0xff)));
    b.putGpr(0, b.bin('and', b.bin('and', merged, b.c(0xff)), b.c(0x20)));
    b.putGpr(1, b.bin('and', b.bin('xor', merged, b.c(0x300)), b.c(0xff))); // xor touches bits the mask drops
    b.putGpr(2, b.bin('and', merged, b.c(0x1ff))); // bit 8 comes from eax: stays
    const out = fold(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  t6 = and t1, 0x20');
    expect(out).toContain('  put ecx, t3'); // and t1, 0xff: the same as t3
    expect(out).toContain('  t9 = and t4, 0x1ff');
  });
});
