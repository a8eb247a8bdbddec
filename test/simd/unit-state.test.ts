/**
 * The monitor's simd routine and the unit's state forms: the checks of SDM
 * Vol. 3A §2.5 table 2-2 / §13 by form class (SSE: EM → #UD, OSFXSR = 0 →
 * #UD, TS → #NM; MMX: EM → #UD, TS → #NM, pending x87 exception → #MF;
 * fxsave/fxrstor: EM or TS → #NM), #GP(0) for alignment and reserved MXCSR
 * bits, #XM or #UD (by CR4.OSXMMEXCPT) for an unmasked SIMD exception with
 * the destination unchanged, MMX aliasing on the x87 registers (sign and
 * exponent all ones, TOP 0, tags valid; emms empties), and the FXSAVE
 * image's SSE part (MXCSR at 24, MXCSR_MASK at 28, XMM0–7 at 160).
 */
import { describe, expect, it } from 'vitest';
import { OpMap, Prefix } from '../../src/simd/simd-form.js';
import { findForm, simdOp } from '../../src/simd/unit/form-index.js';
import { executeSimd } from '../../src/simd/unit/dispatch.js';
import { handlerOf, TestGuest } from '../vmm/guest-builder.js';
import { OutsideBuffer, UnitHarness } from './unit-harness.js';

const UD = 6, NM = 7, GP = 13, MF = 16, XM = 19;
const CR0_EM = 4, CR0_TS = 8, CR0_NE = 0x20;
const CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;
const EIP = 0x40000;
const MEM = 0x20000;

/** The op word of `prefix 0F opcode` with ModRM `modrm` (-1: none), as the lifter makes it. */
function op(prefix: Prefix, opcode: number, modrm: number): number {
  const fi = findForm(OpMap.M0F, prefix, opcode, modrm);
  if (fi < 0) throw new Error(`no form for ${opcode.toString(16)} /${modrm.toString(16)}`);
  return simdOp(fi, modrm < 0 ? 0 : modrm);
}
const MOVAPS_X0_X1 = op(Prefix.NONE, 0x28, 0xc1);
const MOVAPS_X0_M = op(Prefix.NONE, 0x28, 0x00);
const MOVQ_MM3_MM1 = op(Prefix.NONE, 0x6f, 0xd9);
const MOVQ2DQ_X0_MM1 = op(Prefix.PF3, 0xd6, 0xc1);
const EMMS = op(Prefix.NONE, 0x77, -1);
const LDMXCSR = op(Prefix.NONE, 0xae, 0x10);
const FXSAVE = op(Prefix.NONE, 0xae, 0x00);
const FXRSTOR = op(Prefix.NONE, 0xae, 0x08);
const DIVPS_X0_X1 = op(Prefix.NONE, 0x5e, 0xc1);

function guest(cr0 = CR0_NE, cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT): TestGuest {
  const g = new TestGuest();
  g.cpu.cr0 = (g.cpu.cr0 & ~(CR0_EM | CR0_TS | CR0_NE)) | cr0 | 1;
  g.cpu.cr4 = cr4;
  return g;
}
/** Runs one simd call at EIP; returns the vector delivered, or -1 when the instruction completed. */
function run(g: TestGuest, opWord: number, la = 0, imm = 0): number {
  g.cpu.eip = EIP;
  g.emulate('simd', opWord, la, imm, EIP + 4);
  for (const v of [UD, NM, GP, MF, XM]) if (g.cpu.eip === handlerOf(v)) return v;
  return -1;
}
const xmm = (g: TestGuest, r: number): Uint32Array => g.core.simd.s.u32.subarray(4 * r, 4 * r + 4);

