/**
 * SmcPages: which physical pages self-modifying code keeps rewriting, so
 * the translator can stop compiling big regions there.
 *
 * The translation cache invalidates byte-exactly (code-pages.ts), which is
 * right for code that is patched now and then. It goes wrong for code that
 * stores into its own page over and over — a loop that rewrites its next
 * iteration, or random bytes running `add [eax], al` with EAX just ahead in
 * the same page: each store kills the region that contains it, the next
 * dispatch lifts, optimises and compiles a whole region (up to 12 blocks) again,
 * and that region dies at the next store. Translation then costs thousands of
 * instructions per instruction executed (a "translation storm").
 *
 * The signal is a *cycle*: a store into a page kills a translation that was
 * made there after the previous cycle. A loader copying a program over stale
 * translations kills many old regions in a row but makes one cycle; a storm
 * makes one cycle per retranslation. After HOT_CYCLES cycles, each within
 * WINDOW translations (cache-wide) of the one before, the page is *hot*: the
 * translator gives each of its entries a one-instruction region, so a store
 * kills at most the few instructions whose bytes it covers and retranslating
 * costs one instruction.
 *
 * A hot page cools when WINDOW translations pass with no store into its code
 * (checked when the translator asks), so a page that was rewritten during
 * start-up and then settles gets full regions again for code translated
 * after that; one-instruction regions it already has stay until they are
 * invalidated or flushed. Clock: the cache's translation count, which only
 * moves when translating, the cost this policy bounds.
 *
 * Records exist only for pages a store has hit translated code on, and the
 * cache prunes cold ones at each flush, so the map stays small; every method
 * runs on the slow path (a store into a code page, or a translation), never
 * per ordinary memory access.
 */

/** Cycles within the window that make a page hot. */
export const HOT_CYCLES = 4;
/** Translations (cache-wide) without a cycle, resp. without a store into its code, after which a page's history is forgotten. */
export const SMC_WINDOW = 1024;

/** What is known about one page's self-modification (one shape for all pages). */
class SmcPage {
  /** Cycles counted in the current window. */
  cycles = 0;
  /** Translation serial of the last counted cycle: regions made after it are "new since". */
  lastCycle = 0;
  /** Translation serial of the last store into translated code on this page (overlapping or not). */
  lastWrite = 0;
  hot = false;
}

export class SmcPages {
  private readonly pages = new Map<number, SmcPage>();

  /**
   * A store touched page `page`, which holds translated code. `youngestKilled`
   * is the highest translation serial among the regions it invalidated there
   * (0 when it overlapped none); `now` the cache's translation serial.
   * True when this write made the page hot.
   */
  noteWrite(page: number, youngestKilled: number, now: number): boolean {
    let rec = this.pages.get(page);
    if (rec === undefined) {
      if (youngestKilled === 0) return false; // data next to code: nothing to learn
      rec = new SmcPage();
      this.pages.set(page, rec);
    }
    rec.lastWrite = now;
    if (youngestKilled <= rec.lastCycle) return false; // nothing translated since the last cycle died
    if (now - rec.lastCycle > SMC_WINDOW) rec.cycles = 0;
    rec.cycles++;
    rec.lastCycle = now;
    if (rec.hot || rec.cycles < HOT_CYCLES) return false;
    rec.hot = true;
    return true;
  }

  /** Whether translations entered on `page` should be one instruction; cools the page when its window has passed. */
  isHot(page: number, now: number): boolean {
    const rec = this.pages.get(page);
    if (rec === undefined || !rec.hot) return false;
    if (now - rec.lastWrite <= SMC_WINDOW) return true;
    this.pages.delete(page);
    return false;
  }

  /** Forget pages with no store into their code within the window (at a cache flush). */
  prune(now: number): void {
    for (const [page, rec] of this.pages) if (now - rec.lastWrite > SMC_WINDOW) this.pages.delete(page);
  }

  /** Pages currently hot (for tests and dumps). */
  get hotCount(): number {
    let n = 0;
    for (const rec of this.pages.values()) if (rec.hot) n++;
    return n;
  }
}
