/**
 * What ShadowMmu and NestedMmu share: the software TLB and its miss path,
 * page-crossing and unbacked accesses, fault recording, paging-off
 * translation, and the privilege/mode bookkeeping that decides when the
 * TLB must be emptied.
 *
 * A subclass supplies only `lookup`: linear page → machine page offset for
 * an access that must be allowed at the current CPL, filling the TLB on the
 * way if asked — from shadow page tables or from a fresh walk.
 *
 * The TLB has one half per privilege class (supervisor CPL 0–2, user
 * CPL 3); a privilege change only selects the other half, while a CR0.WP
 * change empties both. Fills go to the half of the CPL the access is made
 * at. Write entries are installed only when the guest's final entry is
 * already dirty, so the first store to a clean page comes here and the walk
 * sets D.
 */
import type { CpuState } from '../state/state.js';
import type { GuestPhysicalMemory } from '../memory/guest-physical-memory.js';
import { PAGE_MASK, PAGE_SHIFT } from '../memory/machine-map.js';
import {
  Access, CR0_PG, CR0_WP, CR4_PSE, Translation, newStatistics,
  type MachineCodeWriteHook, type Mmu, type MmuStatistics, type PageFaultInfo,
} from './mmu.js';
import { PageWalker } from './page-walk.js';
import { SoftwareTlb } from './software-tlb.js';

/** How the MMU reaches the translation cache's self-modifying-code watch (indexed by machine page). */
/** A debugger's data watchpoints as the MMU sees them: linear pages, and a report of each slow-path access there. */
export interface MemoryWatch {
  readonly pages: ReadonlySet<number>;
  access(linear: number, size: number, write: boolean): void;
}

export interface CodeWatch {
  /** Nonzero for machine pages holding translations. */
  readonly codePages: Uint8Array;
  readonly codeWrite: MachineCodeWriteHook;
}

const NO_CODE_WATCH: CodeWatch = { codePages: new Uint8Array(0), codeWrite: () => 0 };

export abstract class MmuCore implements Mmu {
  readonly tlb = new SoftwareTlb();
  readonly fault: PageFaultInfo = { vector: 14, errorCode: 0, cr2: 0 };
  readonly statistics: MmuStatistics = newStatistics();
  readonly walker: PageWalker;
  slowValue = 0;
  lastPhysical = 0;
  /** A debugger's watchpoints (src/debug/): told of every access to their pages, which never enter the TLB. */
  private watch: MemoryWatch | null = null;
  protected cr0Seen: number;
  protected cr4Seen: number;

  constructor(readonly cpu: CpuState, readonly mem: GuestPhysicalMemory, public codeWatch: CodeWatch = NO_CODE_WATCH) {
    this.walker = new PageWalker(mem);
    this.cr0Seen = cpu.cr0;
    this.cr4Seen = cpu.cr4;
    this.tlb.select(cpu.cpl === 3);
  }

  protected get pagingOn(): boolean {
    return (this.cpu.cr0 & CR0_PG) !== 0;
  }

  /**
   * Machine offset of the page of `linear` for `access` at `cpl` (paging on),
   * unsigned (RAM may reach 3.5 GiB), filling the TLB when `install`; Fault
   * (walker.errorCode set) or Done (no RAM behind it). Sets lastPhysical to
   * the page's guest-physical base.
   */
  protected abstract lookup(linear: number, access: Access, cpl: number, install: boolean): number;

  /**
   * The guest's page walk for a TLB miss, counted in the statistics (each
   * guest entry read or written is also a guest-physical → machine step);
   * false on a #PF, with walker.errorCode set.
   */
  protected walkGuest(linear: number, access: Access, cpl: number): boolean {
    const cpu = this.cpu;
    const w = this.walker;
    const st = this.statistics;
    st.walks++;
    const ok = w.walk(linear, access, cpl, cpu.cr0, cpu.cr3, cpu.cr4, true);
    st.walkAccesses += w.accesses;
    st.mapLookups += w.accesses;
    return ok;
  }

  /**
   * The machine page behind guest-physical page `gpage` (negative: no RAM
   * there), counted as one map lookup; sets lastPhysical to the page's base
   * (beyond 4 GiB for PSE-36 pages, hence no int32 shift).
   */
  protected mapGuestPage(gpage: number): number {
    this.lastPhysical = gpage * 4096;
    this.statistics.mapLookups++;
    return this.mem.map.machinePage(gpage);
  }

  /** Whether stores to this machine page must come through the MMU (guest page tables under ShadowMmu). */
  protected isTraced(_machinePage: number): boolean {
    return false;
  }