describe('the simd routine: checks before the unit runs', () => {
  it('SSE forms: CR0.EM → #UD, CR4.OSFXSR clear → #UD, CR0.TS → #NM; the register is unchanged', () => {
    for (const [cr0, cr4, vector] of [
      [CR0_EM, CR4_OSFXSR, UD], [CR0_EM | CR0_TS, CR4_OSFXSR, UD], [0, 0, UD], [CR0_TS, 0, UD], [CR0_TS, CR4_OSFXSR, NM], [0, CR4_OSFXSR, -1],
    ] as const) {
      const g = guest(cr0 | CR0_NE, cr4);
      xmm(g, 1).set([1, 2, 3, 4]);
      expect(run(g, MOVAPS_X0_X1), `cr0 ${cr0} cr4 ${cr4}`).toBe(vector);
      expect(Array.from(xmm(g, 0))).toEqual(vector < 0 ? [1, 2, 3, 4] : [0, 0, 0, 0]);
    }
  });

  it('MMX forms: no OSFXSR needed; EM → #UD, TS → #NM, a pending x87 exception → #MF with CR0.NE, none without', () => {
    expect(run(guest(CR0_NE, 0), MOVQ_MM3_MM1)).toBe(-1);
    expect(run(guest(CR0_NE | CR0_EM, 0), MOVQ_MM3_MM1)).toBe(UD);
    expect(run(guest(CR0_NE | CR0_TS, 0), MOVQ_MM3_MM1)).toBe(NM);
    for (const [cr0, vector] of [[CR0_NE, MF], [0, -1]] as const) {
      const g = guest(cr0);
      const s = g.core.x87.s;
      s.fcw = 0x037e; // IM unmasked
      s.sw = 0x0001 | 0x0080 | 0x8000; // IE with ES and B: an exception is pending
      expect(run(g, MOVQ_MM3_MM1), `cr0 ${cr0}`).toBe(vector);
      expect(run(g, EMMS), `emms, cr0 ${cr0}`).toBe(vector);
    }
  });

  it('forms with an MMX and an XMM operand get both checks (movq2dq: #UD without OSFXSR, #MF when pending)', () => {
    expect(run(guest(CR0_NE, 0), MOVQ2DQ_X0_MM1)).toBe(UD);
    const g = guest();
    g.core.x87.s.fcw = 0x037e;
    g.core.x87.s.sw = 0x8081;
    expect(run(g, MOVQ2DQ_X0_MM1)).toBe(MF);
  });

  it('cvtpi2ps: an MMX register source gets #MF and the MMX transition; a memory source names no MMX register, so neither', () => {
    const CVTPI2PS_X0_MM1 = op(Prefix.NONE, 0x2a, 0xc1), CVTPI2PS_X0_M = op(Prefix.NONE, 0x2a, 0x00);
    const g = guest();
    const s = g.core.x87.s;
    s.fcw = 0x037e;
    s.sw = 0x8081;
    expect(run(g, CVTPI2PS_X0_MM1)).toBe(MF);
    s.top = 6;
    s.used = 0xc0;
    expect(run(g, CVTPI2PS_X0_M, MEM)).toBe(-1);
    expect([s.top, s.used]).toEqual([6, 0xc0]);
    s.sw = 0;
    expect(run(g, CVTPI2PS_X0_MM1)).toBe(-1);
    expect([s.top, s.used]).toEqual([0, 0xff]);
  });

  it('the x87 → MMX transition happens at #XM (cvtpi2ps inexact, PM unmasked) but not at a memory fault (as mmx_probe measures)', () => {
    const g = guest();
    const s = g.core.x87.s;
    s.top = 7;
    s.used = 0x80;
    g.core.x87.regs.set([0xffff, 0x7fffffff, 0x7fffffff], 3); // MM1: two int32 maxima, inexact as floats
    g.core.simd.s.mxcsr = 0x1f80 & ~0x1000;
    expect(run(g, op(Prefix.NONE, 0x2a, 0xc1))).toBe(XM);
    expect([s.top, s.used]).toEqual([0, 0xff]);
    const h = new UnitHarness();
    h.x87.s.top = 7;
    h.x87.s.used = 0x80;
    expect(() => executeSimd(h.unit, op(Prefix.NONE, 0xfc, 0x00), 0x1234, 0)).toThrow(OutsideBuffer); // paddb mm0, [unmapped]
    expect([h.x87.s.top, h.x87.s.used]).toEqual([7, 0x80]);
  });

  it('fxsave/fxrstor: CR0.EM or CR0.TS → #NM; OSFXSR clear is no fault (the image leaves out MXCSR and XMM)', () => {
    expect(run(guest(CR0_NE | CR0_EM), FXSAVE, MEM)).toBe(NM);
    expect(run(guest(CR0_NE | CR0_TS), FXRSTOR, MEM)).toBe(NM);
    const g = guest(CR0_NE, 0);
    xmm(g, 0).set([0x11111111, 0x22222222, 0x33333333, 0x44444444]);
    expect(run(g, FXSAVE, MEM)).toBe(-1);
    expect(g.phys.read32(MEM + 24)).toBe(0);
    expect(g.phys.read32(MEM + 160)).toBe(0);
    expect(g.phys.read32(MEM)).toBe(g.core.x87.s.fcw); // the x87 part is there
  });
});

