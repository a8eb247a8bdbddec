/**
 * The x87 unit's mechanics from the SDM, without the host CPU: the register
 * stack and tags, stack overflow/underflow with masked and unmasked IE,
 * pending exceptions and the waiting rule, FIP/FOP/FDP recording, the
 * state images round-tripping, fxam's classes, and precise memory faults.
 */
import { describe, expect, it } from 'vitest';
import { EXC_MASK, IE, SF, C1, ES, C0, C2, C3 } from '../../src/fpu/float80.js';
import { fsw, FpuState, resetState, tagWord } from '../../src/fpu/fpu-state.js';
import { executeFwait, executeX87, X87_DONE, X87_MF_PENDING, X87_UNDEFINED, x87Op } from '../../src/fpu/unit/dispatch.js';
import { fxrstorX87, fxsaveX87 } from '../../src/fpu/unit/environment.js';
import { X87Unit } from '../../src/fpu/unit/x87-unit.js';
import { MEM_ADDR } from '../support/x87-oracle.js';
import { FlatMemory, stateOf, TestCpu, TestMemoryFault } from './unit-harness.js';

const ONE = [0x3fff, 0x80000000, 0];

function fresh(): { u: X87Unit; mem: FlatMemory; cpu: TestCpu } {
  const mem = new FlatMemory(new Uint8Array(4096));
  const cpu = new TestCpu(0, 0);
  return { u: new X87Unit(new FpuState(), mem, cpu), mem, cpu };
}

/** Runs a register form or a memory form at MEM_ADDR + off. */
function run(u: X87Unit, opcode: number, modrm: number, off = 0, eip = 0x1000, opSize = 4): number {
  const la = MEM_ADDR + off;
  return executeX87(u, x87Op(opcode, modrm, opSize, 3), la, la, eip);
}

const FLD1: [number, number] = [0xd9, 0xe8];
const FLDZ: [number, number] = [0xd9, 0xee];
const FXAM: [number, number] = [0xd9, 0xe5];

function setSt(u: X87Unit, i: number, v: readonly number[]): void {
  const p = 3 * ((u.s.top + i) & 7);
  u.regs.set(v, p);
  u.s.used |= 1 << ((u.s.top + i) & 7);
}

