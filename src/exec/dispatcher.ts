/**
 * The dispatcher: the CPU's run loop around translated regions.
 *
 * Each turn: stop if the monitor asked to or the instruction limit is
 * reached; deliver pending events (interrupts, timers) between regions; wait
 * while the guest is halted; find the region for cpu.eip — following the
 * previous region's chain link for a direct exit, the cache's direct-mapped
 * table for an indirect one, else a full lookup and, on a miss, a
 * translation — and run it; act on its exit code.
 *
 * The instruction budget (cpu.budget) bounds how long translated code runs
 * without coming back: min(time slice, instructions left before
 * --max-insns). Generated code checks it at the start of each switch case
 * of a region, for the longest path to the next check, so code never runs
 * past it; a budget exit leaves at a case start, and after the event check
 * the dispatcher resumes the same region at that case when nothing changed
 * (same EIP, mode and address mappings) rather than looking up or
 * translating a region entered there. When the check fails because the limit is near, the dispatcher switches to
 * single-step translations (one instruction per block, still translated and
 * cached under their own mode bit) until the limit, so the limit is hit
 * exactly and cpu.icount is exact.
 *
 * This is the only place host exceptions are caught: a bug anywhere below
 * becomes a one-line error result with the guest EIP, not a stack trace
 * through generated code.
 */
import type { CompiledRegion } from '../cache/compiled-region.js';
import type { TranslationCache } from '../cache/translation-cache.js';
import { ExitCode } from '../codegen/exit-codes.js';
import type { CodeSpace } from '../translator/code-reader.js';
import { liftModeOf, type Translator } from '../translator/translator.js';
import { gsSharedMode, MODE_ANY_GS, MODE_SINGLE_STEP, modeOf } from '../state/mode.js';
import type { CpuState } from '../state/state.js';

/** What the VMM provides so the CPU loop can deliver interrupts and pass virtual time. */
export interface DispatchEvents {
  /** Non-zero when check() has work (an IRQ line was raised, a timer fell due). Read between regions. */
  readonly pending: number;
  /** Deliver whatever is due (may change eip, the mode, wake a halted CPU). Called when `pending` or a time slice ends. */
  check(): void;
  /** The guest is halted: advance to the next event and deliver it. False when nothing can ever wake it. */
  idle(): boolean;
}

/** The monitor's stop request (a device asked to end the run). */
export interface StopControl {
  readonly stopRequested: boolean;
}

export interface DispatcherOptions {
  /** Stop after exactly this many retired instructions (cpu.icount). */
  readonly maxInsns?: number;
  /** Translate one instruction per block, always. */
  readonly singleStep?: boolean;
  /** Instructions between event checks at most (the time slice). */
  readonly sliceInsns?: number;
  /** Follow and patch chain links on direct exits (default on; off measures what chaining buys). */
  readonly chain?: boolean;
}

/**
 * A debugger's hold on the run (src/debug/): while `active`, every region is
 * one instruction and `beforeInstruction` is asked before each runs; true
 * stops the run there (a breakpoint, a finished step, a watchpoint hit by the
 * previous instruction, a pause request). Breakpoints alone do not make it
 * active: only a region whose code holds a breakpoint address runs one
 * instruction at a time (checked at each region entry, chained ones
 * included), so the rest of the guest runs at full speed. Inactive with no
 * breakpoint, it costs one field read per region and a debugger-free run
 * translates exactly as without it.
 */
export interface DebugControl {
  readonly active: boolean;
  /** Breakpoint EIPs. */
  readonly breakpoints: ReadonlySet<number>;
  beforeInstruction(eip: number): boolean;
}

export type RunResult =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'max-insns' }
  /** Halted with nothing left that could wake the guest. */
  | { readonly kind: 'halted' }
  /** A host exception: a bug, reported in one line. */
  | { readonly kind: 'error'; readonly message: string; readonly error: unknown };

export class RunStats {
  regionsRun = 0;
  translations = 0;
  exits = { direct: 0, indirect: 0, dispatch: 0, budget: 0, leave: 0, codeModified: 0 };
  eventChecks = 0;
  /** Budget exits continued in the same region (rather than looked up or translated anew). */
  resumed = 0;
  wallMs = 0;
  translateMs = 0;
  /** Wall time minus translation time: running generated code and the monitor. */
  get executeMs(): number {
    return this.wallMs - this.translateMs;
  }
}

const NEVER = Number.POSITIVE_INFINITY;

/** Whether `region` may run for a CPU in `mode`: cached under that word, or under its GS-shared word. */
const runsUnder = (region: CompiledRegion, mode: number): boolean => region.mode === mode || region.mode === gsSharedMode(mode);

/** What one time slice run to its end adds to a region's `executions` (a hot loop is entered rarely). */
const SLICE_END_WEIGHT = 64;

