/* get-put on hand-built blocks, including the precise-exception traps. */
import { describe, expect, it } from 'vitest';
import { EFLAGS_SYS_SLOT, segBaseSlot } from '../../src/ir/builder.js';
import { getPut } from '../../src/passes/get-put.js';
import { newBlock, runPass } from './pass-test-helpers.js';

const run = runPass.bind(null, getPut);

describe('get-put', () => {
  it('forwards a put to a later get of the same register', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'mov eax,ecx');
    b.putGpr(0, b.gpr(1));
    b.insn(0x1002, 2, 'add eax,eax');
    const a = b.gpr(0);
    b.putGpr(2, b.bin('add', a, a));
    expect(run(b.finish({ kind: 'jump', target: 0 }))).toEqual([
      '; 0x00001000  mov eax,ecx', '  t0 = get ecx', '  put eax, t0',
      '; 0x00001002  add eax,eax', '  t2 = add t0, t0', '  put edx, t2', '  exit jump 0x00000000',
    ]);
  });

  it('reuses an earlier get of the same slot, any kind of slot', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'x');
    const s1 = b.get(segBaseSlot(3)), f1 = b.get(EFLAGS_SYS_SLOT);
    b.insn(0x1002, 2, 'y');
    const s2 = b.get(segBaseSlot(3)), f2 = b.get(EFLAGS_SYS_SLOT);
    b.putGpr(0, b.bin('add', s1, s2));
    b.putGpr(1, b.bin('xor', f1, f2));
    const out = run(b.finish({ kind: 'jump', target: 0 }));
    expect(out.filter((l) => l.includes('= get'))).toHaveLength(2);
    expect(out).toContain('  t4 = add t0, t0');
  });

  it('drops a put overwritten before anything could observe it', () => {
    const b = newBlock();
    b.insn(0x1000, 5, 'mov eax,1');
    b.putGpr(0, b.c(1));
    b.insn(0x1005, 5, 'mov eax,2');
    b.putGpr(0, b.c(2));
    expect(run(b.finish({ kind: 'jump', target: 0 }))).toEqual([
      '; 0x00001000  mov eax,1', '; 0x00001005  mov eax,2', '  put eax, 2', '  exit jump 0x00000000',
    ]);
  });

  it.each(['load', 'store', 'raise', 'exitIf', 'emulate'] as const)(
    'keeps a put when a %s lies between it and the overwriting put (a fault must see it)', (kind) => {
      const b = newBlock();
      b.insn(0x1000, 5, 'mov eax,1');
      b.putGpr(0, b.c(1));
      b.insn(0x1005, 3, 'may fault');
      if (kind === 'load') b.putGpr(2, b.load(4, b.gpr(3)));
      if (kind === 'store') b.store(4, b.gpr(3), b.c(0));
      if (kind === 'raise') b.raise(13, 0, b.gpr(3));
      if (kind === 'exitIf') b.exitIf(b.gpr(3), 0x2000);
      if (kind === 'emulate') b.emulate('cli', [], 0x1008);
      b.insn(0x1008, 5, 'mov eax,2');
      b.putGpr(0, b.c(2));
      const out = run(b.finish({ kind: 'jump', target: 0 }));
      expect(out).toContain('  put eax, 1');
      expect(out).toContain('  put eax, 2');
    });

  it('forgets every slot after an emulate (the VMM may change any of them)', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'x');
    b.putGpr(0, b.c(1));
    const base = b.get(segBaseSlot(0));
    b.insn(0x1002, 3, 'mov es,ax');
    b.emulate('loadSeg', [b.c(0), b.c(0x10)], 0x1005);
    b.insn(0x1005, 2, 'y');
    b.putGpr(1, b.bin('add', b.gpr(0), b.get(segBaseSlot(0))));
    b.putGpr(2, base);
    const out = run(b.finish({ kind: 'jump', target: 0 }));
    expect(out).toContain('  t1 = get eax');
    expect(out).toContain('  t2 = get es.base');
  });

  it('forwards across loads, stores and raises (they write no register)', () => {
    const b = newBlock();
    b.insn(0x1000, 2, 'x');
    b.putGpr(0, b.c(7));
    b.insn(0x1002, 2, 'y');
    b.store(4, b.c(0x100), b.c(1));
    b.raise(6, null, b.gpr(0));
    expect(run(b.finish({ kind: 'jump', target: 0 }))).toContain('  raise #6 if 7');
  });

  it('lets a put be overwritten across a load when memory cannot fault, never across a store', () => {
    const build = (access: 'load' | 'store') => {
      const b = newBlock();
      b.insn(0x1000, 5, 'mov eax,1');
      b.putGpr(0, b.c(1));
      b.insn(0x1005, 3, 'access');
      if (access === 'load') b.putGpr(2, b.load(4, b.gpr(3)));
      else b.store(4, b.gpr(3), b.c(0)); // may hit code: the block leaves after it (self-modifying code)
      b.insn(0x1008, 5, 'mov eax,2');
      b.putGpr(0, b.c(2));
      return b.finish({ kind: 'jump', target: 0 });
    };
    const relaxed = (x: Parameters<typeof getPut>[0]) => getPut(x, { memoryCannotFault: true });
    expect(runPass(relaxed, build('load'))).not.toContain('  put eax, 1');
    expect(runPass(relaxed, build('store'))).toContain('  put eax, 1');
    expect(runPass(getPut, build('load'))).toContain('  put eax, 1');
  });
});
