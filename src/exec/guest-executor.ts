/**
 * createGuestExecutor: the seam between the Machine (src/machine/machine.ts) and
 * the translation machinery (cpu-runtime.ts).
 *
 * The machine thinks in "run translated code until my event service says
 * stop"; the dispatcher thinks in "pending events, a stop flag, an idle
 * hook". This adapter maps one onto the other, and is where `btvm run`'s
 * inspection attaches to the translator:
 *
 *   - Events are checked between regions whenever the guest's virtual IF is
 *     set (an interrupt may be deliverable), and at every time-slice end
 *     regardless (timers, --max-insns). With IF clear, nothing can be
 *     delivered, so compute loops pay nothing for interrupt polling.
 *   - The run returns to the machine when the event service says so, when
 *     the monitor recorded the end of the run, when the guest halted, or
 *     when the host cannot take more output (MonitorCore.hostBlocked): the
 *     machine, not the dispatcher, decides how a halted or paused guest waits.
 *   - The monitor's own writes to guest memory (interrupt frames, accessed
 *     bits) invalidate translated code exactly like guest stores do.
 *   - `-d in_asm,ir,opt,js` go through the translator's TranslationLog;
 *     `-d exec`, `-d cpu` and `-d tc` wrap the cache's insert/invalidate/flush and each
 *     new region's run function. Nothing is wrapped unless the item is on, so
 *     a run without -d executes exactly the code it would without this file's
 *     inspection. --trace-filter limits all of them to guest addresses.
 */
import type { CompiledRegion } from '../cache/compiled-region.js';
import type { TranslationCache } from '../cache/translation-cache.js';
import { hex32 } from '../ir/print.js';
import { PASS_NAMES, type PassName } from '../passes/pipeline.js';
import type { TranslationLog, TranslationLogKind, TranslatorStages } from '../translator/translator.js';
import type { ExecutorFactory, ExecutorParts, GuestExecutor } from './executor.js';
import { Access } from '../mmu/mmu.js';
import { formatCpuDump } from '../vmm/cpu-dump.js';
import { createCpuRuntime, defaultStages } from './cpu-runtime.js';
import type { DispatchEvents, StopControl } from './dispatcher.js';

const IF = 1 << 9;

/** Which guest addresses per-block logs cover (--trace-filter); absent = all. */
export interface AddressFilter {
  has(address: number): boolean;
  /** Whether [start, end] (inclusive) overlaps the filter. */
  overlaps(start: number, end: number): boolean;
}

export interface InspectionOptions {
  readonly traceFilter?: AddressFilter;
  /** The guest's function at an address (from the kernel's symbols), for `-d in_asm`'s `IN: name`. */
  readonly functionAt?: (address: number) => string | undefined;
}

/** The executor `btvm run` uses; `inspection` adds what the command line asked for beyond ExecutorParts. */
export function guestExecutorFactory(inspection: InspectionOptions = {}): ExecutorFactory {
  return (parts) => buildGuestExecutor(parts, inspection);
}

export const createGuestExecutor: ExecutorFactory = guestExecutorFactory();

