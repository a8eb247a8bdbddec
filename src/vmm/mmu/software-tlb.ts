/**
 * The software TLB that generated code consults on every memory access.
 *
 * Two Int32Arrays indexed by linear page (2^20 entries each) hold the
 * machine byte offset of the page, or -1 (miss), for the current privilege
 * class and CR0.WP: one for reads (and fetches), one for writes. Keeping
 * them apart lets a page stay readable from the TLB while its writes go to
 * the MMU — a clean page whose D bit must be set first, or a page holding
 * guest page tables whose stores must be traced.
 *
 * Flushing happens on every CR3 write, so it must not cost 8 MiB of fill:
 * each array remembers which entries it filled (up to a bound) and a flush
 * clears only those; past the bound it falls back to a full fill.
 */

export const TLB_ENTRIES = 1 << 20;
/** Filled entries remembered per array before a flush degrades to a full clear. */
const TRACKED = 8192;

class TlbArray {
  readonly entries = new Int32Array(TLB_ENTRIES).fill(-1);
  private readonly filled = new Int32Array(TRACKED);
  private count = 0;

  set(page: number, machine: number): void {
    if (this.entries[page]! < 0) {
      if (this.count < TRACKED) this.filled[this.count] = page;
      this.count++;
    }
    this.entries[page] = machine;
  }

  clear(): void {
    if (this.count > TRACKED) this.entries.fill(-1);
    else for (let i = 0; i < this.count; i++) this.entries[this.filled[i]!] = -1;
    this.count = 0;
  }

  /** Calls `f` with every linear page that may hold an entry (possibly stale ones); false if untracked. */
  forEachFilled(f: (page: number) => void): boolean {
    if (this.count > TRACKED) return false;
    for (let i = 0; i < this.count; i++) f(this.filled[i]!);
    return true;
  }
}

export class SoftwareTlb {
  private readonly readArray = new TlbArray();
  private readonly writeArray = new TlbArray();
  /** Read/fetch entries: machine offset of the linear page, -1 = miss. Bound into generated code as TLBR. */
  readonly read: Int32Array = this.readArray.entries;
  /** Write entries, bound as TLBW. A write entry implies the read entry. */
  readonly write: Int32Array = this.writeArray.entries;

  setRead(page: number, machine: number): void {
    this.readArray.set(page, machine);
  }

  setWrite(page: number, machine: number): void {
    this.writeArray.set(page, machine);
  }

  flushPage(page: number): void {
    // Leave the tracking list alone: a stale index there only costs a redundant clear.
    this.read[page] = -1;
    this.write[page] = -1;
  }

  flushAll(): void {
    this.readArray.clear();
    this.writeArray.clear();
  }

  /** Drops write entries pointing at machine page `machinePage` (it just became write-traced). */
  dropWritesTo(machinePage: number): void {
    const w = this.write;
    const target = machinePage << 12;
    const tracked = this.writeArray.forEachFilled((page) => {
      if (w[page] === target) w[page] = -1;
    });
    if (!tracked) {
      for (let i = 0; i < TLB_ENTRIES; i++) if (w[i] === target) w[i] = -1;
    }
  }

  /** Linear pages with a read entry (for consistency checks and statistics). */
  filledReadPages(): number[] {
    const out: number[] = [];
    for (let i = 0; i < TLB_ENTRIES; i++) if (this.read[i]! >= 0) out.push(i);
    return out;
  }
}