describe('register stack and tags', () => {
  it('pushes decrement TOP and tag by physical register; the tag word reflects contents', () => {
    const { u } = fresh();
    run(u, ...FLD1);
    run(u, ...FLDZ);
    expect(u.s.top).toBe(6);
    // physical 7 = 1.0 (valid 00), physical 6 = 0.0 (zero 01), the rest empty
    expect(tagWord(u.s)).toBe(0x0fff & ~(3 << 12) | (1 << 12));
    expect(fsw(u.s)).toBe(6 << 11);
  });

  it('a push onto a full stack is an overflow: masked, the indefinite replaces ST(7) with IE, SF and C1', () => {
    const { u } = fresh();
    for (let i = 0; i < 8; i++) run(u, ...FLD1);
    expect(u.s.sw & EXC_MASK).toBe(0);
    run(u, ...FLDZ);
    expect(fsw(u.s) & (IE | SF | C1 | ES)).toBe(IE | SF | C1);
    expect([...stateOf(u).st.slice(0, 3)]).toEqual([0xffff, 0xc0000000, 0]);
    expect(u.s.top).toBe(7);
  });

  it('unmasked overflow changes nothing but the flags, and the next waiting instruction finds #MF pending', () => {
    const { u } = fresh();
    for (let i = 0; i < 8; i++) run(u, ...FLD1);
    u.s.fcw = 0x37e; // IE unmasked
    const before = stateOf(u);
    expect(run(u, ...FLDZ)).toBe(X87_DONE);
    expect(u.errorRaised).toBe(true);
    expect(u.s.top).toBe(before.fsw >>> 11 & 7);
    expect([...stateOf(u).st]).toEqual([...before.st]);
    expect(fsw(u.s) & 0x80ff).toBe(0x8000 | ES | SF | IE);
    expect(run(u, ...FLD1)).toBe(X87_MF_PENDING);
    expect(executeFwait(u)).toBe(X87_MF_PENDING);
    // Non-waiting control instructions still run: fnstsw ax, then fnclex clears the pending state.
    expect(run(u, 0xdf, 0xe0)).toBe(X87_DONE);
    expect(run(u, 0xdb, 0xe2)).toBe(X87_DONE);
    expect(executeFwait(u)).toBe(X87_DONE);
  });

  it('an empty source is an underflow: fstp m32 stores the float indefinite and pops, C1 = 0', () => {
    const { u, mem } = fresh();
    u.s.sw |= C1;
    run(u, 0xd9, 0x1b); // fstp dword [ebx]
    expect(mem.read32(MEM_ADDR)).toBe(0xffc00000);
    expect(fsw(u.s) & (IE | SF | C1)).toBe(IE | SF);
    expect(u.s.top).toBe(1);
  });

  it('fxch with an empty side: masked, the indefinite is swapped in; fincstp/fdecstp move TOP only', () => {
    const { u } = fresh();
    run(u, ...FLD1);
    run(u, 0xd9, 0xc9); // fxch st1 (empty)
    const s = stateOf(u);
    expect([...s.st.slice(0, 6)]).toEqual([0xffff, 0xc0000000, 0, ...ONE]);
    run(u, 0xd9, 0xf7); // fincstp
    expect(u.s.top).toBe(0);
    // physical 0 holds 1.0 (valid 00), physical 7 the indefinite (special 10), the rest empty
    expect(tagWord(u.s)).toBe(0xbffc);
  });

  it('ffree empties without moving TOP; ffreep also pops', () => {
    const { u } = fresh();
    run(u, ...FLD1);
    run(u, ...FLD1);
    run(u, 0xdd, 0xc1); // ffree st1
    expect(u.s.used).toBe(1 << 6);
    run(u, 0xdf, 0xc0); // ffreep st0
    expect(u.s.used).toBe(0);
    expect(u.s.top).toBe(7);
  });

  it('fcmovcc moves only when EFLAGS says so', () => {
    const { u, cpu } = fresh();
    run(u, ...FLD1);
    run(u, ...FLDZ);
    cpu.flags = 0x40; // ZF
    run(u, 0xda, 0xc1); // fcmovb: CF clear, no move
    expect(stateOf(u).st[1]).toBe(0);
    run(u, 0xda, 0xc9); // fcmove: ZF set, move
    expect([...stateOf(u).st.slice(0, 3)]).toEqual(ONE);
  });
});

describe('fxam', () => {
  const cases: [string, number[], number][] = [
    ['zero', [0x8000, 0, 0], C3 | C1],
    ['normal', ONE, C2],
    ['denormal', [0, 1, 0], C3 | C2],
    ['pseudo-denormal', [0, 0x80000000, 0], C3 | C2],
    ['unnormal', [0x3fff, 0x40000000, 0], 0],
    ['infinity', [0xffff, 0x80000000, 0], C2 | C0 | C1],
    ['QNaN', [0x7fff, 0xc0000000, 1], C0],
    ['SNaN', [0x7fff, 0x80000000, 1], C0],
    ['pseudo-NaN', [0x7fff, 0x40000000, 0], 0],
  ];
  for (const [name, v, cc] of cases) {
    it(`classifies ${name}`, () => {
      const { u } = fresh();
      setSt(u, 0, v);
      run(u, ...FXAM);
      expect(fsw(u.s) & (C0 | C1 | C2 | C3)).toBe(cc);
    });
  }
  it('reports an empty ST(0) as 101 with C1 the stale sign', () => {
    const { u } = fresh();
    u.regs[0] = 0x8000;
    run(u, ...FXAM);
    expect(fsw(u.s) & (C0 | C1 | C2 | C3)).toBe(C3 | C0 | C1);
  });
});

describe('pending exceptions and the VMM', () => {
  it('with IGNNE# (ignorePending) waiting instructions run despite a pending exception', () => {
    const { u } = fresh();
    u.s.fcw = 0x37e;
    u.s.sw |= IE | ES;
    expect(run(u, ...FLD1)).toBe(X87_MF_PENDING);
    u.ignorePending = true;
    expect(run(u, ...FLD1)).toBe(X87_DONE);
    expect(executeFwait(u)).toBe(X87_DONE);
    expect(u.s.top).toBe(7);
  });

  it('errorRaised reports only a new pending exception, not a masked one', () => {
    const { u } = fresh();
    u.s.fcw = 0x37b; // ZE unmasked
    run(u, ...FLD1);
    run(u, ...FLDZ);
    run(u, 0xd8, 0xc9); // fmul: 0 × 1, no exception
    expect(u.errorRaised).toBe(false);
    run(u, 0xd8, 0xf9); // fdivr st, st(1): 1/0
    expect(u.errorRaised).toBe(true);
    expect(fsw(u.s) & 0x80ff).toBe(0x8000 | ES | 0x04);
  });
});