export class Dispatcher {
  readonly stats = new RunStats();
  private readonly maxInsns: number;
  private readonly slice: number;
  private readonly stepAlways: boolean;
  private readonly chain: boolean;
  private mode = 0;
  /** Near the instruction limit: single-step translations until it is reached. */
  private stepping = false;
  /** stepOnce() was asked: the next region found is one instruction, with a budget of 1. */
  private stepRequested = false;
  private stepNext = false;
  /** Bumped when guest address translations change: chain links made before are not followed. */
  private linkEpoch = 0;
  /** The attached debugger (src/debug/gdb-stub.ts), or null. */
  debug: DebugControl | null = null;

  constructor(
    private readonly cpu: CpuState,
    private readonly cache: TranslationCache,
    private readonly translator: Translator,
    private readonly code: CodeSpace,
    private readonly events: DispatchEvents,
    private readonly stop: StopControl,
    options: DispatcherOptions = {},
  ) {
    this.maxInsns = options.maxInsns ?? NEVER;
    this.slice = Math.max(1, options.sliceInsns ?? 1 << 16);
    this.stepAlways = options.singleStep ?? false;
    this.chain = options.chain ?? true;
  }

  /** Run until a stop request, the instruction limit, a permanent halt or a host error. */
  run(): RunResult {
    const t0 = performance.now();
    const tr0 = this.translator.translateMs;
    try {
      return this.loop();
    } catch (error) {
      return { kind: 'error', message: this.describeError(error), error };
    } finally {
      this.stats.wallMs += performance.now() - t0;
      this.stats.translateMs += this.translator.translateMs - tr0;
    }
  }

  private loop(): RunResult {
    const cpu = this.cpu, stats = this.stats, cache = this.cache;
    this.mode = modeOf(cpu);
    this.refill();
    let region: CompiledRegion | null = null;
    // After a budget exit: the region left and where, to resume it there if nothing changed.
    let paused: CompiledRegion | null = null, pausedEip = 0, pausedEpoch = 0;
    for (;;) {
      if (this.stop.stopRequested) return { kind: 'stopped' };
      if (cpu.icount >= this.maxInsns) return { kind: 'max-insns' };
      if (this.events.pending !== 0 || cpu.budget <= 0) {
        stats.eventChecks++;
        this.events.check();
        this.mode = modeOf(cpu);
        this.refill();
        region = null;
        if (this.stepRequested) {
          // One instruction, then straight back here (the interrupt shadow ends after it).
          this.stepRequested = false;
          this.stepNext = true;
          cpu.budget = Math.min(cpu.budget, 1);
        }
        if (this.stop.stopRequested) return { kind: 'stopped' };
      }
      if (cpu.halted) {
        if (!this.events.idle()) return { kind: 'halted' };
        this.mode = modeOf(cpu);
        region = null;
        continue;
      }
      let label = 0;
      if (region === null) {
        if (paused !== null && paused.valid && cpu.eip === pausedEip && pausedEpoch === this.linkEpoch &&
          runsUnder(paused, this.currentMode())) {
          region = paused;
          label = paused.resumeAt;
          stats.resumed++;
        } else {
          region = this.find();
        }
        paused = null;
      }
      if (label === 0 && ++region.executions >= region.promoteAt) region = this.promote(region);
      const debug = this.debug;
      if (debug !== null && (debug.active || (debug.breakpoints.size > 0 && this.holdsBreakpoint(region, debug.breakpoints)))) {
        // Regions found before the debugger became active, or holding a breakpoint, may be longer than one instruction.
        if ((region.mode & MODE_SINGLE_STEP) === 0) {
          this.stepNext = true;
          region = this.find();
          label = 0;
        }
        if (debug.beforeInstruction(cpu.eip >>> 0)) return { kind: 'stopped' };
      }
      const xc = region.run(label);
      stats.regionsRun++;
      if (xc >= 0) {
        stats.exits.direct++;
        if (region.linkEpoch !== this.linkEpoch) {
          region.links.fill(null);
          region.linkEpoch = this.linkEpoch;
        }
        const next: CompiledRegion | null = region.links[xc]!;
        if (next !== null && next.valid) {
          cache.stats.chained++;
          region = next;
        } else {
          const found = this.find();
          // A region shared by every GS class may run next under another one: it links only to regions that are too.
          if (this.chain && ((region.mode & MODE_ANY_GS) === 0 || (found.mode & MODE_ANY_GS) !== 0)) region.links[xc] = found;
          region = found;
        }
        continue;
      }
      switch (xc) {
        case ExitCode.Indirect: {
          stats.exits.indirect++;
          const eip = cpu.eip >>> 0;
          const mode = this.currentMode();
          region = cache.fastLookup(this.physicalOf(eip), eip, mode, gsSharedMode(mode));
          break;
        }
        case ExitCode.Budget:
          stats.exits.budget++;
          // A region that ran to the end of a slice is hot however rarely it is entered.
          region.executions += SLICE_END_WEIGHT;
          this.budgetExit();
          paused = region;
          pausedEip = cpu.eip;
          pausedEpoch = this.linkEpoch;
          region = null;
          break;
        case ExitCode.Dispatch:
          stats.exits.dispatch++;
          this.mode = modeOf(cpu);
          region = null;
          break;
        case ExitCode.Leave:
          stats.exits.leave++;
          this.mode = modeOf(cpu);
          region = null;
          break;
        case ExitCode.CodeModified:
          stats.exits.codeModified++;
          region = null;
          break;
        default:
          throw new Error(`region ${region.eip.toString(16)} returned unknown exit code ${xc}`);
      }
    }
  }

