/**
 * Control in compiled regions: loops as JS control flow, budget exits with
 * exact icount, emulate (Continue reloads registers, Leave hands over), raise
 * (state as before the instruction), exitIf, the thunk between blocks, and
 * the self-modifying-store exit.
 */
import { describe, expect, test } from 'vitest';
import { ExitCode } from '../../src/codegen/exit-codes.js';
import { materializeFlags } from '../../src/state/flags-thunk.js';
import { EFLAGS_SYS_SLOT, IrBuilder } from '../../src/ir/builder.js';
import { routineIndex, VmmResult } from '../../src/vmm-interface/interface.js';
import { TestMachine } from './harness.js';

/** 0x1000: mov ecx, n-style loop: `l: add eax, ecx; dec ecx; jnz l` then exit to 0x2000. */
function countdownLoop(): ReturnType<IrBuilder['finish']>[] {
  const b = new IrBuilder(0x1000, 0);
  b.insn(0x1000, 2, 'add eax, ecx');
  const s = b.bin('add', b.gpr(0), b.gpr(1));
  b.putGpr(0, s);
  b.insn(0x1002, 1, 'dec ecx');
  const c = b.gpr(1);
  const d = b.bin('sub', c, b.c(1));
  b.setFlags('dec', 4, d, c, b.c(1), b.c(0));
  b.putGpr(1, d);
  b.insn(0x1003, 2, 'jnz l');
  const nz = b.flag('ne');
  return [b.finish({ kind: 'branch', cond: nz, taken: 0x1000, fallthrough: 0x1005 })];
}

