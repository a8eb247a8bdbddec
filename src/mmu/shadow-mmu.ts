/**
 * ShadowMmu (`--mmu shadow`, the default): shadow page tables, as a
 * binary-translating VMM on hardware without nested paging keeps them.
 *
 * The guest's tables say linear → guest-physical; the shadow says linear →
 * machine directly, with the rights both guest levels grant (shadow-root.ts).
 * A TLB miss consults the shadow first and installs its entry without
 * walking; only when the shadow has nothing (a *hidden page fault*: the
 * guest's tables allow the access but the shadow was never filled or was
 * dropped) does the MMU walk the guest tables — setting A/D as hardware
 * would — and record the result. When the walk fails the fault is the
 * guest's (a *true page fault*) and goes to its handler with its error code.
 *
 * Coherence comes from write tracing instead of trusting the guest's
 * invlpg discipline: every page directory and page table a shadow was built
 * from is traced — the TLB never holds a write entry for it, so each guest
 * store there reaches fillWrite, which performs it and drops the shadow
 * entries (a PTE written) or shadow tables (a PDE written) it affects.
 * Shadows of the last few CR3 values stay cached, so a process switch back
 * finds its shadow warm; the least recently used is evicted (and its pages
 * untraced) beyond ROOT_SLOTS. Changing PG or PSE drops every shadow.
 */
import type { CpuState } from '../state/state.js';
import type { GuestPhysicalMemory } from '../memory/guest-physical-memory.js';
import { PAGE_SHIFT } from '../memory/machine-map.js';
import { Access, Translation } from './mmu.js';
import { MmuCore, type CodeWatch } from './mmu-core.js';
import { PTE_D, PTE_RW, PTE_US, rightsAllow } from './page-walk.js';
import { LARGE, NONE, SHADOW_DIRTY, SHADOW_VALID, ShadowRoot } from './shadow-root.js';

export const ROOT_SLOTS = 8;

export class ShadowMmu extends MmuCore {
  private readonly slots: (ShadowRoot | null)[] = new Array<ShadowRoot | null>(ROOT_SLOTS).fill(null);
  private current: ShadowRoot | null = null;
  private switches = 0;
  /** Per guest-physical page: how many shadow structures depend on its contents (nonzero = traced). */
  private readonly traceCount: Int32Array;
  /** Guest page-table page → shadow tables built from it, as slot * 1024 + directory index. */
  private readonly tableUsers = new Map<number, number[]>();

  constructor(cpu: CpuState, mem: GuestPhysicalMemory, codeWatch?: CodeWatch) {
    super(cpu, mem, codeWatch);
    this.traceCount = new Int32Array(mem.map.pages);
  }

  /** The shadow of the current CR3 (created if needed); for tests and debugging. */
  currentRoot(): ShadowRoot {
    return this.rootFor(this.cpu.cr3);
  }

  /** Whether guest-physical page `page` is write-traced. */
  isTracedGuestPage(page: number): boolean {
    return page >= 0 && page < this.traceCount.length && this.traceCount[page]! > 0;
  }

  protected override isTraced(machinePage: number): boolean {
    return this.traceCount[this.mem.map.toGuest[machinePage]!]! > 0;
  }

  protected lookup(linear: number, access: Access, cpl: number, install: boolean): number {
    const cpu = this.cpu;
    let root = this.current;
    if (root === null || root.directoryPage !== cpu.cr3 >>> PAGE_SHIFT) root = this.switchTo(cpu.cr3);
    const page = linear >>> PAGE_SHIFT;
    const i = page >>> 10, j = page & 1023;
    const table = root.tables[i] ?? null;
    let e = table !== null ? table[j]! : 0;
    if (e === 0 || !this.entryAllows(e, access, cpl)) {
      if (!this.walkGuest(linear, access, cpl)) return Translation.Fault;
      this.statistics.hiddenPageFaults++;
      const w = this.walker;
      const mpage = this.mapGuestPage(w.physicalPage);
      // No RAM behind it: nothing to shadow, every access takes the slow path.
      if (mpage < 0) return Translation.Done;
      e = (mpage << PAGE_SHIFT) | (w.flags & (PTE_RW | PTE_US | PTE_D)) | SHADOW_VALID;
      this.record(root, i, j, e, w.pteAddress < 0 ? LARGE : w.pteAddress >>> PAGE_SHIFT);
    } else {
      this.lastPhysical = (this.mem.map.toGuest[e >>> PAGE_SHIFT]! << PAGE_SHIFT) >>> 0;
    }
    const machine = (e & ~0xfff) >>> 0; // unsigned: RAM may reach 3.5 GiB
    if (install) {
      this.tlb.setRead(page, machine);
      if (this.entryAllows(e, Access.Write, cpl) && !this.isTraced(e >>> PAGE_SHIFT)) this.tlb.setWrite(page, machine);
    }
    return machine;
  }

  onCr3Write(): void {
    this.switchTo(this.cpu.cr3);
    this.flushTlb();
  }