describe('FPU instruction and data pointers', () => {
  it('FDS is the selector of the memory operand\'s segment register', () => {
    const { u, cpu } = fresh();
    cpu.selector = (seg: number): number => 0x100 + seg;
    const la = MEM_ADDR;
    executeX87(u, x87Op(0xd9, 0x03, 4, 5), la, 0x1234, 0x777); // fld dword gs:[...]
    expect([u.s.fcs, u.s.fds, u.s.fdp, u.s.fip]).toEqual([0x101, 0x105, 0x1234, 0x777]);
  });

  it('non-control forms record FIP, FCS and FOP; memory forms also FDP and FDS; control forms nothing', () => {
    const { u, mem } = fresh();
    mem.bytes.set([0, 0, 0x80, 0x3f], 0x40);
    run(u, 0xd9, 0x43, 0x40, 0x2000); // fld dword [ebx+0x40]
    expect([u.s.fip, u.s.fop, u.s.fdp, u.s.fcs]).toEqual([0x2000, 0x143, MEM_ADDR + 0x40, 0x33]);
    run(u, 0xd9, 0xd0, 0, 0x2004); // fnop: records FIP, keeps FDP
    expect([u.s.fip, u.s.fop, u.s.fdp]).toEqual([0x2004, 0x1d0, MEM_ADDR + 0x40]);
    run(u, 0xd9, 0x6b, 0x10, 0x2008); // fldcw [ebx+0x10]: control
    run(u, 0xd9, 0x7b, 0x10, 0x200c); // fnstcw
    run(u, 0xdf, 0xe0, 0, 0x2010); // fnstsw ax
    expect([u.s.fip, u.s.fop, u.s.fdp]).toEqual([0x2004, 0x1d0, MEM_ADDR + 0x40]);
  });
});

describe('reset and FNINIT', () => {
  it('RESET gives FCW 0040, FSW 0 and every register +0.0 tagged zero; FNINIT gives 037F and all empty', () => {
    const { u } = fresh();
    resetState(u.s);
    expect([u.s.fcw, fsw(u.s), tagWord(u.s)]).toEqual([0x40, 0, 0x5555]);
    run(u, 0xdb, 0xe3);
    expect([u.s.fcw, fsw(u.s), tagWord(u.s)]).toEqual([0x37f, 0, 0xffff]);
  });
});

