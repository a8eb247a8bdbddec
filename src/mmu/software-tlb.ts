/**
 * The software TLB that generated code consults on every memory access.
 *
 * Int32Arrays indexed by linear page (2^20 entries each) hold the machine
 * byte offset of the page, or TLB_MISS. An offset is page-aligned and kept
 * as int32: with RAM above 2 GiB (-m up to 3.5 GiB) the offsets of the high
 * pages are negative there, so a miss is told by its low bits, never by the
 * sign — TLB_MISS (-1) is odd, no offset is. Readers form the machine index
 * as `(entry | offset) >>> 0`; code generated for RAM of at most 2 GiB may
 * still test the sign (no entry is negative then: codegen/paged-memory-
 * access.ts picks its form by RAM size). There are two halves, one per
 * privilege class — supervisor (CPL 0–2) and user (CPL 3) — and each half
 * has one array for reads (and fetches) and one for writes. An entry in a
 * half means "this access is allowed at that privilege class under the
 * current CR0.WP", so a privilege change selects the other half instead of
 * emptying the TLB: a syscall round trip keeps both the kernel's and the
 * user program's translations. Generated code is compiled for one CPL (the
 * CPL is part of the translation mode word, state/mode.ts) and binds the half
 * of its class directly (codegen/paged-memory-access.ts); `read`/`write`
 * follow the class the MMU last selected, for the instruction fetcher and
 * other callers that run at the CPU's current CPL.
 *
 * Everything that can make an entry wrong — a CR3 write, invlpg, a traced
 * store into a guest page table, CR0.WP/PG or CR4.PSE changing — drops it
 * from both halves, so permission never leaks from one class to the other.
 *
 * Read and write arrays are apart so that a page can stay readable from the
 * TLB while its writes go to the MMU — a clean page whose D bit must be set
 * first, or a page holding guest page tables whose stores must be traced.
 *
 * Flushing happens on every CR3 write, so it must not cost 32 MiB of fill:
 * each array remembers which entries it filled (up to a bound) and a flush
 * clears only those; past the bound it falls back to a full fill.
 */

export const TLB_ENTRIES = 1 << 20;
/** An entry with no translation: odd, so no page-aligned machine offset equals it. */
export const TLB_MISS = -1;
/** Filled entries remembered per array before a flush degrades to a full clear. */
const TRACKED = 8192;

class TlbArray {
  readonly entries = new Int32Array(TLB_ENTRIES).fill(TLB_MISS);
  private readonly filled = new Int32Array(TRACKED);
  private count = 0;

  /** `machine`: the page's machine offset, unsigned or int32 (stored as int32). */
  set(page: number, machine: number): void {
    if (this.entries[page]! === TLB_MISS) {
      if (this.count < TRACKED) this.filled[this.count] = page;
      this.count++;
    }
    this.entries[page] = machine;
  }

  clear(): void {
    if (this.count === 0) return;
    if (this.count > TRACKED) this.entries.fill(TLB_MISS);
    else for (let i = 0; i < this.count; i++) this.entries[this.filled[i]!] = TLB_MISS;
    this.count = 0;
  }

  /** Empties every entry for machine offset `machine` (int32 form: entries of a page that just became write-traced). */
  dropEqual(machine: number): void {
    const e = this.entries;
    if (this.count > TRACKED) {
      for (let i = 0; i < TLB_ENTRIES; i++) if (e[i] === machine) e[i] = TLB_MISS;
      return;
    }
    // Stale indices in the list (entries flushed one by one since) only cost a redundant test.
    for (let i = 0; i < this.count; i++) {
      const page = this.filled[i]!;
      if (e[page] === machine) e[page] = TLB_MISS;
    }
  }
}

/** One privilege class's read and write arrays. */
class TlbHalf {
  readonly readArray = new TlbArray();
  readonly writeArray = new TlbArray();
  readonly read = this.readArray.entries;
  readonly write = this.writeArray.entries;

  clear(): void {
    this.readArray.clear();
    this.writeArray.clear();
  }
}

export class SoftwareTlb {
  private readonly supervisor = new TlbHalf();
  private readonly user = new TlbHalf();
  private current: TlbHalf = this.supervisor;

  /** Supervisor (CPL 0–2) read/fetch entries: bound into supervisor code as TLBR. */
  readonly supervisorRead: Int32Array = this.supervisor.read;
  /** Supervisor write entries, bound as TLBW. A write entry implies the read entry. */
  readonly supervisorWrite: Int32Array = this.supervisor.write;
  /** User (CPL 3) read/fetch entries: bound into user code as TLBUR. */
  readonly userRead: Int32Array = this.user.read;
  /** User write entries, bound as TLBUW. */
  readonly userWrite: Int32Array = this.user.write;

  /** Read entries of the selected class (see select). */
  read: Int32Array = this.supervisorRead;
  /** Write entries of the selected class. */
  write: Int32Array = this.supervisorWrite;

  /** Whether the user half is the selected one. */
  get userSelected(): boolean {
    return this.current === this.user;
  }

  /** Selects the half that fills and `read`/`write` refer to: user (CPL 3) or supervisor. Flushes nothing. */
  select(user: boolean): void {
    const half = user ? this.user : this.supervisor;
    this.current = half;
    this.read = half.read;
    this.write = half.write;
  }

  /**
   * Linear pages that must never be entered (a debugger watches them), so
   * every access there takes the MMU's slow path; null: none. Consulted only
   * when an entry is filled, never on a hit.
   */
  private uncached: ReadonlySet<number> | null = null;

  /** Makes `pages` slow-path only (dropping their entries now), or none when null. */
  setUncached(pages: ReadonlySet<number> | null): void {
    this.uncached = pages !== null && pages.size > 0 ? pages : null;
    if (pages !== null) for (const page of pages) this.flushPage(page);
  }

  setRead(page: number, machine: number): void {
    if (this.uncached !== null && this.uncached.has(page)) return;
    this.current.readArray.set(page, machine);
  }

  setWrite(page: number, machine: number): void {
    if (this.uncached !== null && this.uncached.has(page)) return;
    this.current.writeArray.set(page, machine);
  }

  flushPage(page: number): void {
    // Leave the tracking lists alone: a stale index there only costs a redundant clear.
    const s = this.supervisor, u = this.user;
    s.read[page] = TLB_MISS;
    s.write[page] = TLB_MISS;
    u.read[page] = TLB_MISS;
    u.write[page] = TLB_MISS;
  }

  flushAll(): void {
    this.supervisor.clear();
    this.user.clear();
  }

  /** Drops write entries, in both halves, pointing at machine page `machinePage` (it just became write-traced). */
  dropWritesTo(machinePage: number): void {
    const target = machinePage << 12; // int32, as the entries hold it
    this.supervisor.writeArray.dropEqual(target);
    this.user.writeArray.dropEqual(target);
  }
}
