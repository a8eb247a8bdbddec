/**
 * Runs x86 snippets through the whole translation pipeline — the real
 * lifter, the passes, region codegen, the cache and the dispatcher — on the
 * native harness's memory map, and reports the result in the harness's
 * output format, so a test can compare translated execution with the host
 * CPU (fixtures/native/harness) line for line.
 *
 * Guest RAM covers 0..0x2001_0000 (the harness's data region at 0x1000_0000
 * and code at 0x2000_0000); the ArrayBuffer is allocated lazily by the OS.
 * Instead of the harness's exit jump the snippet is followed by `hlt`, which
 * the test monitor turns into a stop.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheLimits } from '../../src/cache/translation-cache.js';
import { setExplicitFlags, materializeFlags } from '../../src/state/flags-thunk.js';
import { createCpuRuntime, type CpuRuntime } from '../../src/exec/cpu-runtime.js';
import type { DispatcherOptions, DispatchEvents, RunResult, StopControl } from '../../src/exec/dispatcher.js';
import { CpuState } from '../../src/state/state.js';
import type { TranslatorOptions } from '../../src/translator/translator.js';
import { VMM_ROUTINES, VmmResult, type Monitor } from '../../src/vmm-interface/interface.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { fillDataRegion, fnv1a } from '../support/data-region.js';
import { CODE_BASE, DATA_BASE, DATA_SIZE, formatFault, formatState, vectorName, type CaseInput } from '../support/harness-protocol.js';
import { haveHarness } from '../support/native-harness.js';
import { toolsFor } from '../support/external-tools.js';

// The harness protocol lives in test/support; these tests import it from here too.
export { CODE_BASE, DATA_BASE, type CaseInput } from '../support/harness-protocol.js';
export { maskFlags } from '../support/harness-protocol.js';
export { runNative } from '../support/native-harness.js';

/** Whether the suite `what` can compare with the host CPU: nasm (else one skip line naming its package) and the i386 harness. */
export const haveNative = (what: string): boolean => toolsFor(what, 'nasm') && haveHarness();

/** Assemble 32-bit snippets (lines separated by ';' or newlines) with nasm at CODE_BASE, each in its own file (labels repeat). */
export function assemble(snippets: readonly string[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-cpu-'));
  return snippets.map((s, i) => {
    const src = ['bits 32', `org 0x${CODE_BASE.toString(16)}`, ...s.split(/[;\n]/).map((l) => l.trim())];
    writeFileSync(join(dir, `c${i}.asm`), src.join('\n') + '\n');
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, `c${i}.bin`), join(dir, `c${i}.asm`)]);
    return new Uint8Array(readFileSync(join(dir, `c${i}.bin`)));
  });
}

const HLT = VMM_ROUTINES.indexOf('hlt');

/** Stops the run at hlt; records a raised exception and stops. */
export class SnippetMonitor implements Monitor, StopControl {
  result = 0;
  stopRequested = false;
  fault: { vector: number; eip: number } | null = null;
  readonly routines: string[] = [];

  constructor(private readonly cpu: CpuState) {}

  emulate(routine: number, next: number): VmmResult {
    this.routines.push(VMM_ROUTINES[routine]!);
    if (routine === HLT) {
      this.cpu.eip = next;
      this.stopRequested = true;
      return VmmResult.Leave;
    }
    throw new Error(`snippet used VMM routine ${VMM_ROUTINES[routine]}`);
  }

  raise(vector: number): void {
    this.fault = { vector, eip: this.cpu.eip };
    this.stopRequested = true;
  }
}

export const NO_EVENTS: DispatchEvents = { pending: 0, check() {}, idle: () => false };

export interface SnippetRun {
  readonly line: string;
  readonly result: RunResult;
  readonly cpu: CpuState;
  readonly runtime: CpuRuntime;
  readonly monitor: SnippetMonitor;
}

let ram: PhysicalMemory | null = null;

/** One shared guest RAM for the harness map (cleared around the regions a snippet uses). */
function guestRam(): PhysicalMemory {
  ram ??= new PhysicalMemory(CODE_BASE + 0x10000);
  return ram;
}

export function runTranslated(code: Uint8Array, input: CaseInput,
  options: { dispatcher?: DispatcherOptions; translator?: TranslatorOptions; cache?: CacheLimits; allowError?: boolean } = {}): SnippetRun {
  const mem = guestRam();
  mem.bytes.fill(0, CODE_BASE, CODE_BASE + 0x10000);
  mem.bytes.set(code, CODE_BASE);
  mem.bytes[CODE_BASE + code.length] = 0xf4; // hlt
  fillDataRegion(mem.bytes, DATA_BASE, input.seed);
  const cpu = new CpuState();
  input.regs.forEach((r, i) => (cpu.regs[i] = r | 0));
  cpu.eflagsSys = 0x202 | (input.eflags & 0x400);
  setExplicitFlags(cpu, input.eflags);
  cpu.eip = CODE_BASE;
  const monitor = new SnippetMonitor(cpu);
  const runtime = createCpuRuntime({
    cpu, memory: mem, monitor, events: NO_EVENTS, stop: monitor,
    optimize: { verify: true }, dispatcher: { maxInsns: 50_000_000, ...options.dispatcher }, translator: options.translator, cache: options.cache,
  });
  const result = runtime.dispatcher.run();
  if (result.kind === 'max-insns' && options.dispatcher?.maxInsns === undefined) throw new Error('snippet ran away');
  if (result.kind === 'error' && options.allowError !== true) throw result.error;
  const eflags = materializeFlags(cpu) | (cpu.eflagsSys & 0x400);
  const checksum = fnv1a(mem.bytes, DATA_BASE, DATA_SIZE);
  const line = monitor.fault
    ? formatFault(vectorName(monitor.fault.vector), monitor.fault.eip, cpu.regs, eflags, checksum)
    : formatState(cpu.regs, eflags, checksum);
  return { line, result, cpu, runtime, monitor };
}