describe('loops and budget', () => {
  test('a self-loop runs inside one call and icount is exact', () => {
    const m = new TestMachine();
    m.cpu.regs[1] = 1000;
    const xc = m.run(countdownLoop());
    expect(xc).toBe(0); // the only direct exit
    expect(m.cpu.eip).toBe(0x1005);
    expect(m.cpu.regs[0]).toBe(500500);
    expect(m.cpu.icount).toBe(3000);
    expect(m.cpu.budget).toBe(1_000_000 - 3000);
  });

  test('a block that does not fit the budget does not start', () => {
    const m = new TestMachine();
    m.cpu.regs[1] = 1000;
    m.cpu.budget = 10; // three iterations (9 insns) fit, the fourth does not
    const { region } = m.compile(countdownLoop());
    expect(region.run()).toBe(ExitCode.Budget);
    expect(m.cpu.eip).toBe(0x1000);
    expect(m.cpu.icount).toBe(9);
    expect(m.cpu.budget).toBe(1);
    expect(m.cpu.regs[1]).toBe(997);
    m.cpu.budget = 1_000_000;
    region.run();
    expect(m.cpu.icount).toBe(3000);
    expect(m.cpu.regs[0]).toBe(500500);
  });

  test('blocks of a region transfer to each other and the thunk crosses blocks in locals', () => {
    const m = new TestMachine();
    // block A: cmp eax, ebx; jmp B (no flags.get in A)  block B: setl ecx; jmp out
    const a = new IrBuilder(0x1000, 0);
    a.insn(0x1000, 2, 'cmp eax, ebx');
    const x = a.gpr(0), y = a.gpr(3);
    a.setFlags('sub', 4, a.bin('sub', x, y), x, y);
    a.insn(0x1002, 2, 'jmp b');
    const bb = new IrBuilder(0x1010, 0);
    bb.insn(0x1010, 3, 'setl cl');
    bb.putGpr(1, bb.flag('l'));
    bb.insn(0x1013, 2, 'jmp out');
    const { source, region } = m.compile([a.finish({ kind: 'jump', target: 0x1010 }), bb.finish({ kind: 'jump', target: 0x3000 })]);
    // B's only way in is from A, whose thunk is a sub: B reads the locals as one, no materialiser.
    expect(source).not.toMatch(/CCF\(|CONDS\./);
    for (const [p, q] of [[1, 2], [2, 1], [-5, 3], [0x7fffffff, -1]] as const) {
      m.cpu.regs[0] = p;
      m.cpu.regs[3] = q;
      region.run();
      expect(m.cpu.regs[1]).toBe(p < q ? 1 : 0);
      expect(materializeFlags(m.cpu) & 0x40).toBe(p === q ? 0x40 : 0);
    }
    expect(region.exitTargets).toEqual([0x3000]);
  });

  test('a loop over two blocks runs as one JS loop (the body inlined into its header), icount and budget exact', () => {
    // 0x1000: dec ecx; jz 0x2000 (out)   0x1010: add eax, ecx; jmp 0x1000
    const loop = (): ReturnType<IrBuilder['finish']>[] => {
      const h = new IrBuilder(0x1000, 0);
      h.insn(0x1000, 1, 'dec ecx');
      const c = h.gpr(1), d = h.bin('sub', c, h.c(1));
      h.setFlags('dec', 4, d, c, h.c(1), h.c(0));
      h.putGpr(1, d);
      h.insn(0x1001, 2, 'jz out');
      const z = h.flag('e');
      const body = new IrBuilder(0x1010, 0);
      body.insn(0x1010, 2, 'add eax, ecx');
      body.putGpr(0, body.bin('add', body.gpr(0), body.gpr(1)));
      body.insn(0x1012, 2, 'jmp head');
      return [h.finish({ kind: 'branch', cond: z, taken: 0x2000, fallthrough: 0x1010 }), body.finish({ kind: 'jump', target: 0x1000 })];
    };
    const m = new TestMachine();
    const { source, region } = m.compile(loop());
    expect(source).toContain('continue b0;');
    expect(source).not.toContain('case 1:');
    m.cpu.regs[1] = 100;
    expect(region.run()).toBe(0);
    expect(m.cpu.eip).toBe(0x2000);
    expect(m.cpu.regs[0]).toBe(4950);
    expect(m.cpu.icount).toBe(2 * 100 + 2 * 99);
    const n = new TestMachine();
    const again = n.compile(loop()).region;
    n.cpu.regs[1] = 100;
    n.cpu.budget = 5; // header, body, then the header does not fit and does not start
    expect(again.run()).toBe(ExitCode.Budget);
    expect(n.cpu.eip).toBe(0x1000);
    expect(n.cpu.icount).toBe(4);
    expect(n.cpu.regs[1]).toBe(99);
    expect(n.cpu.regs[0]).toBe(99);
  });

  test('a tiny block with several ways in is copied into each, and each copy loops back or dispatches right', () => {
    // 0x1000 (entry): dec ecx; jz 0x2000 else 0x1010.  0x1010: add eax, 1; jmp 0x1000 (tiny, two ways in).
    // 0x1005: edx == 0 ? 0x1020 : 0x1010.  0x1020: add eax, 100; edx = 1; jmp 0x1010 — a second way into 0x1010.
    const h = new IrBuilder(0x1000, 0);
    h.insn(0x1000, 1, 'dec ecx');
    const c = h.gpr(1), d = h.bin('sub', c, h.c(1));
    h.putGpr(1, d);
    h.insn(0x1001, 2, 'jz out');
    const z = h.bin('eq', d, h.c(0));
    const t = new IrBuilder(0x1010, 0);
    t.insn(0x1010, 3, 'add eax, 1');
    t.putGpr(0, t.bin('add', t.gpr(0), t.c(1)));
    t.insn(0x1013, 2, 'jmp head');
    const o = new IrBuilder(0x1020, 0);
    o.insn(0x1020, 3, 'add eax, 100');
    o.putGpr(0, o.bin('add', o.gpr(0), o.c(100)));
    o.putGpr(2, o.c(1));
    o.insn(0x1023, 2, 'jmp tiny');
    const hb = h.finish({ kind: 'branch', cond: z, taken: 0x2000, fallthrough: 0x1005 });
    // Split the header's second test into its own block so 0x1010 has two ways in: from 0x1005 and from 0x1020.
    const s2 = new IrBuilder(0x1005, 0);
    s2.insn(0x1005, 2, 'test edx; jz other');
    const ez = s2.bin('eq', s2.gpr(2), s2.c(0));
    const m = new TestMachine();
    const { source, region } = m.compile([
      hb,
      s2.finish({ kind: 'branch', cond: ez, taken: 0x1020, fallthrough: 0x1010 }),
      t.finish({ kind: 'jump', target: 0x1000 }),
      o.finish({ kind: 'jump', target: 0x1010 }),
    ]);
    expect(source).not.toContain('case 2:'); // the tiny block has no case of its own
    m.cpu.regs[1] = 10;
    m.cpu.regs[2] = 0;
    expect(region.run()).toBe(0);
    expect(m.cpu.eip).toBe(0x2000);
    // The first pass goes through 0x1020 (edx = 0: +100, edx := 1), then 0x1010 runs nine times in all.
    expect(m.cpu.regs[0]).toBe(100 + 9);
    // header 2 insns × 10, 0x1005 1 × 9, 0x1020 2 × 1, 0x1010 2 × 9
    expect(m.cpu.icount).toBe(10 * 2 + 9 + 2 + 9 * 2);
  });

  test('a block entered with thunks of different kinds reads its condition at run time, right for each', () => {
    const m = new TestMachine();
    // A: cmp eax, ebx; ecx != 0 ? B : C.  C: add eax, ebx; jmp B.  B: setl cl; jmp out.
    const a = new IrBuilder(0x1000, 0);
    a.insn(0x1000, 2, 'cmp eax, ebx');
    const x = a.gpr(0), y = a.gpr(3);
    a.setFlags('sub', 4, a.bin('sub', x, y), x, y);
    a.insn(0x1002, 2, 'jecxz-like');
    const nz = a.bin('ne', a.gpr(1), a.c(0));
    const c = new IrBuilder(0x1020, 0);
    c.insn(0x1020, 2, 'add eax, ebx');
    const cx = c.gpr(0), cy = c.gpr(3), sum = c.bin('add', cx, cy);
    c.setFlags('add', 4, sum, cx, cy);
    c.putGpr(0, sum);
    c.insn(0x1022, 2, 'jmp b');
    const b = new IrBuilder(0x1010, 0);
    b.insn(0x1010, 3, 'setl cl');
    b.putGpr(1, b.flag('l'));
    b.insn(0x1013, 2, 'jmp out');
    const { source, region } = m.compile([
      a.finish({ kind: 'branch', cond: nz, taken: 0x1010, fallthrough: 0x1020 }),
      b.finish({ kind: 'jump', target: 0x3000 }),
      c.finish({ kind: 'jump', target: 0x1010 }),
    ]);
    expect(source).toContain('CONDS.l(');
    for (const [p, q] of [[1, 2], [2, 1], [-5, 3], [0x7fffffff, 1], [-0x80000000, -1]] as const) {
      for (const viaAdd of [false, true]) {
        m.cpu.regs[0] = p;
        m.cpu.regs[3] = q;
        m.cpu.regs[1] = viaAdd ? 0 : 1;
        region.run();
        // SF != OF of the flags' instruction: sub compares signed, add's sum may overflow.
        const r = (p + q) | 0, addLess = (r < 0) !== (((p ^ r) & (q ^ r)) < 0);
        expect(m.cpu.regs[1]).toBe((viaAdd ? addLess : p < q) ? 1 : 0);
      }
    }
  });

  test('a guarded flags.set only replaces the thunk when its guard is non-zero', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 2, 'shl eax, cl');
    const v = b.gpr(0), c = b.gpr(1);
    const r = b.bin('shl', v, c);
    b.putGpr(0, r);
    b.setFlags('shl', 4, r, v, c, b.c(0), c);
    const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    m.cpu.ccOp = 0; m.cpu.ccRes = 0x801; // explicit: OF and CF set
    m.cpu.regs.set([1, 0]);
    region.run();
    expect(materializeFlags(m.cpu)).toBe(0x801);
    m.cpu.regs.set([0x80000000 | 0, 1]);
    region.run();
    expect(materializeFlags(m.cpu) & 0x841).toBe(0x41 | 0x800); // CF=1, ZF=1, OF = msb(res) ^ CF = 1
  });
});

