/**
 * Shared scaffolding for the translation micro-benchmarks (bench/*.bench.ts):
 * a CPU runtime over a small guest RAM whose "lifter" returns hand-built IR
 * blocks, so a benchmark measures the cache, dispatcher or codegen alone.
 */
import { createCpuRuntime, type CpuRuntime } from '../src/exec/cpu-runtime.js';
import type { DispatcherOptions } from '../src/exec/dispatcher.js';
import { CpuState } from '../src/state/state.js';
import type { Block } from '../src/ir/types.js';
import type { TranslatorOptions } from '../src/translator/translator.js';
import { VmmResult, type Monitor } from '../src/vmm-interface/interface.js';
import { PhysicalMemory } from '../src/memory/physical-memory.js';

export interface MicroMachine {
  readonly cpu: CpuState;
  readonly memory: PhysicalMemory;
  readonly runtime: CpuRuntime;
}

/** A runtime whose blocks come from `blocks(address)` instead of the lifter. */
export function microMachine(blocks: (address: number) => Block, options: {
  dispatcher?: DispatcherOptions; translator?: TranslatorOptions; ram?: number;
} = {}): MicroMachine {
  const cpu = new CpuState();
  const memory = new PhysicalMemory(options.ram ?? 1 << 20);
  const monitor: Monitor = { result: 0, emulate: () => VmmResult.Continue, raise: () => {} };
  const runtime = createCpuRuntime({
    cpu, memory, monitor,
    events: { pending: 0, check() {}, idle: () => false },
    stop: { stopRequested: false },
    dispatcher: options.dispatcher,
    translator: options.translator,
    stages: { lift: (_code, address) => blocks(address), optimize: (b) => b },
  });
  return { cpu, memory, runtime };
}

/**
 * Print benny's result per case as time per unit of work: a case's function
 * does `divisor` units (lookups, transitions, guest instructions) per call.
 */
export function reportPerOp(label: string, divisor: number | ((name: string) => number) = 1, unit = 'op'):
  (summary: { results: { name: string; ops: number }[] }) => void {
  return (summary) => {
    for (const r of summary.results) {
      const ns = 1e9 / r.ops / (typeof divisor === 'number' ? divisor : divisor(r.name));
      process.stdout.write(`  ${label} ${r.name}: ${ns < 1000 ? ns.toFixed(1) + ' ns' : (ns / 1000).toFixed(2) + ' µs'} per ${unit}\n`);
    }
  };
}