  /** A store the MMU performed at guest-physical `physical` (ShadowMmu updates shadows). */
  protected afterTracedWrite(_physical: number, _length: number): void {}

  abstract onCr3Write(): void;
  abstract onInvlpg(linear: number): void;
  protected abstract onPagingModeChange(): void;

  translate(linear: number, access: Access, cpl: number): number {
    return this.resultOf(this.pageOf(linear, access, cpl, false), linear);
  }

  translateAndFill(linear: number, access: Access, cpl: number): number {
    const tlb = this.tlb;
    const wasUser = tlb.userSelected;
    const page = this.pageOf(linear, access, cpl, true);
    // pageOf filled the half of `cpl`; `read`/`write` must keep following the CPU's CPL.
    if (tlb.userSelected !== wasUser) tlb.select(wasUser);
    return this.resultOf(page, linear);
  }

  /** translate()'s answer for pageOf's `page`: the physical address, or the failure (a fault is recorded). */
  private resultOf(page: number, linear: number): number {
    if (page < 0) {
      if (page === Translation.Fault) this.recordFault(linear);
      else this.lastPhysical += linear & PAGE_MASK;
      return page;
    }
    this.lastPhysical += linear & PAGE_MASK;
    return page + (linear & PAGE_MASK);
  }

  /** Sets (or with null, removes) the watchpoints; their pages leave the TLB and stay out while watched. */
  /** Whether watchpoints are set: code generated now must reach memory through the TLB even with paging off. */
  get watching(): boolean {
    return this.watch !== null;
  }

  setWatch(watch: MemoryWatch | null): void {
    this.watch = watch;
    this.tlb.setUncached(watch === null ? null : watch.pages);
  }

  fillRead(linear: number, size: number): number {
    if (this.watch !== null) this.watch.access(linear, size, false);
    this.statistics.tlbMisses++;
    const cpl = this.cpu.cpl;
    if ((linear & PAGE_MASK) + size > 4096) return this.crossRead(linear, size, cpl);
    const page = this.pageOf(linear, Access.Read, cpl, true);
    if (page >= 0) return page | 0; // int32, as the TLB holds it: negative from 2 GiB up
    if (page === Translation.Fault) return this.deliverableFault(linear);
    // No RAM behind the page: a device window (memory/mmio.ts) or open bus.
    const v = this.mem.mmio.read(this.lastPhysical + (linear & PAGE_MASK), size);
    this.slowValue = size === 4 ? v | 0 : v;
    return Translation.Done;
  }

  fillWrite(linear: number, size: number, value: number, region: unknown): number {
    if (this.watch !== null) this.watch.access(linear, size, true);
    this.statistics.tlbMisses++;
    const cpl = this.cpu.cpl;
    const offset = linear & PAGE_MASK;
    if (offset + size > 4096) {
      // Both pages must allow the write before either byte changes.
      const first = this.pageOf(linear, Access.Write, cpl, false);
      if (first === Translation.Fault) return this.deliverableFault(linear);
      const firstPhysical = this.lastPhysical;
      const next = (linear + 4096 - offset) | 0;
      const second = this.pageOf(next, Access.Write, cpl, false);
      if (second === Translation.Fault) return this.deliverableFault(next);
      const secondPhysical = this.lastPhysical;
      const split = 4096 - offset;
      const a = this.storeBytes(first, firstPhysical, offset, split, value, region);
      const b = this.storeBytes(second, secondPhysical, 0, size - split, value >>> (8 * split), region);
      return a || b ? Translation.DoneInvalidated : Translation.Done;
    }
    const page = this.pageOf(linear, Access.Write, cpl, true);
    if (page === Translation.Fault) return this.deliverableFault(linear);
    if (page >= 0 && !this.isTraced(page >>> PAGE_SHIFT)) return page | 0;
    return this.storeBytes(page, this.lastPhysical, offset, size, value, region) ? Translation.DoneInvalidated : Translation.Done;
  }

  /**
   * Checks that a `size`-byte store at `linear` would not fault, without
   * storing (and without setting D): 0, or Translation.Fault with CR2
   * written. For instructions with several stores (pushad, enter), whose
   * first store must not happen when a later one faults.
   */
  probeWrite(linear: number, size: number): number {
    const cpl = this.cpu.cpl;
    const walk = (la: number): boolean => {
      if (!this.pagingOn) return true;
      const cpu = this.cpu;
      return this.walker.walk(la, Access.Write, cpl, cpu.cr0, cpu.cr3, cpu.cr4, false);
    };
    if (!walk(linear)) return this.deliverableFault(linear);
    const offset = linear & PAGE_MASK;
    if (offset + size > 4096) {
      const next = (linear + 4096 - offset) | 0;
      if (!walk(next)) return this.deliverableFault(next);
    }
    return 0;
  }