describe('the flags thunk at region entry', () => {
  function setzBlock(setFirst: boolean) {
    const b = new IrBuilder(0x1000, 0);
    if (setFirst) {
      b.insn(0x1000, 2, 'cmp eax, ecx');
      const a = b.gpr(0), c = b.gpr(1);
      b.setFlags('sub', 4, b.bin('sub', a, c), a, c, b.c(0), null);
    }
    b.insn(0x1002, 3, 'setz dl');
    b.putGpr(2, b.flag('e'));
    return b.finish({ kind: 'jump', target: 0x2000 });
  }

  test('a region that reads the flags before any set sees the thunk it was entered with', () => {
    const m = new TestMachine();
    const { region } = m.compile([setzBlock(false)]);
    for (const zf of [0, 0x40]) {
      m.cpu.ccOp = 0; m.cpu.ccRes = zf | 0x801; // explicit flags: ZF as given, CF and OF set
      region.run();
      expect(m.cpu.regs[2]).toBe(zf ? 1 : 0);
      expect(materializeFlags(m.cpu)).toBe(zf | 0x801); // and leaves them as they were
    }
  });

  test('a region that sets the flags before reading them neither loads the entry thunk nor needs it', () => {
    const m = new TestMachine();
    const { region, source } = m.compile([setzBlock(true)]);
    expect(source).not.toMatch(/= cpu\.cc/); // no load in the prologue: the set makes the entry thunk dead
    m.cpu.ccOp = 0; m.cpu.ccRes = 0;
    m.cpu.regs.set([5, 5, 9]);
    region.run();
    expect(m.cpu.regs[2]).toBe(1);
    expect(materializeFlags(m.cpu) & 0x8d5).toBe(0x44); // ZF and PF of 5 - 5, written back
  });
});

