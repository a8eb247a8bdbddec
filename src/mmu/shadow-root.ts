/**
 * One shadow address space: what ShadowMmu keeps per guest page directory
 * (per CR3 value).
 *
 * It mirrors the guest's two levels: a shadow table per page-directory
 * index, created when the first page under that PDE is shadowed, holding
 * per linear page a shadow entry — the machine page with the rights the
 * guest's PDE and PTE grant together:
 *
 *   bits 31..12  machine page
 *   bit 6        the guest's final entry was dirty when shadowed
 *   bit 2, 1     U/S and R/W, combined over both guest levels
 *   bit 0        valid (so an entry for machine page 0 is still nonzero)
 *
 * `source[i]` remembers which guest page table shadow table i was built
 * from (LARGE for a 4 MiB PDE): that page, and the page directory itself,
 * are write-traced while this root lives, so a guest store into either
 * finds the shadow entries it makes stale.
 */

export const SHADOW_VALID = 1, SHADOW_RW = 2, SHADOW_US = 4, SHADOW_DIRTY = 0x40;
/** source[i] for a PDE mapping a 4 MiB page. */
export const LARGE = -2;
/** source[i] for a PDE without a shadow table. */
export const NONE = -1;

export class ShadowRoot {
  readonly tables: (Int32Array | null)[] = new Array<Int32Array | null>(1024).fill(null);
  readonly source = new Int32Array(1024).fill(NONE);
  /** Least-recently-used bookkeeping: the MMU's switch counter at the last CR3 load of this root. */
  lastUse = 0;

  constructor(
    /** Guest-physical page of the page directory (CR3 >> 12). */
    readonly directoryPage: number,
    /** Index in ShadowMmu's root slots (part of the trace-user encoding). */
    readonly slot: number,
  ) {}

  /** Number of valid shadow entries (for statistics and tests). */
  entryCount(): number {
    let n = 0;
    for (const t of this.tables) if (t !== null) for (let j = 0; j < 1024; j++) if (t[j] !== 0) n++;
    return n;
  }
}
