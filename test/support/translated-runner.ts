/**
 * btvm's side of a differential test against fixtures/native/harness: the
 * same code bytes, registers, flags and seeded data region, run through the
 * real pipeline (lifter → passes → region codegen → translation cache →
 * dispatcher), reported as a harness output line.
 *
 * The harness's memory map is rebuilt in one guest RAM of 0x2001_0000 bytes
 * (allocated once; the OS backs only the pages touched):
 *   - code at CODE_BASE followed by the harness's own exit sequence
 *     `jmp dword [ss:0x2000FFFC]`; the slot points at a `hlt` at
 *     EXIT_ADDRESS, which the test monitor turns into "the case ended";
 *   - the data region filled from the seed;
 *   - 0..0xFFFF filled with `hlt`: the harness maps nothing there (Linux's
 *     mmap_min_addr), so a 16-bit control transfer (callw, retw, jmp r/m16 —
 *     IP is truncated to 16 bits) faults natively with #PF at the target.
 *     btvm has no paging yet, so the fetch is detected by the hlt it reaches
 *     and reported as that #PF: EIP is the target, the state what the
 *     transfer left, exactly what the harness's signal context shows.
 * Guest exceptions are captured at the monitor's raise hook, where the
 * generated code has written back the precise state of the faulting
 * instruction. The guest runs at CPL 3 like the harness's, with the host's
 * selector values (probeHostSelectors) so `mov r, sreg` and `push sreg` see
 * what the host CPU sees; all segment bases are zero (flat).
 */