describe('VMM calls', () => {
  test('emulate Continue: registers written back before, reloaded after, result in dst, icount exact', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'inc eax');
    b.putGpr(0, b.bin('add', b.gpr(0), b.c(1)));
    b.insn(0x1001, 1, 'in al, dx');
    const r = b.emulate('in', [b.gpr(2), b.c(1)], 0x1002, true)!;
    b.putGpr(3, r);
    b.insn(0x1002, 1, 'inc ecx');
    b.putGpr(1, b.bin('add', b.gpr(1), b.c(1)));
    m.monitor.onEmulate = (call) => {
      expect(call.eip).toBe(0x1001);
      expect(call.regs[0]).toBe(11); // the inc before was written back
      expect(m.cpu.icount).toBe(1); // only the inc retired so far
      m.cpu.regs[1] = 100; // the monitor changes a register the region keeps in a local
      m.monitor.result = 0x42;
      return VmmResult.Continue;
    };
    m.cpu.regs.set([10, 0, 0x3f8]);
    const xc = m.run([b.finish({ kind: 'jump', target: 0x2000 })]);
    expect(xc).toBe(0);
    expect(m.monitor.emulates[0]).toMatchObject({ routine: routineIndex('in'), next: 0x1002, args: [0x3f8, 1, 0] });
    expect(Array.from(m.cpu.regs.slice(0, 4))).toEqual([11, 101, 0x3f8, 0x42]);
    expect(m.cpu.icount).toBe(3);
  });

  test('emulate Leave: the region returns at once and does not overwrite what the monitor set', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'inc eax');
    b.putGpr(0, b.bin('add', b.gpr(0), b.c(1)));
    b.insn(0x1001, 2, 'int 0x80');
    b.emulate('int', [b.c(0x80)], 0x1003);
    b.insn(0x1003, 1, 'inc eax');
    b.putGpr(0, b.bin('add', b.gpr(0), b.c(1)));
    m.monitor.onEmulate = () => {
      m.cpu.eip = 0x5000;
      m.cpu.regs[0] = 77;
      return VmmResult.Leave;
    };
    const xc = m.run([b.finish({ kind: 'jump', target: 0x2000 })]);
    expect(xc).toBe(ExitCode.Leave);
    expect(m.cpu.eip).toBe(0x5000);
    expect(m.cpu.regs[0]).toBe(77);
    expect(m.cpu.icount).toBe(2); // inc and the int itself
  });

  test('raise: state as before the instruction, eip at it, faulting instruction not counted', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'inc eax');
    const x = b.gpr(0);
    const y = b.bin('add', x, b.c(1));
    b.setFlags('inc', 4, y, x, b.c(1), b.c(0));
    b.putGpr(0, y);
    b.insn(0x1001, 2, 'div ecx');
    const zero = b.bin('eq', b.gpr(1), b.c(0));
    b.raise(0, null, zero);
    b.putGpr(2, b.c(99));
    b.insn(0x1003, 1, 'nop');
    m.cpu.regs.set([0x7fffffff, 0, 5]);
    const { region } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    expect(region.run()).toBe(ExitCode.Leave);
    expect(m.monitor.raises).toEqual([{ vector: 0, errorCode: -1, eip: 0x1001 }]);
    expect(m.cpu.regs[0]).toBe(-0x80000000);
    expect(m.cpu.regs[2]).toBe(5);
    expect(materializeFlags(m.cpu) & 0x880).toBe(0x880); // the inc's thunk was written back: OF, SF
    expect(m.cpu.icount).toBe(1);
    m.cpu.regs[1] = 3;
    expect(region.run()).toBe(0);
    expect(m.cpu.regs[2]).toBe(99);
    expect(m.cpu.icount).toBe(4);
  });

  test('exitIf leaves for its target with the instruction retired', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 2, 'rep stosb');
    b.exitIf(b.bin('eq', b.gpr(1), b.c(0)), 0x1002);
    b.putGpr(1, b.bin('sub', b.gpr(1), b.c(1)));
    const c = b.gpr(1);
    m.cpu.regs[1] = 0;
    const { region } = m.compile([b.finish({ kind: 'branch', cond: c, taken: 0x1000, fallthrough: 0x1002 })]);
    expect(region.run()).toBe(0);
    expect(m.cpu.eip).toBe(0x1002);
    expect(m.cpu.icount).toBe(1);
    m.cpu.regs[1] = 5;
    region.run();
    expect(m.cpu.regs[1]).toBe(0);
    expect(m.cpu.icount).toBe(1 + 5);
  });

  test('put eflags.sys keeps bit 1 set', () => {
    const m = new TestMachine();
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 1, 'std');
    b.put(EFLAGS_SYS_SLOT, b.bin('or', b.get(EFLAGS_SYS_SLOT), b.c(0x400)));
    b.insn(0x1001, 1, 'x');
    b.put(EFLAGS_SYS_SLOT, b.bin('and', b.get(EFLAGS_SYS_SLOT), b.c(0x400)));
    m.run([b.finish({ kind: 'jump', target: 0x2000 })]);
    expect(m.cpu.eflagsSys).toBe(0x402);
  });
});

