/**
 * NestedMmu (`--mmu nested`): what hardware nested paging (EPT/NPT) does,
 * for comparison with shadow paging.
 *
 * There are no shadows and nothing is traced: every TLB miss walks the
 * guest's tables and then maps each guest-physical address it touched
 * through the machine map — the two-dimensional walk, whose cost the
 * statistics count (walkAccesses: guest entries read and written;
 * mapLookups: guest-physical → machine steps). Like a hardware TLB, this
 * one is coherent only through the guest's own flushes: a CR3 write empties
 * it and invlpg drops the page, so a guest that edits a PTE without invlpg
 * may see the old translation, exactly as on a real CPU.
 *
 * The TLB holds 4 KiB pages only, so a 4 MiB translation is cached as
 * separate pieces and an invlpg inside it must drop all 1024. Doing that for
 * every invlpg cost ~9 µs per guest PTE change (nano/ptemod, 90× shadow
 * paging), so each 4 MiB region remembers whether a large page filled it.
 */
import { PAGE_SHIFT } from '../memory/machine-map.js';
import { Access, Translation } from './mmu.js';
import { MmuCore } from './mmu-core.js';
import { PDE_PS, PTE_D, rightsAllow } from './page-walk.js';

export class NestedMmu extends MmuCore {
  /** Per 4 MiB of linear space: 1 when the TLB may hold pieces of a 4 MiB page there. */
  private readonly largeFilled = new Uint8Array(1024);

  protected lookup(linear: number, access: Access, cpl: number, install: boolean): number {
    const w = this.walker;
    if (!this.walkGuest(linear, access, cpl)) return Translation.Fault;
    const mpage = this.mapGuestPage(w.physicalPage);
    if (mpage < 0) return Translation.Done;
    const machine = mpage * 4096; // unsigned: RAM may reach 3.5 GiB
    if (install) {
      const page = linear >>> PAGE_SHIFT;
      if ((w.flags & PDE_PS) !== 0) this.largeFilled[linear >>> 22] = 1;
      this.tlb.setRead(page, machine);
      if ((w.flags & PTE_D) !== 0 && rightsAllow(w.flags, Access.Write, cpl, this.cpu.cr0)) this.tlb.setWrite(page, machine);
    }
    return machine;
  }

  onCr3Write(): void {
    this.flushTlb();
  }

  onInvlpg(linear: number): void {
    const region = linear >>> 22;
    if (this.largeFilled[region] === 0) {
      this.tlb.flushPage(linear >>> PAGE_SHIFT);
      return;
    }
    // The page may lie in a 4 MiB translation, whose 4 KiB pieces are all cached separately.
    const base = region << 10;
    for (let j = 0; j < 1024; j++) this.tlb.flushPage(base | j);
    this.largeFilled[region] = 0;
  }

  protected override flushTlb(): void {
    super.flushTlb();
    this.largeFilled.fill(0);
  }

  protected onPagingModeChange(): void {}
}
