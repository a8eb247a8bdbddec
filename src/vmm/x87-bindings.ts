/**
 * The x87 unit's two ports (fpu/unit/ports.ts) bound to the machine: guest
 * memory through the monitor's linear view (paging and protection checked,
 * faults thrown as GuestFault and delivered by the monitor), and the CPU
 * state x87 instructions touch (EFLAGS for fcmovcc and fcomi, AX for
 * fnstsw ax, selectors for FCS/FDS).
 *
 * checkWrite probes each page a store will touch by storing back the byte
 * it reads there: on x86 a writable page is readable, so the probe faults
 * exactly where the store would, and writes nothing new when it does not
 * (the accessed and dirty bits it sets, the store would set too).
 */
import type { FpuCpuLink, FpuMemory } from '../fpu/unit/ports.js';
import { materializeFlags, setExplicitFlags } from '../state/flags-thunk.js';
import type { CpuState } from '../state/state.js';
import type { VmmMemory } from './linear-memory.js';

const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
const EAX = 0;

export class X87Memory implements FpuMemory {
  constructor(private readonly mem: VmmMemory) {}
  read8(la: number): number { return this.mem.read8(la) & 0xff; }
  read16(la: number): number { return this.mem.read16(la) & 0xffff; }
  read32(la: number): number { return this.mem.read32(la) >>> 0; }
  write8(la: number, v: number): void { this.mem.write8(la, v); }
  write16(la: number, v: number): void { this.mem.write16(la, v); }
  write32(la: number, v: number): void { this.mem.write32(la, v); }
  checkWrite(la: number, length: number): void {
    const lastPage = ((la + length - 1) & ~0xfff) >>> 0;
    this.probe(la >>> 0);
    for (let page = (la & ~0xfff) >>> 0; page !== lastPage;) {
      page = (page + 0x1000) >>> 0;
      this.probe(page);
    }
  }
  private probe(la: number): void {
    this.mem.write8(la, this.mem.read8(la));
  }
}

export class X87Cpu implements FpuCpuLink {
  constructor(private readonly cpu: CpuState) {}
  eflags(): number { return materializeFlags(this.cpu); }
  setCompareFlags(zfPfCf: number): void {
    const f = materializeFlags(this.cpu) & ~(CF | PF | AF | ZF | SF | OF);
    setExplicitFlags(this.cpu, f | (zfPfCf & (ZF | PF | CF)));
  }
  setAx(v: number): void { this.cpu.regs[EAX] = (this.cpu.regs[EAX]! & ~0xffff) | (v & 0xffff); }
  selector(seg: number): number { return this.cpu.segSel[seg]!; }
}
