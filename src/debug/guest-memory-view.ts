/**
 * Guest memory as a debugger sees it: by linear address through the guest's
 * current page tables (as gdb's `x` and QEMU's monitor `x`), or by
 * guest-physical address (`xp`, and gdb after `maint packet
 * Qqemu.PhyMemMode:1`).
 *
 * The walk reads the guest's tables without setting accessed or dirty bits
 * and without touching the MMU's TLB, CR2 or statistics: looking must not
 * change what is looked at. Accesses are not checked for privilege — a
 * debugger reads kernel and user pages alike. A write goes to the machine
 * page behind the address and is reported to the translation cache (stale
 * translations of those bytes go) and to the MMU (a shadowed page table
 * written this way is re-read).
 */
import type { Machine } from '../machine/machine.js';
import { Access } from '../mmu/mmu.js';
import { PageWalker } from '../mmu/page-walk.js';

const CR0_PG = 1 << 31;

export class GuestMemoryView {
  /** Addresses are guest-physical rather than linear. */
  physicalMode = false;
  private readonly walker: PageWalker;

  constructor(private readonly machine: Machine) {
    this.walker = new PageWalker(machine.pagingMmu.mem);
  }

  /** The guest-physical address behind linear `address`, or -1 when the guest's tables map nothing there. */
  physicalOf(address: number): number {
    const cpu = this.machine.cpu;
    if ((cpu.cr0 & CR0_PG) === 0) return address >>> 0;
    return this.walker.walk(address >>> 0, Access.Read, 0, cpu.cr0, cpu.cr3, cpu.cr4, false) ? this.walker.physical : -1;
  }

  /** Machine offset of one byte, or -1 (unmapped, or no RAM there). */
  private machineOffsetOf(address: number, physical: boolean): number {
    const pa = physical ? address >>> 0 : this.physicalOf(address);
    return pa < 0 ? -1 : this.machine.pagingMmu.mem.machineOffset(pa);
  }

  /** Up to `length` bytes from `address`; shorter when it reaches an unmapped page (empty when the first is). */
  read(address: number, length: number, physical = this.physicalMode): Uint8Array {
    const out: number[] = [];
    const bytes = this.machine.memory.bytes;
    for (let i = 0; i < length; i++) {
      const m = this.machineOffsetOf((address + i) >>> 0, physical);
      if (m < 0) break;
      out.push(bytes[m]!);
    }
    return Uint8Array.from(out);
  }

  /** Writes `data` at `address`; false (nothing written past that point) when a byte is unmapped. */
  write(address: number, data: Uint8Array, physical = this.physicalMode): boolean {
    const bytes = this.machine.memory.bytes;
    for (let i = 0; i < data.length; i++) {
      const a = (address + i) >>> 0;
      const pa = physical ? a : this.physicalOf(a);
      const m = pa < 0 ? -1 : this.machine.pagingMmu.mem.machineOffset(pa);
      if (m < 0) return false;
      bytes[m] = data[i]!;
      this.machine.codeWritten(m, 1);
      this.machine.pagingMmu.onPhysicalWrite(pa, 1);
    }
    return true;
  }
}
