/**
 * A debugger's hold on one Machine, shared by the gdb stub and the monitor:
 * pause and resume, single-step, breakpoints and data watchpoints.
 *
 * It is the DebugControl the dispatcher asks before each instruction while
 * a pause, a step or a watchpoint is in use (src/exec/dispatcher.ts: regions
 * are then one instruction each), and before each instruction of the
 * regions that hold a breakpoint address when only breakpoints are set (the
 * rest of the guest runs at full speed), and the MemoryWatch the MMU tells of every access to a
 * watched page (src/mmu/mmu-core.ts: those pages never enter the software
 * TLB, so no access escapes). With no breakpoint, watchpoint, step or pause
 * pending it is inactive and the guest runs as fast as without a debugger.
 *
 * Breakpoints live here, not in guest memory: no int3 is written, so the
 * guest reading its own code sees its own bytes. gdb's software (Z0) and
 * hardware (Z1) breakpoints act alike (a translator needs no debug
 * registers) but are kept apart, so removing one kind leaves the other.
 */
import type { DebugControl } from '../exec/dispatcher.js';
import type { Machine } from '../machine/machine.js';
import type { MemoryWatch } from '../mmu/mmu-core.js';

export type WatchKind = 'write' | 'read' | 'access';
export type BreakpointKind = 'software' | 'hardware';

export type StopReason =
  | { readonly kind: 'pause' }
  | { readonly kind: 'step' }
  | { readonly kind: 'breakpoint'; readonly address: number }
  | { readonly kind: 'watch'; readonly watch: WatchKind; readonly address: number };

const KIND_BIT: Readonly<Record<BreakpointKind, number>> = { software: 1, hardware: 2 };

interface Watchpoint {
  readonly address: number;
  readonly length: number;
  readonly kind: WatchKind;
}

export class DebugSession implements DebugControl, MemoryWatch {
  active = false;
  /** The guest is held: Machine.run waits instead of running it. */
  paused = false;
  /** Every breakpoint EIP, of either kind. */
  readonly breakpoints = new Set<number>();
  /** Per breakpoint EIP: bit 0 software, bit 1 hardware. */
  private readonly breakpointKinds = new Map<number, number>();
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
      this.update();
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

  addBreakpoint(address: number, kind: BreakpointKind = 'software'): void {
    const at = address >>> 0;
    this.breakpointKinds.set(at, (this.breakpointKinds.get(at) ?? 0) | KIND_BIT[kind]);
    this.breakpoints.add(at);
    this.update();
  }

  /** Removes the breakpoint of that kind; false when there was none. */
  removeBreakpoint(address: number, kind: BreakpointKind = 'software'): boolean {
    const at = address >>> 0;
    const kinds = this.breakpointKinds.get(at) ?? 0;
    if ((kinds & KIND_BIT[kind]) === 0) return false;
    const left = kinds & ~KIND_BIT[kind];
    if (left === 0) {
      this.breakpointKinds.delete(at);
      this.breakpoints.delete(at);
    } else this.breakpointKinds.set(at, left);
    this.update();
    return true;
  }

  /** Forgets every breakpoint and watchpoint and lets the guest run on (gdb's detach). */
  detach(): void {
    this.breakpoints.clear();
    this.breakpointKinds.clear();
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

  /** Breakpoints alone leave it inactive: the dispatcher checks them where regions hold one. */
  private update(): void {
    this.active = this.paused || this.stepping || this.resuming || this.watchpoints.length > 0;
  }
}