import { CcOp, CpuState, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../src/state/state.js';
import { materializeFlags, setExplicitFlags } from '../../src/state/flags-thunk.js';
import { createCpuRuntime, type CpuRuntime } from '../../src/exec/cpu-runtime.js';
import type { DispatchEvents, StopControl } from '../../src/exec/dispatcher.js';
import type { TranslatorOptions } from '../../src/translator/translator.js';
import { VMM_ROUTINES, VmmResult, type Monitor } from '../../src/vmm-interface/interface.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { fillDataRegion, fnv1a } from './data-region.js';
import {
  CODE_BASE, CODE_SIZE, DATA_BASE, DATA_SIZE, DF, EXIT_SEQUENCE, EXIT_SLOT, OSZAPC, formatFault, formatState, vectorName,
  type CaseInput,
} from './harness-protocol.js';
import type { HostSelectors } from './native-harness.js';

/** Where the exit slot points: a hlt inside the code region, far past any snippet. */
export const EXIT_ADDRESS = CODE_BASE + 0xff00;
/** Below this, guest RAM is hlt-filled to stand in for the harness's unmapped low pages. */
export const LOW_UNMAPPED_END = 0x1_0000;
const HLT = 0xf4;
const HLT_ROUTINE = VMM_ROUTINES.indexOf('hlt');

const NO_EVENTS: DispatchEvents = { pending: 0, check() {}, idle: () => false };

/** How a translated case ended. */
export type TranslatedEnd =
  | { readonly kind: 'exit' }
  | { readonly kind: 'fault'; readonly vector: number; readonly errorCode: number; readonly eip: number }
  /** Fetch from the hlt-filled low pages: the harness's #PF on an unmapped page. */
  | { readonly kind: 'unmapped-fetch'; readonly eip: number }
  | { readonly kind: 'max-insns' }
  /** The code reached a VMM routine the harness model cannot answer (not expected from generated cases). */
  | { readonly kind: 'vmm'; readonly routine: string; readonly eip: number }
  /** A host exception inside btvm (a bug), as the dispatcher reported it. */
  | { readonly kind: 'error'; readonly message: string };

export interface TranslatedOutcome {
  /** In the harness's output format (FAULT TIMEOUT / VMM / ERROR lines for the other endings). */
  readonly line: string;
  readonly end: TranslatedEnd;
  /** Guest instructions retired. */
  readonly icount: number;
  /** Regions translated for this case (1: the case ended inside its first region). */
  readonly translations: number;
}

/** Records the end of a case; holds the state snapshot taken at a raise. */
class HarnessMonitor implements Monitor, StopControl {
  result = 0;
  stopRequested = false;
  end: TranslatedEnd | null = null;
  readonly regsAtEnd = new Int32Array(8);
  flagsAtEnd = 0;

  constructor(private readonly cpu: CpuState) {}

  reset(): void {
    this.stopRequested = false;
    this.end = null;
  }

  private finish(end: TranslatedEnd): void {
    this.end = end;
    this.regsAtEnd.set(this.cpu.regs);
    this.flagsAtEnd = (materializeFlags(this.cpu) & OSZAPC) | (this.cpu.eflagsSys & DF);
    this.stopRequested = true;
  }

  emulate(routine: number, next: number): VmmResult {
    const eip = this.cpu.eip >>> 0;
    if (routine === HLT_ROUTINE && eip === EXIT_ADDRESS) this.finish({ kind: 'exit' });
    else if (routine === HLT_ROUTINE && eip < LOW_UNMAPPED_END) this.finish({ kind: 'unmapped-fetch', eip });
    else this.finish({ kind: 'vmm', routine: VMM_ROUTINES[routine] ?? String(routine), eip });
    this.cpu.eip = next;
    return VmmResult.Leave;
  }

  raise(vector: number, errorCode: number): void {
    this.finish({ kind: 'fault', vector, errorCode, eip: this.cpu.eip >>> 0 });
  }
}

export interface RunOptions {
  /** Instruction limit (the harness's TIMEOUT stands for it); default 1,000,000. */
  readonly maxInsns?: number;
  /** One instruction per block. */
  readonly singleStep?: boolean;
}

export class TranslatedRunner {
  readonly memory = new PhysicalMemory(CODE_BASE + CODE_SIZE);
  readonly cpu = new CpuState();
  private readonly monitor = new HarnessMonitor(this.cpu);
  private readonly runtimes = new Map<string, CpuRuntime>();
  private codeDirty = CODE_SIZE;

  constructor(
    private readonly selectors: HostSelectors | null = null,
    private readonly translator: TranslatorOptions = {},
  ) {
    this.memory.bytes.fill(HLT, 0, LOW_UNMAPPED_END);
  }

  private runtime(o: RunOptions): CpuRuntime {
    const max = o.maxInsns ?? 1_000_000;
    const key = `${max}/${o.singleStep ? 1 : 0}`;
    let rt = this.runtimes.get(key);
    if (rt === undefined) {
      rt = createCpuRuntime({
        cpu: this.cpu, memory: this.memory, monitor: this.monitor, events: NO_EVENTS, stop: this.monitor,
        dispatcher: { maxInsns: max, singleStep: o.singleStep ?? false }, translator: this.translator,
      });
      this.runtimes.set(key, rt);
    }
    return rt;
  }

  /** Put the harness's memory image in place: code + exit sequence, exit hlt and slot, seeded data. */
  private loadImage(code: Uint8Array, seed: number): void {
    const b = this.memory.bytes;
    b.fill(0, CODE_BASE, CODE_BASE + Math.min(this.codeDirty, CODE_SIZE));
    b.set(code, CODE_BASE);
    b.set(EXIT_SEQUENCE, CODE_BASE + code.length);
    b[EXIT_ADDRESS] = HLT;
    this.memory.write32(EXIT_SLOT, EXIT_ADDRESS);
    this.codeDirty = code.length + EXIT_SEQUENCE.length;
    fillDataRegion(b, DATA_BASE, seed);
  }

  private resetCpu(input: CaseInput): void {
    const cpu = this.cpu, s = this.selectors;
    for (let i = 0; i < 8; i++) cpu.regs[i] = input.regs[i]! | 0;
    cpu.eip = CODE_BASE;
    cpu.eflagsSys = 0x202 | (input.eflags & DF);
    setExplicitFlags(cpu, input.eflags);
    cpu.ccOp = CcOp.Explicit;
    cpu.icount = 0;
    cpu.budget = 0;
    cpu.halted = false;
    cpu.cpl = 3;
    cpu.codeSize = 4;
    if (s !== null) {
      cpu.segSel[SEG_ES] = s.es; cpu.segSel[SEG_CS] = s.cs; cpu.segSel[SEG_SS] = s.ss;
      cpu.segSel[SEG_DS] = s.ds; cpu.segSel[SEG_FS] = s.fs; cpu.segSel[SEG_GS] = s.gs;
    }
    cpu.segBase.fill(0);
    cpu.segLimit.fill(0xffffffff);
  }

  /** Run one case from a clean image; the translation cache starts empty (the code bytes are new). */
  run(code: Uint8Array, input: CaseInput, options: RunOptions = {}): TranslatedOutcome {
    if (code.length + EXIT_SEQUENCE.length > EXIT_ADDRESS - CODE_BASE) throw new RangeError(`snippet of ${code.length} bytes is too long`);
    const rt = this.runtime(options);
    rt.cache.flush();
    this.loadImage(code, input.seed);
    this.resetCpu(input);
    const m = this.monitor;
    m.reset();
    const translated0 = rt.dispatcher.stats.translations;
    const result = rt.dispatcher.run();
    const translations = rt.dispatcher.stats.translations - translated0;
    const checksum = (): number => fnv1a(this.memory.bytes, DATA_BASE, DATA_SIZE);
    const icount = this.cpu.icount;
    const done = (line: string, e: TranslatedEnd): TranslatedOutcome => ({ line, end: e, icount, translations });
    if (result.kind === 'error') return done(`ERROR ${result.message}`, { kind: 'error', message: result.message });
    const end = m.end;
    if (end === null) {
      const kind = result.kind === 'max-insns' ? 'max-insns' : result.kind;
      if (kind === 'max-insns') return done('FAULT TIMEOUT', { kind: 'max-insns' });
      return done(`ERROR dispatcher ended with ${kind}`, { kind: 'error', message: kind });
    }
    switch (end.kind) {
      case 'exit':
        return done(formatState(m.regsAtEnd, m.flagsAtEnd, checksum()), end);
      case 'fault':
        return done(formatFault(vectorName(end.vector), end.eip, m.regsAtEnd, m.flagsAtEnd, checksum()), end);
      case 'unmapped-fetch':
        return done(formatFault('PF', end.eip, m.regsAtEnd, m.flagsAtEnd, checksum()), end);
      case 'vmm':
        return done(`VMM ${end.routine} at ${end.eip.toString(16)}`, end);
      default:
        return done(`ERROR ${end.kind}`, end);
    }
  }
}