describe('state images', () => {
  function populated(): X87Unit {
    const { u } = fresh();
    run(u, ...FLD1);
    run(u, ...FLDZ);
    run(u, 0xd9, 0xeb); // fldpi
    u.s.fcw = 0x0b7f;
    u.s.sw |= C2 | 0x20;
    u.s.fip = 0x12345678;
    u.s.fop = 0x5ab;
    u.s.fdp = 0x9abcdef0;
    u.s.fcs = 0x23;
    u.s.fds = 0x2b;
    return u;
  }

  for (const o32 of [true, false]) {
    it(`fnsave then frstor (${o32 ? 32 : 16}-bit) restores everything, and fnsave leaves FNINIT's state`, () => {
      const u = populated();
      const before = stateOf(u);
      run(u, 0xdd, 0x33, 0, 0, o32 ? 4 : 2); // fnsave [ebx]
      expect(stateOf(u).fcw).toBe(0x37f);
      expect(tagWord(u.s)).toBe(0xffff);
      run(u, 0xdd, 0x23, 0, 0, o32 ? 4 : 2); // frstor [ebx]
      const after = stateOf(u);
      if (!o32) {
        // The 16-bit format keeps 16 bits of FIP and FDP and no FOP.
        before.fip &= 0xffff;
        before.fdp &= 0xffff;
        before.fop = 0;
      }
      expect(after).toEqual(before);
    });
  }

  it('fnstenv stores the environment (32-bit layout) and then masks every exception', () => {
    const u = populated();
    u.s.fcw = 0x0b40;
    const m = u.mem as FlatMemory;
    run(u, 0xd9, 0x33); // fnstenv [ebx]
    const dv = new DataView(m.bytes.buffer);
    expect(dv.getUint32(0, true)).toBe(0xffff0b40);
    expect(dv.getUint16(4, true)).toBe(fsw(u.s));
    expect(dv.getUint16(8, true)).toBe(tagWord(u.s));
    expect(dv.getUint32(12, true)).toBe(0x12345678);
    expect(dv.getUint32(16, true)).toBe(0x05ab0023);
    expect(dv.getUint32(20, true)).toBe(0x9abcdef0);
    expect(u.s.fcw).toBe(0x0b7f);
  });

  it('fxsave and fxrstor round-trip the x87 state, with the abridged tag byte', () => {
    const u = populated();
    const before = stateOf(u);
    fxsaveX87(u, MEM_ADDR);
    const m = u.mem as FlatMemory;
    expect(m.bytes[4]).toBe(u.s.used);
    const { u: v } = fresh();
    v.mem = m;
    fxrstorX87(v, MEM_ADDR);
    expect(stateOf(v)).toEqual(before);
  });

  it('fxsave stores FOP, FIP and FDP always (Intel, QEMU), or on an AMD host only while ES is set', () => {
    for (const amd of [false, true]) {
      for (const pending of [false, true]) {
        const u = populated();
        if (pending) u.s.sw |= ES;
        u.fxsavePointersOnlyWhenPending = amd;
        fxsaveX87(u, MEM_ADDR);
        const dv = new DataView((u.mem as FlatMemory).bytes.buffer);
        const stored = !amd || pending;
        expect([dv.getUint16(6, true), dv.getUint32(8, true), dv.getUint32(16, true)]).toEqual(
          stored ? [0x5ab, 0x12345678, 0x9abcdef0] : [0, 0, 0]);
      }
    }
  });

  it('fldcw unmasking a raised exception makes it pending at once', () => {
    const { u, mem } = fresh();
    u.s.sw |= 0x04; // ZE raised while masked
    mem.bytes.set([0x7b, 0x03], 0);
    run(u, 0xd9, 0x2b); // fldcw [ebx] = 0x037b
    expect(fsw(u.s) & 0x8080).toBe(0x8080);
    expect(u.errorRaised).toBe(true);
  });
});

describe('memory faults are precise', () => {
  it('a store that faults on its last byte writes nothing and leaves the FPU as it was', () => {
    const { u, mem } = fresh();
    run(u, ...FLD1);
    const before = stateOf(u);
    mem.faultFrom = MEM_ADDR + 9;
    mem.faultTo = MEM_ADDR + 10;
    const writes = mem.writes;
    expect(() => run(u, 0xdb, 0x3b, 0, 0x3000)).toThrow(TestMemoryFault); // fstp tbyte [ebx]
    expect(mem.writes).toBe(writes);
    expect(stateOf(u)).toEqual(before);
  });

  it('frstor and fxrstor that fault on the image\'s last bytes change nothing', () => {
    const { u, mem } = fresh();
    run(u, ...FLD1);
    const before = stateOf(u);
    mem.faultFrom = MEM_ADDR + 107;
    mem.faultTo = MEM_ADDR + 108;
    expect(() => run(u, 0xdd, 0x23)).toThrow(TestMemoryFault);
    expect(stateOf(u)).toEqual(before);
    mem.faultFrom = MEM_ADDR + 511;
    mem.faultTo = MEM_ADDR + 512;
    expect(() => fxrstorX87(u, MEM_ADDR)).toThrow(TestMemoryFault);
    expect(stateOf(u)).toEqual(before);
  });

  it('a load that faults pushes nothing and records no pointer', () => {
    const { u, mem } = fresh();
    mem.faultFrom = MEM_ADDR + 4;
    mem.faultTo = MEM_ADDR + 8;
    expect(() => run(u, 0xdd, 0x03, 0, 0x4000)).toThrow(TestMemoryFault); // fld qword [ebx]
    expect(u.s.used).toBe(0);
    expect(u.s.fip).toBe(0);
  });
});

describe('encodings', () => {
  it('answers X87_UNDEFINED for the holes in D9 and the reserved memory forms', () => {
    const { u } = fresh();
    expect(run(u, 0xd9, 0xd1)).toBe(X87_UNDEFINED);
    expect(run(u, 0xd9, 0x0b)).toBe(X87_UNDEFINED); // d9 /1 mem
    expect(run(u, 0xdb, 0x23)).toBe(X87_UNDEFINED); // db /4 mem
  });
});
