/**
 * createGuestExecutor: the seam between the Machine (src/vmm/machine.ts) and
 * the translation machinery (cpu-runtime.ts).
 *
 * The machine thinks in "run translated code until my event service says
 * stop"; the dispatcher thinks in "pending events, a stop flag, an idle
 * hook". This adapter maps one onto the other and nothing else:
 *
 *   - Events are checked between regions whenever the guest's virtual IF is
 *     set (an interrupt may be deliverable), and at every time-slice end
 *     regardless (timers, --max-insns). With IF clear, nothing can be
 *     delivered, so compute loops pay nothing for interrupt polling.
 *   - The run returns to the machine when the event service says so, when
 *     the monitor recorded the end of the run, or when the guest halted: the
 *     machine, not the dispatcher, decides how a halted guest waits.
 *   - The monitor's own writes to guest memory (interrupt frames, accessed
 *     bits) invalidate translated code exactly like guest stores do.
 */
import { PASS_NAMES, type PassName } from '../passes/pipeline.js';
import type { ExecutorParts, GuestExecutor } from '../vmm/executor.js';
import { createCpuRuntime } from './cpu-runtime.js';
import type { DispatchEvents, StopControl } from './dispatcher.js';
import type { TranslationLog, TranslationLogKind } from '../translator/translator.js';

const IF = 1 << 9;

export function createGuestExecutor(parts: ExecutorParts): GuestExecutor {
  const { cpu, core } = parts;
  let leave = false;
  const events: DispatchEvents = {
    get pending(): number {
      return cpu.eflagsSys & IF;
    },
    check(): void {
      if (!parts.events()) leave = true;
    },
    // A halted guest stops the dispatcher (see stop below); never reached.
    idle: () => false,
  };
  const stop: StopControl = {
    get stopRequested(): boolean {
      return leave || core.end !== null || cpu.halted;
    },
  };
  const log: TranslationLog | undefined = parts.debug.size === 0 ? undefined : {
    enabled: (kind: TranslationLogKind) => parts.debug.has(kind),
    write: (_kind: TranslationLogKind, text: string) => parts.log(text.endsWith('\n') ? text : text + '\n'),
  };
  const disabled = new Set([...(parts.disabledPasses.has('all') ? PASS_NAMES : parts.disabledPasses)].filter((n): n is PassName => (PASS_NAMES as readonly string[]).includes(n)));
  const runtime = createCpuRuntime({
    cpu,
    memory: parts.memory,
    monitor: parts.monitor,
    events,
    stop,
    translator: { log, codegen: { registerLocals: !parts.disabledPasses.has('locals') && !parts.disabledPasses.has('all') } },
    dispatcher: { singleStep: parts.singleStep, maxInsns: parts.maxInsns },
    optimize: { disabled },
  });
  parts.vmmMemory.onWrite = (address, size) => {
    runtime.cache.codeWritten(address, size, null);
  };
  return {
    run(): void {
      leave = false;
      const result = runtime.dispatcher.run();
      if (result.kind === 'error') core.requestEnd({ kind: 'internal-error', detail: result.message });
      else if (result.kind === 'max-insns' && core.end === null) {
        core.requestEnd({ kind: 'insn-limit', detail: `${cpu.icount} instructions retired (--max-insns ${parts.maxInsns})` });
      }
    },
    stats(): Readonly<Record<string, number>> {
      const c = runtime.cache.stats, d = runtime.dispatcher.stats;
      return {
        regionsRun: d.regionsRun, translations: c.translations, lookups: c.lookups, hits: c.hits, misses: c.misses,
        chained: c.chained, guestBytesTranslated: c.guestBytesTranslated, guestInsnsTranslated: c.guestInsnsTranslated,
        flushes: c.flushes, invalidations: c.invalidations, translateMs: d.translateMs, executeMs: d.executeMs,
        exitsDirect: d.exits.direct, exitsIndirect: d.exits.indirect, exitsDispatch: d.exits.dispatch,
        exitsBudget: d.exits.budget, exitsLeave: d.exits.leave, exitsCodeModified: d.exits.codeModified,
      };
    },
  };
}