  /**
   * Makes the next region run exactly one guest instruction and return to
   * the event check (called from the event check when an interrupt is held
   * back by the interrupt shadow of sti or mov ss).
   */
  stepOnce(): void {
    this.stepRequested = true;
  }

  /**
   * Guest linear→physical translations changed (CR3 write, invlpg, paging
   * switched): a chain link resolved under the old mapping may lead to the
   * wrong code, so links made before now are dropped as they are met.
   */
  dropLinks(): void {
    this.linkEpoch++;
  }

  /**
   * A case's longest path did not fit the budget. If the instruction limit
   * is what bounds it, step to the limit. If even a whole fresh slice did
   * not fit (a slice shorter than the path), the next instruction runs as a
   * one-instruction region after the event check, so the guest always
   * makes progress.
   */
  private budgetExit(): void {
    const cpu = this.cpu;
    if (cpu.budget <= 0) return; // the slice is over: the loop checks events and refills
    const toLimit = this.maxInsns - cpu.icount;
    if (cpu.budget >= toLimit) {
      this.stepping = true;
      return;
    }
    if (cpu.budget >= this.slice) this.stepRequested = true;
    cpu.budget = 0; // the slice boundary fell inside the path: end the slice now
  }

  private refill(): void {
    const toLimit = this.maxInsns - this.cpu.icount;
    this.cpu.budget = Math.min(this.slice, toLimit);
    if (toLimit > this.slice) this.stepping = false;
  }

  private currentMode(): number {
    return this.stepAlways || this.stepping || this.stepNext || (this.debug !== null && this.debug.active) ? this.mode | MODE_SINGLE_STEP : this.mode;
  }

  private physicalOf(eip: number): number {
    return this.code.physical((this.cpu.segBase[1]! + eip) >>> 0);
  }

  /**
   * Whether one of the region's blocks holds the instruction at a breakpoint
   * EIP. A region's blocks all start in its entry's linear page, and a
   * breakpoint is an instruction start, so only breakpoints on that page can
   * be in it, at the same offset from the entry as in physical memory.
   */
  private holdsBreakpoint(region: CompiledRegion, breakpoints: ReadonlySet<number>): boolean {
    const csBase = this.cpu.segBase[1]!;
    const entryLinear = (csBase + region.eip) >>> 0;
    for (const eip of breakpoints) {
      const linear = (csBase + eip) >>> 0;
      if (((linear ^ entryLinear) >>> 12) !== 0) continue;
      if (region.overlaps((region.physical + (linear - entryLinear)) >>> 0, 1)) return true;
    }
    return false;
  }

  /**
   * A region reached its promoteAt. A tier-0 (one-block) region is replaced
   * by the whole region from its entry, which keeps the loop it is part of
   * inside one JS function; a whole region with compact memory access, now
   * hot enough that V8 optimises it, by the same region with inline access.
   * Called with cpu.eip at its entry under its mode, so the new translation
   * sees exactly what the old one did.
   */
  private promote(old: CompiledRegion): CompiledRegion {
    this.cache.retire(old);
    this.stats.translations++;
    // The CPU's mode, which the old region runs under: its own word may leave out GS (gsSharedMode), which the new one may use.
    const mode = this.currentMode();
    return this.translator.translate(old.eip, mode, liftModeOf(this.cpu, mode), old.tier === 0 ? 'whole' : 'hot');
  }

  /** The region for cpu.eip under the current mode: cached, or translated now. */
  private find(): CompiledRegion {
    const eip = this.cpu.eip >>> 0;
    const mode = this.currentMode();
    this.stepNext = false;
    const physical = this.physicalOf(eip);
    const r = this.cache.lookup(physical, eip, mode, gsSharedMode(mode));
    if (r !== null) return r;
    this.stats.translations++;
    return this.translator.translate(eip, mode, liftModeOf(this.cpu, mode));
  }

  private describeError(error: unknown): string {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return `internal error at guest eip 0x${(this.cpu.eip >>> 0).toString(16)}: ${what.split('\n')[0]}`;
  }
}
