/**
 * Test helper: builds guest page tables by hand in guest-physical memory,
 * the way a guest kernel would (the MMU under test never sees this code).
 */
import { CpuState } from '../../src/state/state.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { GuestPhysicalMemory } from '../../src/memory/guest-physical-memory.js';
import { MachineMap } from '../../src/memory/machine-map.js';

export const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;
export const CR0_PG = 0x80000000 | 0, CR0_WP = 1 << 16, CR0_BASE = 0x11, CR4_PSE = 1 << 4;

export class GuestTables {
  readonly mem: GuestPhysicalMemory;
  /** Next free page for tables (grows upward from `firstFree`). */
  private next: number;

  constructor(ramBytes: number, scatterSeed?: number, firstFree = 0x10000) {
    const map = scatterSeed === undefined ? MachineMap.identity(ramBytes) : MachineMap.scattered(ramBytes, scatterSeed);
    this.mem = new GuestPhysicalMemory(new PhysicalMemory(ramBytes), map);
    this.next = firstFree;
  }

  allocPage(): number {
    const p = this.next;
    this.next += 4096;
    for (let i = 0; i < 4096; i += 4) this.mem.write32(p + i, 0);
    return p;
  }

  pde(pd: number, linear: number): number {
    return this.mem.read32(pd + ((linear >>> 22) << 2));
  }

  setPde(pd: number, linear: number, value: number): void {
    this.mem.write32(pd + ((linear >>> 22) << 2), value);
  }

  /** Address of the PTE for `linear` (the PDE must reference a table). */
  pteAddress(pd: number, linear: number): number {
    return ((this.pde(pd, linear) & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0;
  }

  /** Maps a 4 KiB page, creating the page table with `pdeFlags` if the PDE is empty. */
  map4k(pd: number, linear: number, physical: number, flags: number, pdeFlags = P | RW | US): void {
    if ((this.pde(pd, linear) & P) === 0) this.setPde(pd, linear, this.allocPage() | pdeFlags);
    this.mem.write32(this.pteAddress(pd, linear), ((physical & 0xfffff000) | flags) >>> 0);
  }

  map4m(pd: number, linear: number, physical: number, flags: number): void {
    this.setPde(pd, linear, ((physical & 0xffc00000) | flags | PS) >>> 0);
  }
}

export function pagedCpu(cr3: number, opts: { wp?: boolean; pse?: boolean; cpl?: number } = {}): CpuState {
  const cpu = new CpuState();
  cpu.cr0 = (CR0_BASE | CR0_PG | (opts.wp ? CR0_WP : 0)) | 0;
  cpu.cr3 = cr3;
  cpu.cr4 = opts.pse ? CR4_PSE : 0;
  cpu.cpl = opts.cpl ?? 0;
  return cpu;
}
