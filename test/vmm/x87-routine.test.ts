/**
 * The monitor's fpu routine (vmm/x87.ts): the checks the SDM puts before an
 * x87 instruction (Vol. 3A §2.5 Table 2-2: CR0.EM/TS → #NM; fwait only with
 * TS and MP), #MF for a pending unmasked exception at the next waiting
 * instruction when CR0.NE=1 and IRQ13 (FERR#) when NE=0, and the CPU state
 * x87 instructions reach (AX, EFLAGS, memory).
 */
import { describe, expect, it } from 'vitest';
import { x87Op } from '../../src/fpu/unit/dispatch.js';
import { FWAIT_OP } from '../../src/vmm-interface/interface.js';
import { materializeFlags, setExplicitFlags } from '../../src/state/flags-thunk.js';
import { TestGuest, handlerOf } from './guest-builder.js';

const NM = 7, MF = 16;
const CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_NE = 0x20;
const CF = 1, PF = 4, ZF = 0x40;
const EIP = 0x40000;

/** Register form D8..DF with ModRM `modrm`. */
const reg = (opcode: number, modrm: number): number => x87Op(opcode, modrm, 4, 0);

function guest(cr0: number): TestGuest {
  const g = new TestGuest();
  g.cpu.cr0 = (g.cpu.cr0 & ~(CR0_MP | CR0_EM | CR0_TS | CR0_NE)) | cr0 | 1;
  g.cpu.eip = EIP;
  return g;
}
const run = (g: TestGuest, op: number, la = 0): void => {
  g.cpu.eip = EIP;
  g.emulate('fpu', op, la, la);
};
const FNINIT = reg(0xdb, 0xe3), FLD1 = reg(0xd9, 0xe8), FLDZ = reg(0xd9, 0xee), FLDPI = reg(0xd9, 0xeb);
const FDIV_ST0_ST1 = reg(0xd8, 0xf1), FNSTSW_AX = reg(0xdf, 0xe0), FCOMI_ST1 = reg(0xdb, 0xf1), FCMOVE_ST1 = reg(0xda, 0xc9);

describe('the fpu routine', () => {
  it('CR0.TS or CR0.EM: an x87 instruction raises #NM and changes nothing', () => {
    for (const bits of [CR0_TS, CR0_EM, CR0_TS | CR0_MP]) {
      const g = guest(bits);
      const before = g.core.x87.s.sw;
      run(g, FLD1);
      expect(g.cpu.eip, `cr0 bits ${bits}`).toBe(handlerOf(NM));
      expect(g.core.x87.s.sw).toBe(before);
    }
  });

  it('fwait raises #NM only when both TS and MP are set (SDM Vol. 3A Table 2-2)', () => {
    for (const [bits, faults] of [[CR0_TS, false], [CR0_MP, false], [CR0_EM, false], [CR0_TS | CR0_MP, true]] as const) {
      const g = guest(bits);
      run(g, FWAIT_OP);
      expect(g.cpu.eip === handlerOf(NM), `cr0 bits ${bits}`).toBe(faults);
    }
  });

  it('CR0.NE=1: an unmasked zero divide stays pending, and the next waiting instruction raises #MF at itself', () => {
    const g = guest(CR0_NE);
    run(g, FNINIT);
    const fcw = 0x037b; // ZE unmasked
    g.phys.write16(0x8000, fcw);
    run(g, x87Op(0xd9, 0x2d, 4, 3) /* fldcw [disp32] */, 0x8000);
    run(g, FLDZ);
    run(g, FLD1);
    run(g, FDIV_ST0_ST1); // 1 / 0: ZE, unmasked: ES set, no fault yet
    expect(g.cpu.eip).toBe(EIP);
    expect(g.core.x87.s.sw & 0x84).toBe(0x84);
    run(g, FNSTSW_AX); // no-wait form: runs
    expect(g.cpu.eip).toBe(EIP);
    expect(g.cpu.regs[0]! & 0x84).toBe(0x84);
    run(g, FWAIT_OP);
    expect(g.cpu.eip).toBe(handlerOf(MF));
    expect(g.stack(1)[0]).toBe(EIP); // a fault: the frame points at the fwait
  });

  it('CR0.NE=0: the exception asserts IRQ13 (FERR#) and waiting instructions go on', () => {
    const g = guest(0);
    const irqs: number[] = [];
    g.core.raiseIrq = (n) => irqs.push(n);
    run(g, FNINIT);
    g.phys.write16(0x8000, 0x037b);
    run(g, x87Op(0xd9, 0x2d, 4, 3), 0x8000);
    run(g, FLDZ);
    run(g, FLD1);
    run(g, FDIV_ST0_ST1);
    expect(irqs).toEqual([13]);
    run(g, FWAIT_OP);
    expect(g.cpu.eip).toBe(EIP);
  });

  it('fcomi writes ZF PF CF and clears OF SF AF; fcmove reads ZF', () => {
    const g = guest(CR0_NE);
    run(g, FNINIT);
    run(g, FLD1);
    run(g, FLDPI); // st0 = pi, st1 = 1
    setExplicitFlags(g.cpu, 0x8d5);
    run(g, FCOMI_ST1); // pi > 1: ZF=PF=CF=0
    expect(materializeFlags(g.cpu) & 0x8d5).toBe(0);
    run(g, FCMOVE_ST1); // ZF=0: no move
    expect(g.core.x87.regs[3 * g.core.x87.s.top]).toBe(0x4000); // still pi (exponent 0x4000)
    setExplicitFlags(g.cpu, ZF | PF | CF);
    run(g, FCMOVE_ST1); // ZF=1: st0 = st1 = 1.0
    expect(g.core.x87.regs[3 * g.core.x87.s.top]).toBe(0x3fff);
  });

  it('memory operands go through the monitor\'s linear memory: fstp dword stores the single', () => {
    const g = guest(CR0_NE);
    run(g, FNINIT);
    run(g, FLDPI);
    run(g, x87Op(0xd9, 0x1d, 4, 3) /* fstp dword [disp32] */, 0x9000);
    expect(g.phys.read32(0x9000) >>> 0).toBe(0x40490fdb);
  });
});