function buildGuestExecutor(parts: ExecutorParts, inspection: InspectionOptions): GuestExecutor {
  const { cpu, core } = parts;
  let leave = false;
  const events: DispatchEvents = {
    get pending(): number {
      return cpu.eflagsSys & IF;
    },
    check(): void {
      if (!parts.events()) leave = true;
      // An interrupt waits for the instruction in the sti/mov ss shadow: run only that one.
      if (core.interruptShadowed) runtime.dispatcher.stepOnce();
    },
    // A halted guest stops the dispatcher (see stop below); never reached.
    idle: () => false,
  };
  const stop: StopControl = {
    get stopRequested(): boolean {
      return leave || core.end !== null || cpu.halted || core.hostBlocked;
    },
  };
  const disabled = new Set([...(parts.disabledPasses.has('all') ? PASS_NAMES : parts.disabledPasses)].filter((n): n is PassName => (PASS_NAMES as readonly string[]).includes(n)));
  const filter = inspection.traceFilter ?? null;
  const blockLog = translationLog(parts, filter, defaultStages({ disabled }), inspection.functionAt);
  const mmu = parts.mmu;
  const runtime = createCpuRuntime({
    cpu,
    memory: parts.memory,
    mmu,
    monitor: parts.monitor,
    events,
    stop,
    translator: { log: blockLog.log, codegen: { registerLocals: !parts.disabledPasses.has('locals') && !parts.disabledPasses.has('all') } },
    // -d nochain (QEMU's): direct exits go back to the dispatcher every time, so exec and cpu see every region run.
    dispatcher: { singleStep: parts.singleStep, maxInsns: parts.maxInsns, chain: !parts.debug.has('nochain') },
    optimize: { disabled },
    stages: blockLog.stages,
  });
  if (mmu === null) {
    parts.vmmMemory.onWrite = (address, size) => {
      runtime.cache.codeWritten(address, size, null);
    };
  } else {
    // The VMM reports guest-physical addresses; the cache names code by machine address (code-reader.ts).
    const phys = mmu.mem;
    parts.vmmMemory.onWrite = (address, size) => {
      const machine = phys.machineOffset(address);
      if (machine >= 0) runtime.cache.codeWritten(machine, size, null);
    };
  }
  if (mmu !== null) {
    core.onFetchFault = (linear) => {
      const machine = mmu.translate(linear, Access.Exec, cpu.cpl);
      if (machine >= 0) runtime.cache.codeWritten(machine, 1, null);
    };
  }
  // New page tables or an invlpg: chain links resolved under the old mapping must not be followed.
  core.onTlbFlush = () => runtime.dispatcher.dropLinks();
  if (parts.debug.has('exec') || parts.debug.has('tc') || parts.debug.has('cpu')) watchCache(runtime.cache, parts, filter);
  return {
    run(): void {
      leave = false;
      const result = runtime.dispatcher.run();
      if (result.kind === 'error') core.requestEnd({ kind: 'internal-error', detail: result.message });
      else if (result.kind === 'max-insns' && core.end === null) {
        core.requestEnd({ kind: 'insn-limit', detail: `${cpu.icount} instructions retired (--max-insns ${parts.maxInsns})` });
      }
    },
    attachDebug(control): void {
      runtime.dispatcher.debug = control;
      runtime.dispatcher.dropLinks();
    },
    flushTranslations(): void {
      runtime.cache.flush();
    },
    codeWritten(machine, size): void {
      runtime.cache.codeWritten(machine, size, null);
    },
    stats(): Readonly<Record<string, number>> {
      const c = runtime.cache.stats, d = runtime.dispatcher.stats, tt = runtime.translator.times;
      return {
        regionsRun: d.regionsRun, translations: c.translations, lookups: c.lookups, hits: c.hits, misses: c.misses,
        fastHits: c.fastHits, chained: c.chained, blocksTranslated: c.blocksTranslated,
        guestBytesTranslated: c.guestBytesTranslated, guestInsnsTranslated: c.guestInsnsTranslated,
        flushes: c.flushes, invalidations: c.invalidations, regionsCached: runtime.cache.size,
        smcPagesDemoted: c.smcPagesDemoted, smcTranslations: c.smcTranslations, promotions: c.promotions, hotRecompiles: c.hotRecompiles,
        templateHits: runtime.translator.templates.hits, gsShared: runtime.translator.gsShared, templateMisses: runtime.translator.templates.misses,
        translateMs: d.translateMs, executeMs: d.executeMs, eventChecks: d.eventChecks,
        translateLiftMs: tt.lift, translatePassesMs: tt.optimize, translateCodegenMs: tt.codegen, translateCompileMs: tt.compile,
        exitsDirect: d.exits.direct, exitsIndirect: d.exits.indirect, exitsDispatch: d.exits.dispatch,
        exitsBudget: d.exits.budget, budgetResumed: d.resumed, exitsLeave: d.exits.leave, exitsCodeModified: d.exits.codeModified,
      };
    },
  };
}

