/**
 * A debugger's hold on one Machine, shared by the gdb stub and the monitor:
 * pause and resume, single-step, breakpoints and data watchpoints.
 *
 * It is the DebugControl the dispatcher asks before each instruction while
 * any of these is in use (src/exec/dispatcher.ts: regions are then one
 * instruction each, so a breakpoint address can never sit inside a region
 * that runs past it), and the MemoryWatch the MMU tells of every access to a
 * watched page (src/mmu/mmu-core.ts: those pages never enter the software
 * TLB, so no access escapes). With no breakpoint, watchpoint, step or pause
 * pending it is inactive and the guest runs as fast as without a debugger.
 *
 * Breakpoints live here, not in guest memory: no int3 is written, so the
 * guest reading its own code sees its own bytes.
 */
import type { DebugControl } from '../exec/dispatcher.js';
import type { Machine } from '../machine/machine.js';
import type { MemoryWatch } from '../mmu/mmu-core.js';

export type WatchKind = 'write' | 'read' | 'access';

export type StopReason =
  | { readonly kind: 'pause' }
  | { readonly kind: 'step' }
  | { readonly kind: 'breakpoint'; readonly address: number }
  | { readonly kind: 'watch'; readonly watch: WatchKind; readonly address: number };

interface Watchpoint {
  readonly address: number;
  readonly length: number;
  readonly kind: WatchKind;
}

export class DebugSession implements DebugControl, MemoryWatch {
  active = false;
  /** The guest is held: Machine.run waits instead of running it. */
  paused = false;
  readonly breakpoints = new Set<number>();
  readonly pages = new Set<number>();
  /** Called when the guest stops (a breakpoint, a step, a watchpoint, a pause). */
  onStop: ((reason: StopReason) => void) | null = null;
  private watchpoints: Watchpoint[] = [];
  private stepping = false;
  /** The first instruction after a resume runs even if a breakpoint is on it. */
  private resuming = false;
  private watchHit: StopReason | null = null;

  constructor(readonly machine: Machine, startPaused: boolean) {
    this.paused = startPaused;
    this.update();
    machine.attachDebugger(this);
  }

  beforeInstruction(eip: number): boolean {
    if (this.paused) return true;
    if (this.watchHit !== null) {
      const hit = this.watchHit;
      this.watchHit = null;
      return this.stop(hit);
    }
    if (this.resuming) {
      this.resuming = false;
      return false;
    }
    if (this.stepping) return this.stop({ kind: 'step' });
    if (this.breakpoints.has(eip)) return this.stop({ kind: 'breakpoint', address: eip });
    return false;
  }

  access(linear: number, size: number, write: boolean): void {
    if (this.watchHit !== null) return;
    const first = linear >>> 0, last = first + size - 1;
    for (const w of this.watchpoints) {
      if (last < w.address || first > w.address + w.length - 1) continue;
      if (w.kind === 'access' || (w.kind === 'write') === write) {
        this.watchHit = { kind: 'watch', watch: w.kind, address: w.address };
        return;
      }
    }
  }

  /** Holds the guest now (between two of its instructions: the run loop is not inside the guest when this runs). */
  pause(): void {
    if (this.paused) return;
    this.stop({ kind: 'pause' });
  }

  /** Lets the guest run; with `step`, for one instruction. */
  resume(step = false): void {
    this.paused = false;
    this.stepping = step;
    this.resuming = true;
    this.update();
    this.machine.wake();
  }

  addWatchpoint(address: number, length: number, kind: WatchKind): void {
    this.watchpoints.push({ address: address >>> 0, length: Math.max(1, length), kind });
    this.watchesChanged();
  }

  removeWatchpoint(address: number, length: number, kind: WatchKind): boolean {
    const i = this.watchpoints.findIndex((w) => w.address === address >>> 0 && w.length === Math.max(1, length) && w.kind === kind);
    if (i < 0) return false;
    this.watchpoints.splice(i, 1);
    this.watchesChanged();
    return true;
  }

  addBreakpoint(address: number): void {
    this.breakpoints.add(address >>> 0);
    this.update();
  }

  removeBreakpoint(address: number): void {
    this.breakpoints.delete(address >>> 0);
    this.update();
  }

  /** Forgets every breakpoint and watchpoint and lets the guest run on (gdb's detach). */
  detach(): void {
    this.breakpoints.clear();
    this.watchpoints = [];
    this.watchesChanged();
    this.resume();
    this.machine.attachDebugger(null);
  }

  private stop(reason: StopReason): true {
    this.paused = true;
    this.stepping = false;
    this.update();
    this.onStop?.(reason);
    return true;
  }

  private watchesChanged(): void {
    this.pages.clear();
    for (const w of this.watchpoints) {
      for (let p = w.address >>> 12; p <= (w.address + w.length - 1) >>> 12; p++) this.pages.add(p & 0xfffff);
    }
    const mmu = this.machine.pagingMmu;
    const wasWatching = mmu.watching;
    mmu.setWatch(this.watchpoints.length > 0 ? this : null);
    // Code translated with paging off reaches RAM without the TLB: it must be generated anew, through it.
    if (mmu.watching !== wasWatching) this.machine.flushTranslations();
    this.update();
  }

  private update(): void {
    this.active = this.paused || this.stepping || this.breakpoints.size > 0 || this.watchpoints.length > 0;
  }
}
