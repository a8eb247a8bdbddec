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
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CacheLimits } from '../../src/cache/translation-cache.js';
import { setExplicitFlags, materializeFlags } from '../../src/codegen/flags.js';
import { createCpuRuntime, type CpuRuntime } from '../../src/cpu/cpu-runtime.js';
import type { DispatcherOptions, DispatchEvents, RunResult, StopControl } from '../../src/cpu/dispatcher.js';
import { CpuState } from '../../src/cpu/state.js';
import type { TranslatorOptions } from '../../src/translator/translator.js';
import { VMM_ROUTINES, VmmResult, type Monitor } from '../../src/vmm/interface.js';
import { PhysicalMemory } from '../../src/vmm/memory/physical-memory.js';

export const HARNESS = join(import.meta.dirname, '../../fixtures/native/harness');
export const CODE_BASE = 0x2000_0000;
export const DATA_BASE = 0x1000_0000;
const DATA_SIZE = 0x10000;
const VECTOR_NAMES = ['DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', 'CSO', 'TS', 'NP', 'SS', 'GP', 'PF'];

export const haveNative = (): boolean => existsSync(HARNESS) && spawnSync('nasm', ['-v']).status === 0;

/** Assemble 32-bit snippets (lines separated by ';' or newlines) with nasm, each in its own file (labels repeat). */
export function assemble(snippets: readonly string[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-cpu-'));
  return snippets.map((s, i) => {
    const src = ['bits 32', `org 0x${CODE_BASE.toString(16)}`, ...s.split(/[;\n]/).map((l) => l.trim())];
    writeFileSync(join(dir, `c${i}.asm`), src.join('\n') + '\n');
    execFileSync('nasm', ['-f', 'bin', '-o', join(dir, `c${i}.bin`), join(dir, `c${i}.asm`)]);
    return new Uint8Array(readFileSync(join(dir, `c${i}.bin`)));
  });
}

export interface CaseInput {
  /** EAX ECX EDX EBX ESP EBP ESI EDI. */
  readonly regs: readonly number[];
  readonly eflags: number;
  readonly seed: number;
}

const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function runNative(cases: readonly { code: Uint8Array; input: CaseInput }[]): string[] {
  const lines = cases.map(({ code, input }) =>
    [toHex(code) || '-', ...input.regs.map((r) => (r >>> 0).toString(16)), (input.eflags >>> 0).toString(16), input.seed.toString(16)].join(' '));
  const out = execFileSync(HARNESS, { input: lines.join('\n') + '\n', maxBuffer: 1 << 26 }).toString().trim().split('\n');
  if (out.length !== cases.length) throw new Error(`harness gave ${out.length} lines for ${cases.length} cases`);
  return out;
}

/** The harness's data-region fill (xorshift32 words, see fixtures/native/data_region.c). */
function fillData(bytes: Uint8Array, seed: number): void {
  const w = new DataView(bytes.buffer, bytes.byteOffset + DATA_BASE, DATA_SIZE);
  let x = (seed | 1) >>> 0;
  for (let i = 0; i < DATA_SIZE; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    w.setUint32(i, x, true);
  }
}

function fnv1a(bytes: Uint8Array, from: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < from + length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h >>> 0;
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
  fillData(mem.bytes, input.seed);
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
  const state = (): string => {
    const fl = (materializeFlags(cpu) | (cpu.eflagsSys & 0x400)) & 0xcd5;
    return [...Array.from(cpu.regs, hex8), hex8(fl), hex8(fnv1a(mem.bytes, DATA_BASE, DATA_SIZE))].join(' ');
  };
  const line = monitor.fault
    ? `FAULT ${VECTOR_NAMES[monitor.fault.vector] ?? 'VEC?'} ${hex8(monitor.fault.eip - CODE_BASE)} ${state()}`
    : state();
  return { line, result, cpu, runtime, monitor };
}

/** Clear flag bits `undef` in the EFLAGS field of a harness-format line. */
export function maskFlags(line: string, undef: number): string {
  const f = line.split(' ');
  const i = f[0] === 'FAULT' ? 11 : 8;
  if (f.length > i) f[i] = hex8(parseInt(f[i]!, 16) & ~undef);
  return f.join(' ');
}