const BLOCK_KINDS: readonly TranslationLogKind[] = ['in_asm', 'ir', 'opt', 'js'];

/**
 * The TranslationLog for -d in_asm/ir/opt/js (with the stages that feed it
 * block addresses when a filter is set), or nothing when no item is on.
 * The translator lifts each block through `stages.lift`, then asks
 * `enabled` for in_asm, ir and opt of that block, and once per region for
 * js after all its blocks: so the block just lifted decides the first three,
 * and whether any block of the region passed the filter decides js.
 */
function translationLog(parts: ExecutorParts, filter: AddressFilter | null, inner: TranslatorStages,
  functionAt: InspectionOptions['functionAt']): { log?: TranslationLog; stages?: TranslatorStages } {
  if (!BLOCK_KINDS.some((k) => parts.debug.has(k))) return {};
  const write = (_kind: TranslationLogKind, text: string): void => parts.log(text.endsWith('\n') ? text : text + '\n');
  if (filter === null) return { log: { enabled: (kind) => parts.debug.has(kind), write, functionAt } };
  let blockTraced = false, regionTraced = false;
  const log: TranslationLog = {
    enabled(kind) {
      if (kind !== 'js') return blockTraced && parts.debug.has(kind);
      const traced = regionTraced;
      regionTraced = false; // js is asked last, once per translation: the next one starts afresh
      return traced && parts.debug.has('js');
    },
    write,
    functionAt,
  };
  const stages: TranslatorStages = {
    lift(code, address, mode, options) {
      const block = inner.lift(code, address, mode, options);
      blockTraced = filter.overlaps(address, address + Math.max(block.guestLength, 1) - 1);
      regionTraced ||= blockTraced;
      return block;
    },
    optimize: (block) => inner.optimize(block),
  };
  return { log, stages };
}

/** -d exec and -d tc: log cache events and region runs by wrapping this cache instance's methods. */
function watchCache(cache: TranslationCache, parts: ExecutorParts, filter: AddressFilter | null): void {
  const exec = parts.debug.has('exec'), tc = parts.debug.has('tc'), dumpCpu = parts.debug.has('cpu');
  const cpu = parts.cpu, log = parts.log;
  const traced = (r: CompiledRegion): boolean => {
    if (filter === null) return true;
    for (let i = 0; i < r.ranges.length; i += 2) if (filter.overlaps(r.ranges[i]!, Math.max(r.ranges[i]!, r.ranges[i + 1]! - 1))) return true;
    return filter.has(r.eip);
  };
  const describe = (r: CompiledRegion): string =>
    `${hex32(r.eip)} mode=0x${r.mode.toString(16)} phys=${hex32(r.physical)} blocks=${r.blockCount} insns=${r.guestInsns} bytes=${r.guestBytes}`;
  const insert = cache.insert.bind(cache), invalidate = cache.invalidate.bind(cache), flush = cache.flush.bind(cache);
  cache.insert = (region: CompiledRegion): void => {
    insert(region);
    const on = traced(region);
    if (tc && on) log(`tc: translated ${describe(region)} js=${region.sourceLength}\n`);
    if ((exec || dumpCpu) && on) {
      const run = region.run;
      region.run = (label?: number) => {
        if (exec) log(`Trace ${hex32(region.eip)} [mode=0x${region.mode.toString(16)} icount=${cpu.icount}]\n`);
        // -d cpu: the state entering each region run, as QEMU's before each translation block.
        if (dumpCpu) log(formatCpuDump(cpu, { ccop: true }));
        return run(label);
      };
    }
  };
  if (!tc) return;
  cache.invalidate = (region: CompiledRegion): void => {
    if (region.valid && traced(region)) log(`tc: invalidated ${describe(region)}\n`);
    invalidate(region);
  };
  cache.flush = (): void => {
    log(`tc: flush (${cache.size} regions dropped)\n`);
    flush();
  };
}