  onInvlpg(linear: number): void {
    const page = linear >>> PAGE_SHIFT;
    const root = this.current;
    if (root !== null) {
      const i = page >>> 10;
      const table = root.tables[i];
      if (table != null) {
        // A 4 MiB translation covers the whole table: invlpg anywhere in it drops it all.
        if (root.source[i] === LARGE) this.dropTable(root, i);
        else if (table[page & 1023] !== 0) {
          table[page & 1023] = 0;
          this.statistics.shadowFlushes++;
        }
      }
    }
    this.tlb.flushPage(page);
  }

  protected onPagingModeChange(): void {
    for (let s = 0; s < ROOT_SLOTS; s++) this.evict(s);
    this.current = null;
  }

  /** Keeps shadows coherent after a store of `length` bytes at guest-physical `physical`. */
  protected override afterTracedWrite(physical: number, length: number): void {
    const end = physical + length - 1;
    for (let page = Math.floor(physical / 4096); page <= Math.floor(end / 4096); page++) {
      if (page >= this.traceCount.length || this.traceCount[page] === 0) continue;
      const first = page * 4096 > physical ? 0 : (physical & 0xfff) >>> 2;
      const last = (page + 1) * 4096 <= end ? 1023 : (end & 0xfff) >>> 2;
      // As a page directory: the PDEs written invalidate whole shadow tables.
      for (const root of this.slots) {
        if (root === null || root.directoryPage !== page) continue;
        for (let i = first; i <= last; i++) this.dropTable(root, i);
      }
      // As a page table: the PTEs written invalidate single shadow entries.
      const users = this.tableUsers.get(page);
      if (users === undefined) continue;
      for (const user of users) {
        const root = this.slots[user >>> 10]!;
        const i = user & 1023;
        const table = root.tables[i]!;
        for (let j = first; j <= last; j++) {
          if (table[j] === 0) continue;
          table[j] = 0;
          this.statistics.shadowFlushes++;
          if (root === this.current) this.tlb.flushPage((i << 10) | j);
        }
      }
    }
  }

  private entryAllows(e: number, access: Access, cpl: number): boolean {
    if (!rightsAllow(e, access, cpl, this.cpu.cr0)) return false;
    return access !== Access.Write || (e & SHADOW_DIRTY) !== 0;
  }

  /** Stores shadow entry `e` for (i, j), creating shadow table i from guest table `source` if needed. */
  private record(root: ShadowRoot, i: number, j: number, e: number, source: number): void {
    let table = root.tables[i] ?? null;
    if (table !== null && root.source[i] !== source) {
      // The PDE changed behind the tracing (a write nobody reported): rebuild.
      this.dropTable(root, i);
      table = null;
    }
    if (table === null) {
      table = new Int32Array(1024);
      root.tables[i] = table;
      root.source[i] = source;
      if (source >= 0 && source < this.traceCount.length) {
        const enc = (root.slot << 10) | i;
        const users = this.tableUsers.get(source);
        if (users === undefined) this.tableUsers.set(source, [enc]);
        else users.push(enc);
        this.trace(source);
      }
    } else if (table[j] !== 0 && root === this.current) {
      this.tlb.flushPage((i << 10) | j);
    }
    table[j] = e;
  }

  private dropTable(root: ShadowRoot, i: number): void {
    const table = root.tables[i];
    if (table == null) return;
    root.tables[i] = null;
    const source = root.source[i]!;
    root.source[i] = NONE;
    if (source >= 0 && source < this.traceCount.length) {
      const users = this.tableUsers.get(source)!;
      const at = users.indexOf((root.slot << 10) | i);
      users.splice(at, 1);
      if (users.length === 0) this.tableUsers.delete(source);
      this.untrace(source);
    }
    if (root === this.current) {
      const base = i << 10;
      for (let j = 0; j < 1024; j++) if (table[j] !== 0) this.tlb.flushPage(base | j);
    }
    this.statistics.shadowFlushes++;
  }

  private trace(page: number): void {
    if (this.traceCount[page]++ === 0) this.tlb.dropWritesTo(this.mem.map.toMachine[page]!);
  }

  private untrace(page: number): void {
    this.traceCount[page]--;
  }

  private rootFor(cr3: number): ShadowRoot {
    const directory = cr3 >>> PAGE_SHIFT;
    for (const r of this.slots) if (r !== null && r.directoryPage === directory) return r;
    let slot = this.slots.indexOf(null);
    if (slot < 0) {
      slot = 0;
      for (let s = 1; s < ROOT_SLOTS; s++) if (this.slots[s]!.lastUse < this.slots[slot]!.lastUse) slot = s;
      this.evict(slot);
    }
    const root = new ShadowRoot(directory, slot);
    this.slots[slot] = root;
    if (directory < this.traceCount.length) this.trace(directory);
    return root;
  }

  private switchTo(cr3: number): ShadowRoot {
    const root = this.rootFor(cr3);
    root.lastUse = ++this.switches;
    if (root !== this.current) {
      // TLB entries came from the old root's shadow.
      if (this.current !== null) this.flushTlb();
      this.current = root;
    }
    return root;
  }

  private evict(slot: number): void {
    const root = this.slots[slot];
    if (root == null) return;
    for (let i = 0; i < 1024; i++) this.dropTable(root, i);
    if (root.directoryPage < this.traceCount.length) this.untrace(root.directoryPage);
    this.slots[slot] = null;
    if (root === this.current) this.current = null;
    this.statistics.shadowFlushes++;
  }
}