describe('the unit: faults after the checks', () => {
  it('an aligned form with a misaligned operand is #GP(0), before any memory read', () => {
    const g = guest();
    expect(run(g, MOVAPS_X0_M, MEM + 8)).toBe(GP);
    expect(g.stack(1)[0]).toBe(0);
    // 16-byte aligned, but beyond guest RAM's reach would fault; aligned and present completes.
    g.phys.write32(MEM, 0xdeadbeef);
    expect(run(g, MOVAPS_X0_M, MEM)).toBe(-1);
    expect(xmm(g, 0)[0]).toBe(0xdeadbeef);
  });

  it('ldmxcsr with a reserved bit (16..31) is #GP(0) and MXCSR keeps its value; stmxcsr gives it back', () => {
    const g = guest();
    g.phys.write32(MEM, 0x10000 | 0x1f80);
    expect(run(g, LDMXCSR, MEM)).toBe(GP);
    expect(g.core.simd.s.mxcsr).toBe(0x1f80);
    g.phys.write32(MEM, 0xffff);
    expect(run(g, LDMXCSR, MEM)).toBe(-1);
    expect(g.core.simd.s.mxcsr).toBe(0xffff);
  });

  it('an unmasked SIMD exception: #XM with OSXMMEXCPT, #UD without; MXCSR gets the flag, the destination stays', () => {
    for (const [cr4, vector] of [[CR4_OSFXSR | CR4_OSXMMEXCPT, XM], [CR4_OSFXSR, UD]] as const) {
      const g = guest(CR0_NE, cr4);
      g.core.simd.s.mxcsr = 0x1f80 & ~0x200; // ZM unmasked
      xmm(g, 0).set([0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000]); // 1.0f
      xmm(g, 1).set([0x3f800000, 0, 0x3f800000, 0x3f800000]); // a zero divisor in lane 1
      expect(run(g, DIVPS_X0_X1), `cr4 ${cr4}`).toBe(vector);
      expect(g.core.simd.s.mxcsr & 0x3f).toBe(0x04); // ZE
      expect(Array.from(xmm(g, 0))).toEqual([0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000]);
    }
  });
});

describe('MMX aliasing and the FXSAVE image', () => {
  it('writing MMi sets Ri\'s exponent and sign to all ones, TOP to 0 and every tag valid; emms empties them', () => {
    const g = guest();
    const s = g.core.x87.s;
    s.top = 5;
    s.used = 0x20;
    g.core.x87.regs.set([0x3fff, 0x80000000, 0x00000001], 3); // R1 = a real number
    expect(run(g, MOVQ_MM3_MM1)).toBe(-1);
    expect(Array.from(g.core.x87.regs.subarray(9, 12))).toEqual([0xffff, 0x80000000, 0x00000001]);
    expect(Array.from(g.core.x87.regs.subarray(3, 6))).toEqual([0x3fff, 0x80000000, 0x00000001]); // read only
    expect([s.top, s.used]).toEqual([0, 0xff]);
    s.top = 3;
    expect(run(g, EMMS)).toBe(-1);
    expect([s.top, s.used]).toEqual([0, 0]);
  });

  it('fxsave stores MXCSR at 24, MXCSR_MASK 0xFFFF at 28 and XMM0-7 at 160; fxrstor brings them back', () => {
    const g = guest();
    const u = g.core.simd.s;
    for (let i = 0; i < 32; i++) u.u32[i] = (0x01010101 * (i + 1)) >>> 0;
    u.mxcsr = 0x9fc0;
    expect(run(g, FXSAVE, MEM + 16 * 3)).toBe(-1);
    const at = MEM + 48;
    expect(g.phys.read32(at + 24)).toBe(0x9fc0);
    expect(g.phys.read32(at + 28)).toBe(0xffff);
    for (let i = 0; i < 32; i++) expect(g.phys.read32(at + 160 + 4 * i), `xmm dword ${i}`).toBe(u.u32[i]);
    const saved = Array.from(u.u32);
    u.u32.fill(0);
    u.mxcsr = 0x1f80;
    expect(run(g, FXRSTOR, at)).toBe(-1);
    expect(Array.from(u.u32)).toEqual(saved);
    expect(u.mxcsr).toBe(0x9fc0);
  });

  it('fxrstor of an image with an unmasked exception pending asserts FERR# (IRQ13) when CR0.NE is clear, as frstor does', () => {
    for (const [cr0, irqs] of [[0, [13]], [CR0_NE, []]] as const) {
      const g = guest(cr0);
      const raised: number[] = [];
      g.core.raiseIrq = (irq) => raised.push(irq);
      expect(run(g, FXSAVE, MEM)).toBe(-1);
      g.phys.write32(MEM, 0x0001037e); // FCW 0x37e (IM unmasked), FSW with IE
      expect(run(g, FXRSTOR, MEM)).toBe(-1);
      expect(raised, `cr0 ${cr0}`).toEqual(irqs);
      expect(g.core.x87.errorRaised).toBe(false);
    }
  });

  it('fxsave/fxrstor misaligned → #GP(0); fxrstor of an image with reserved MXCSR bits → #GP(0), nothing restored', () => {
    const g = guest();
    expect(run(g, FXSAVE, MEM + 8)).toBe(GP);
    expect(run(g, FXRSTOR, MEM + 4)).toBe(GP);
    expect(run(g, FXSAVE, MEM)).toBe(-1);
    g.phys.write32(MEM + 24, 0x1f80 | 0x40000);
    g.phys.write32(MEM + 160, 0x12345678);
    g.phys.write32(MEM, 0x0000027f); // FCW 0x27f
    expect(run(g, FXRSTOR, MEM)).toBe(GP);
    expect(xmm(g, 0)[0]).toBe(0);
    expect(g.core.x87.s.fcw).not.toBe(0x27f);
  });
});
