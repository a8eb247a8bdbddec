/**
 * A tiny hand-built protected-mode machine for monitor tests: 1 MiB of RAM,
 * a GDT with ring-0 and ring-3 flat segments, a 32-bit TSS with an I/O
 * bitmap, and an IDT whose handlers are just distinct addresses. Tests call
 * the monitor's routines directly and inspect CpuState and guest memory, the
 * way translated code would see them.
 */
import { CpuState, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../src/state/state.js';
import { PortBus, type PortDevice } from '../../src/vmm/devices/port-bus.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { LinearMemory } from '../../src/vmm/linear-memory.js';
import { MonitorCore, type VirtMode } from '../../src/vmm/monitor-core.js';
import { VirtualMachineMonitor } from '../../src/vmm/monitor.js';
import { routineIndex, VmmResult } from '../../src/vmm-interface/interface.js';
import type { VmmRoutine } from '../../src/ir/types.js';
import { loadSegmentCache } from '../../src/vmm/descriptors.js';

export const GDT = 0x1000, IDT = 0x2000, TSS = 0x3000, KSTACK = 0x9000, USTACK = 0x8000;
export const KCODE = 0x08, KDATA = 0x10, UCODE = 0x1b, UDATA = 0x23, TSS_SEL = 0x28;
/** Extra GDT slots tests may fill: 0x30, 0x38, … */
export const FREE_SLOT = 0x30;
/** Handler address for vector v. */
export const handlerOf = (v: number): number => 0x50000 + v * 0x10;
/** Where the TSS's I/O bitmap starts (offset from the TSS base). */
export const IOMAP_OFFSET = 0x68;

export function segDesc(base: number, limit: number, access: number, flags = 0xc): [number, number] {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | ((base >>> 16) & 0xff) | (limit & 0xf0000) | (access << 8) | (flags << 20);
  return [lo | 0, hi | 0];
}

export function gateDesc(selector: number, offset: number, type: number, dpl: number, present = true, params = 0): [number, number] {
  const lo = (selector << 16) | (offset & 0xffff);
  const hi = (offset & 0xffff0000) | (present ? 0x8000 : 0) | (dpl << 13) | (type << 8) | params;
  return [lo | 0, hi | 0];
}

export class TestGuest {
  readonly phys = new PhysicalMemory(1 << 20);
  readonly mem = new LinearMemory(this.phys);
  readonly cpu = new CpuState();
  readonly bus = new PortBus();
  now = 0;
  readonly core: MonitorCore;
  readonly monitor: VirtualMachineMonitor;

  constructor(virt: VirtMode = 'bt') {
    this.core = new MonitorCore(this.cpu, this.mem, this.bus, { nowNs: () => this.now }, virt);
    this.monitor = new VirtualMachineMonitor(this.core);
    const c = this.cpu;
    c.gdtBase = GDT;
    c.gdtLimit = 0xff;
    c.idtBase = IDT;
    c.idtLimit = 256 * 8 - 1;
    this.setDesc(KCODE, segDesc(0, 0xfffff, 0x9a));
    this.setDesc(KDATA, segDesc(0, 0xfffff, 0x92));
    this.setDesc(UCODE, segDesc(0, 0xfffff, 0xfa));
    this.setDesc(UDATA, segDesc(0, 0xfffff, 0xf2));
    // 32-bit TSS with an I/O bitmap covering ports 0..0x3ff; all denied except as tests open them.
    const tssLimit = IOMAP_OFFSET + 0x80;
    this.setDesc(TSS_SEL, segDesc(TSS, tssLimit, 0x89, 0));
    this.phys.write32(TSS + 4, KSTACK);
    this.phys.write16(TSS + 8, KDATA);
    this.phys.write16(TSS + 0x66, IOMAP_OFFSET);
    this.phys.fill(TSS + IOMAP_OFFSET, 0x80, 0xff);
    for (let v = 0; v < 256; v++) this.setGate(v, gateDesc(KCODE, handlerOf(v), 0xe, v >= 0x80 ? 3 : 0));
    this.emulate('ltr', TSS_SEL);
    this.enterRing(0);
    c.regs[4] = KSTACK;
  }

  setDesc(selector: number, [lo, hi]: [number, number]): void {
    this.phys.write32(GDT + (selector & ~7), lo);
    this.phys.write32(GDT + (selector & ~7) + 4, hi);
  }

  setGate(vector: number, [lo, hi]: [number, number]): void {
    this.phys.write32(IDT + vector * 8, lo);
    this.phys.write32(IDT + vector * 8 + 4, hi);
  }

  /** Put the CPU at ring `cpl` with that ring's flat segments (as after an iret), ESP on its stack. */
  enterRing(cpl: 0 | 3): void {
    const c = this.cpu;
    const code = cpl === 0 ? KCODE : UCODE, data = cpl === 0 ? KDATA : UDATA;
    const [clo, chi] = segDesc(0, 0xfffff, cpl === 0 ? 0x9b : 0xfb);
    const [dlo, dhi] = segDesc(0, 0xfffff, cpl === 0 ? 0x93 : 0xf3);
    loadSegmentCache(c, SEG_CS, code, clo, chi);
    for (const s of [SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS]) loadSegmentCache(c, s, data, dlo, dhi);
    c.cpl = cpl;
    c.regs[4] = cpl === 0 ? KSTACK : USTACK;
  }

  setIopl(iopl: number): void {
    this.cpu.eflagsSys = (this.cpu.eflagsSys & ~0x3000) | (iopl << 12);
  }

  /** Open ports [first, first+count) in the TSS I/O bitmap. */
  allowPorts(first: number, count: number): void {
    for (let p = first; p < first + count; p++) {
      const at = TSS + IOMAP_OFFSET + (p >>> 3);
      this.phys.write8(at, this.phys.read8(at) & ~(1 << (p & 7)));
    }
  }

  emulate(r: VmmRoutine, a = 0, b = 0, c = 0, next = this.cpu.eip + 1): VmmResult {
    return this.monitor.emulate(routineIndex(r), next, a, b, c);
  }

  /** Dwords at ESP, top first. */
  stack(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(this.phys.read32((this.cpu.regs[4]! >>> 0) + 4 * i));
    return out;
  }

  registerDevice(port: number, device: PortDevice, count = 1): void {
    this.bus.register(port, count, device);
  }
}
