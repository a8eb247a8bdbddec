import { describe, expect, it } from 'vitest';
import { CcOp } from '../../src/state/state.js';
import { IF, readEflags } from '../../src/vmm/lazy-flags.js';
import { TestGuest } from './guest-builder.js';

const IOPL3 = 0x3000;

function popfWith(g: TestGuest, value: number, opSize = 4): void {
  g.cpu.regs[4] -= opSize;
  if (opSize === 4) g.phys.write32(g.cpu.regs[4]! >>> 0, value);
  else g.phys.write16(g.cpu.regs[4]! >>> 0, value);
  g.emulate('popf', opSize);
}

describe('pushf', () => {
  it('pushes the materialised arithmetic flags with the virtual IF and IOPL', () => {
    const g = new TestGuest();
    g.cpu.eflagsSys = 0x2 | IF | IOPL3;
    // Thunk: 8-bit add 0xff + 1 = 0 → CF ZF AF PF set.
    Object.assign(g.cpu, { ccOp: CcOp.Add, ccSize: 1, ccA: 0xff, ccB: 1, ccRes: 0x100 });
    const esp = g.cpu.regs[4]!;
    g.emulate('pushf', 4);
    expect(g.cpu.regs[4]).toBe(esp - 4);
    expect(g.stack(1)[0]).toBe(0x2 | IF | IOPL3 | 0x1 | 0x4 | 0x10 | 0x40);
  });

  it('under --virt=trap shows the host CPU: IF=1, IOPL=0', () => {
    const g = new TestGuest('trap');
    g.cpu.eflagsSys = 0x2 | IOPL3;
    g.emulate('pushf', 4);
    expect(g.stack(1)[0]! & (IF | IOPL3)).toBe(IF);
  });

  it('pushfw pushes 16 bits', () => {
    const g = new TestGuest();
    const esp = g.cpu.regs[4]!;
    g.emulate('pushf', 2);
    expect(g.cpu.regs[4]).toBe(esp - 2);
  });
});

describe('popf', () => {
  it('ring 0 changes IF, IOPL and the arithmetic flags', () => {
    const g = new TestGuest();
    popfWith(g, 0x2 | IF | IOPL3 | 0x8d5);
    expect(readEflags(g.cpu)).toBe(0x2 | IF | IOPL3 | 0x8d5);
  });

  it('ring 3 with IOPL < 3 silently keeps IF and IOPL but changes the rest', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.cpu.eflagsSys = 0x2 | (1 << 12);
    popfWith(g, 0x2 | IF | IOPL3 | 0x400 | 0x1);
    expect(readEflags(g.cpu)).toBe(0x2 | (1 << 12) | 0x400 | 0x1);
    expect(g.cpu.cpl).toBe(3); // no fault
  });

  it('ring 3 with IOPL = 3 changes IF but not IOPL', () => {
    const g = new TestGuest();
    g.enterRing(3);
    g.cpu.eflagsSys = 0x2 | IOPL3;
    popfWith(g, 0x2 | IF);
    expect(readEflags(g.cpu)).toBe(0x2 | IF | IOPL3);
  });

  it('under --virt=trap even the ring-0 guest kernel cannot change IF (the classic non-virtualizable case)', () => {
    const g = new TestGuest('trap');
    popfWith(g, 0x2 | IF);
    expect(g.cpu.eflagsSys & IF).toBe(0);
  });

  it('setting IF leaves the block so a pending interrupt is taken after popf', () => {
    const g = new TestGuest();
    g.cpu.eip = 0x100;
    g.cpu.regs[4] -= 4;
    g.phys.write32(g.cpu.regs[4]! >>> 0, 0x202);
    expect(g.monitor.emulate(4 /* popf */, 0x101, 4, 0, 0)).toBe(1);
    expect(g.cpu.eip).toBe(0x101);
  });

  it('popfw changes only the low 16 bits and clears RF never set there', () => {
    const g = new TestGuest();
    g.cpu.eflagsSys = 0x2 | (1 << 18); // AC
    popfWith(g, 0x0001, 2);
    expect(readEflags(g.cpu)).toBe(0x2 | (1 << 18) | 1);
  });
});