  onCr0Cr4Write(): void {
    const cpu = this.cpu;
    const changed0 = (cpu.cr0 ^ this.cr0Seen) | 0;
    const changed4 = (cpu.cr4 ^ this.cr4Seen) | 0;
    this.cr0Seen = cpu.cr0;
    this.cr4Seen = cpu.cr4;
    // PG and PSE change what the guest's tables mean (shadows die); WP only what the TLB may allow.
    const structural = (changed0 & CR0_PG) !== 0 || (changed4 & CR4_PSE) !== 0;
    if (structural) this.onPagingModeChange();
    if (structural || (changed0 & CR0_WP) !== 0) this.flushTlb();
  }

  /** Selects the TLB half of the new privilege class; both halves keep their entries. */
  onCplChange(): void {
    this.tlb.select(this.cpu.cpl === 3);
  }

  onPhysicalWrite(physical: number, length: number): void {
    this.afterTracedWrite(physical, length);
  }

  protected flushTlb(): void {
    this.tlb.flushAll();
    this.statistics.tlbFlushes++;
  }

  /** Page lookup with paging off handled here: linear = guest-physical. */
  private pageOf(linear: number, access: Access, cpl: number, install: boolean): number {
    // Fills must land in the half of the CPL the access was checked at.
    if (install && (cpl === 3) !== this.tlb.userSelected) this.tlb.select(cpl === 3);
    if (this.pagingOn) return this.lookup(linear, access, cpl, install);
    const gpage = linear >>> PAGE_SHIFT;
    const mpage = this.mapGuestPage(gpage);
    if (mpage < 0) return Translation.Done;
    const machine = mpage * 4096;
    if (install) {
      this.tlb.setRead(gpage, machine);
      if (!this.isTraced(mpage)) this.tlb.setWrite(gpage, machine);
    }
    return machine;
  }

  private crossRead(linear: number, size: number, cpl: number): number {
    const offset = linear & PAGE_MASK;
    const first = this.pageOf(linear, Access.Read, cpl, false);
    if (first === Translation.Fault) return this.deliverableFault(linear);
    const firstPhysical = this.lastPhysical;
    const next = (linear + 4096 - offset) | 0;
    const second = this.pageOf(next, Access.Read, cpl, false);
    if (second === Translation.Fault) return this.deliverableFault(next);
    const secondPhysical = this.lastPhysical;
    const bytes = this.mem.machine.bytes;
    let v = 0;
    for (let i = 0; i < size; i++) {
      const o = offset + i;
      const base = o < 4096 ? first : second;
      const b = base >= 0 ? bytes[base + (o & PAGE_MASK)]!
        : this.mem.mmio.read((o < 4096 ? firstPhysical : secondPhysical) + (o & PAGE_MASK), 1);
      v |= b << (8 * i);
    }
    this.slowValue = size === 4 ? v | 0 : v;
    return Translation.Done;
  }

  /**
   * Stores `length` bytes of `value` at `offset` in machine page `page`
   * (< 0: no RAM, so a device window or nothing); true if the running
   * region must be left after the instruction: it died, or a device asked
   * for the event service (memory/mmio.ts).
   */
  private storeBytes(page: number, physicalBase: number, offset: number, length: number, value: number, region: unknown): boolean {
    if (page < 0) return this.mem.mmio.write(physicalBase + offset, length, value) !== 0;
    const bytes = this.mem.machine.bytes;
    for (let i = 0; i < length; i++) bytes[page + offset + i] = value >>> (8 * i);
    const mpage = page >>> PAGE_SHIFT;
    if (this.isTraced(mpage)) {
      this.statistics.tracedWrites++;
      this.afterTracedWrite((physicalBase + offset) >>> 0, length);
    }
    const watch = this.codeWatch;
    if (mpage < watch.codePages.length && watch.codePages[mpage] !== 0) {
      return watch.codeWrite(page + offset, length, region) !== 0;
    }
    return false;
  }

  private recordFault(linear: number): void {
    this.fault.errorCode = this.walker.errorCode;
    this.fault.cr2 = linear | 0;
    this.statistics.guestPageFaults++;
  }

  /** A fault generated code will deliver: CR2 is written now, as the processor does on detection. */
  private deliverableFault(linear: number): number {
    this.recordFault(linear);
    this.cpu.cr2 = linear | 0;
    return Translation.Fault;
  }
}
