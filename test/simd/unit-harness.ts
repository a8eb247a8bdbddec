/**
 * A SimdUnit on its own, laid out like fixtures/native/sse_oracle's process
 * (a 4 KiB buffer page at SSE_MEM_ADDR, eight GPRs, MM0–7 on the x87
 * registers with TOP 0), so a case the oracle ran can be run through the
 * unit's executeSimd — operand routing, memory, writeback, specials — and
 * the whole state compared.
 */
import { FpuState } from '../../src/fpu/fpu-state.js';
import type { FpuMemory } from '../../src/fpu/unit/ports.js';
import { X87Unit } from '../../src/fpu/unit/x87-unit.js';
import type { SimdCpuLink } from '../../src/simd/unit/ports.js';
import { SimdState } from '../../src/simd/unit/simd-state.js';
import { SimdUnit } from '../../src/simd/unit/simd-unit.js';
import { SSE_MEM_ADDR } from '../support/sse-oracle.js';

/** A read or write outside the buffer page: the unit's memory port throws it as the VMM's port throws #PF. */
export class OutsideBuffer extends Error {}

class PageMemory implements FpuMemory {
  readonly page = new Uint8Array(4096);
  private at(la: number, n: number): number {
    const o = (la - SSE_MEM_ADDR) >>> 0;
    if (o + n > 4096) throw new OutsideBuffer(`access at 0x${(la >>> 0).toString(16)}`);
    return o;
  }
  read8(la: number): number { return this.page[this.at(la, 1)]!; }
  read16(la: number): number { const o = this.at(la, 2); return this.page[o]! | (this.page[o + 1]! << 8); }
  read32(la: number): number { return (this.read16(la) | (this.read16((la + 2) | 0) << 16)) >>> 0; }
  write8(la: number, v: number): void { this.page[this.at(la, 1)] = v; }
  write16(la: number, v: number): void { this.write8(la, v); this.write8((la + 1) | 0, v >>> 8); }
  write32(la: number, v: number): void { this.write16(la, v); this.write16((la + 2) | 0, v >>> 16); }
  checkWrite(la: number, length: number): void { this.at(la, length); }
}

export class UnitHarness implements SimdCpuLink {
  readonly regs = new Uint32Array(8);
  eflags = 0;
  readonly memory = new PageMemory();
  readonly x87 = new X87Unit(new FpuState(), this.memory, {
    eflags: () => this.eflags, setCompareFlags: (f) => this.setCompareFlags(f), setAx: () => {}, selector: () => 0,
  });
  readonly unit = new SimdUnit(new SimdState(), this.x87, this);

  gpr(n: number): number { return this.regs[n]!; }
  setGpr(n: number, v: number): void { this.regs[n] = v; }
  setCompareFlags(zfPfCf: number): void { this.eflags = (this.eflags & ~0x8d5) | (zfPfCf & 0x45); }

  /** MMi as the oracle reports it: Ri's significand, little-endian. */
  mm(i: number): Uint8Array {
    const r = this.x87.regs;
    return new Uint8Array(Uint32Array.of(r[3 * i + 2]!, r[3 * i + 1]!).buffer);
  }
  setMm(i: number, b: Uint8Array): void {
    const w = new Uint32Array(Uint8Array.from(b.subarray(0, 8)).buffer);
    const r = this.x87.regs;
    r[3 * i] = 0xffff;
    r[3 * i + 1] = w[1]!;
    r[3 * i + 2] = w[0]!;
  }
  xmm(i: number): Uint8Array { return this.unit.s.u8.subarray(16 * i, 16 * i + 16); }
}