describe('self-modifying stores', () => {
  function storeBlock(): ReturnType<IrBuilder['finish']> {
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 2, 'mov [ebx], eax');
    b.store(4, b.gpr(3), b.gpr(0));
    b.insn(0x1002, 1, 'inc ecx');
    b.putGpr(1, b.bin('add', b.gpr(1), b.c(1)));
    return b.finish({ kind: 'jump', target: 0x1000 });
  }

  test('a store to a page without code does not call the cache', () => {
    const m = new TestMachine();
    let calls = 0;
    m.codeWrite = () => (calls++, 0);
    m.codePages[1] = 1;
    m.cpu.regs.set([1, 0, 0, 0x5000]);
    m.cpu.budget = 30;
    m.run([storeBlock()]);
    expect(calls).toBe(0);
    expect(m.cpu.regs[1]).toBe(15);
  });

  test('a hit that invalidates the running region exits after the storing instruction', () => {
    const m = new TestMachine();
    const calls: number[][] = [];
    m.codeWrite = (a, s) => (calls.push([a, s]), 1);
    m.codePages[1] = 1;
    m.cpu.regs.set([1, 0, 0, 0x1ffe]); // straddles pages 1 and 2
    m.codePages[1] = 0;
    m.codePages[2] = 1;
    expect(m.run([storeBlock()])).toBe(ExitCode.CodeModified);
    expect(calls).toEqual([[0x1ffe, 4]]);
    expect(m.cpu.eip).toBe(0x1002);
    expect(m.cpu.icount).toBe(1);
    expect(m.cpu.regs[1]).toBe(0);
  });

  test('a hit that leaves the running region valid carries on', () => {
    const m = new TestMachine();
    let calls = 0;
    m.codeWrite = () => (calls++, 0);
    m.codePages[1] = 1;
    m.cpu.regs.set([1, 0, 0, 0x1800]);
    m.cpu.budget = 30;
    expect(m.run([storeBlock()])).toBe(ExitCode.Budget);
    expect(calls).toBe(15);
    expect(m.cpu.regs[1]).toBe(15);
  });

  test('a thunk only a cold exit needs is computed on that exit alone, and is right there', () => {
    // imul ebx, edi (thunk needs the high half) ; mov [esi], ebx ; cmp ebx, 5 (overwrites the thunk)
    const b = new IrBuilder(0x1000, 0);
    b.insn(0x1000, 3, 'imul ebx, edi');
    const x = b.gpr(3), y = b.gpr(7);
    const lo = b.bin('mul', x, y);
    const hi = b.bin('smulhi', x, y);
    const big = b.bin('ne', hi, b.bin('sar', lo, b.c(31)));
    b.setFlags('mul', 4, lo, x, y, big);
    b.putGpr(3, lo);
    b.insn(0x1003, 2, 'mov [esi], ebx');
    b.store(4, b.gpr(6), lo);
    b.insn(0x1005, 3, 'cmp ebx, 5');
    b.setFlags('sub', 4, b.bin('sub', lo, b.c(5)), lo, b.c(5));
    const m = new TestMachine();
    const { region, source } = m.compile([b.finish({ kind: 'jump', target: 0x2000 })]);
    const smulhiLines = source.split('\n').filter((l) => l.includes('SMULHI'));
    expect(smulhiLines.length).toBe(1);
    expect(smulhiLines[0]).toMatch(/^if \(inv !== 0\)/);
    // Normal path: the cmp's thunk.
    m.cpu.regs.set([0, 0, 0, 0x10000, 0, 0, 0x5000, 0x10000]);
    expect(region.run()).toBe(0);
    expect(materializeFlags(m.cpu) & 0x801).toBe(1); // low half 0; cmp 0,5 borrows: CF only
    // Cold path: the store hits code; the imul's thunk (overflow: CF = OF = 1) must be what is left.
    m.codePages[5] = 1;
    m.codeWrite = () => 1;
    m.cpu.regs.set([0, 0, 0, 0x10000, 0, 0, 0x5000, 0x10000]);
    expect(region.run()).toBe(ExitCode.CodeModified);
    expect(m.cpu.eip).toBe(0x1005);
    expect(materializeFlags(m.cpu) & 0x801).toBe(0x801);
  });
});
