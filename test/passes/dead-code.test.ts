/* dead-code on hand-built blocks. */
import { describe, expect, it } from 'vitest';
import { deadCode } from '../../src/passes/dead-code.js';
import { newBlock, runPass } from './pass-test-helpers.js';

describe('dead-code', () => {
  it('removes chains of unused pure ops, keeps what the exit and puts use', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'x');
    const a = b.gpr(0), c = b.gpr(1);
    const dead = b.bin('add', a, c);
    b.unary('not', dead);
    b.flag('e');
    b.flagsAll();
    b.helper('div64u', [a, c, b.c(3)], 2);
    b.putGpr(2, b.bin('sub', a, b.c(1)));
    const out = runPass(deadCode, b.finish({ kind: 'indirect', target: c, hint: 'ret' }));
    expect(out).toEqual([
      '; 0x00001000  x', '  t0 = get eax', '  t1 = get ecx', '  t8 = sub t0, 1', '  put edx, t8',
      '  exit indirect t1 (ret)',
    ]);
  });

  it('never removes puts, stores, flags.set, raise, exit.if, emulate or insn markers', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'x');
    b.store(4, b.c(0x10), b.c(1));
    b.raise(13, 0, b.c(0));
    b.exitIf(b.c(0), 0x2000);
    b.emulate('cli', [], 0x1002);
    b.setFlags('logic', 4, b.c(0));
    b.putGpr(0, b.c(0));
    b.insn(0x1002, 1, 'nop');
    const block = b.finish({ kind: 'jump', target: 0 });
    expect(runPass(deadCode, block)).toHaveLength(block.ops.length + 1);
  });

  it('keeps a dead load (its #PF is behaviour) unless the mode says memory cannot fault', () => {
    const build = () => {
      const b = newBlock();
      b.insn(0x1000, 3, 'cmp [eax],0');
      b.load(4, b.gpr(0));
      return b.finish({ kind: 'jump', target: 0 });
    };
    expect(runPass(deadCode, build())).toContain('  t1 = load32 t0');
    expect(runPass((x) => deadCode(x, { memoryCannotFault: true }), build())).toEqual([
      '; 0x00001000  cmp [eax],0', '  exit jump 0x00000000',
    ]);
  });
});
