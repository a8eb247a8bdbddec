/**
 * Runs arbitrary guest code through the real pipeline *and* the real
 * virtual machine monitor (src/vmm/monitor.ts), the way `btvm run` does,
 * stopping at the first guest event: an exception raised by translated code
 * or by an emulation routine, or a software interrupt. Used by the
 * random-bytes test, whose code can be anything — privileged, I/O, far
 * transfers, segment loads — so only the real monitor can answer it.
 *
 * The guest is a ring-3 flat protected-mode program like the harness's
 * (ring-3 selectors 0x23/0x2b from a small GDT, IOPL 0) in 4 MiB of RAM:
 * code at GUEST_CODE, a seeded data region at GUEST_DATA. Every other byte
 * of RAM holds EB FE pairs: entered at an even address that is `jmp $`, at
 * an odd one `fe eb`, an undefined encoding — so code that runs off its
 * bytes or jumps anywhere into RAM reaches the instruction limit or #UD
 * quickly instead of translating megabytes of zeros; above RAM, fetches
 * fail (#PF). The IDT is empty: the first event is recorded by the
 * monitor's event log hook, with the state at delivery, and ends the run.
 */
import { createCpuRuntime, type CpuRuntime } from '../../src/exec/cpu-runtime.js';
import type { DispatchEvents, RunResult } from '../../src/exec/dispatcher.js';
import { CpuState, SEG_CS, SEG_DS, SEG_ES, SEG_FS, SEG_GS, SEG_SS } from '../../src/state/state.js';
import { setExplicitFlags } from '../../src/state/flags-thunk.js';
import { PortBus } from '../../src/vmm/devices/port-bus.js';
import { VMM_ROUTINES } from '../../src/vmm-interface/interface.js';
import { LinearMemory } from '../../src/vmm/linear-memory.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { MonitorCore } from '../../src/vmm/monitor-core.js';
import { VirtualMachineMonitor } from '../../src/vmm/monitor.js';
import { VirtualClock } from '../../src/vmm/virtual-clock.js';
import { fillDataRegion } from '../support/data-region.js';
import { DF, type CaseInput } from '../support/harness-protocol.js';

export const GUEST_RAM = 0x40_0000;
export const GUEST_CODE = 0x10_0000;
export const GUEST_DATA = 0x20_0000;
/** A stack pointer inside the data region. */
export const GUEST_STACK = GUEST_DATA + 0xf000;
const CODE_SPAN = 0x1000;
const GDT_BASE = 0x1000;
const IDT_BASE = 0x2000;
/** Flat 4 GiB descriptors: ring-0 code/data (0x08/0x10), ring-3 code/data (0x23/0x2b). */
const GDT: readonly [number, number][] = [
  [0, 0], [0x0000ffff, 0x00cf9a00], [0x0000ffff, 0x00cf9200], [0, 0], [0x0000ffff, 0x00cffa00], [0x0000ffff, 0x00cff200],
];
const USER_CS = 0x23, USER_DS = 0x2b;
const NO_EVENTS: DispatchEvents = { pending: 0, check() {}, idle: () => false };

export type GuestEventEnd =
  /** The first guest event (exception, int n, int3…) as the monitor's event log saw it. */
  | { readonly kind: 'event'; readonly vector: number; readonly eip: number; readonly line: string }
  | { readonly kind: 'max-insns' }
  /** The monitor ended the run some other way (unsupported feature, halt…). */
  | { readonly kind: 'monitor-end'; readonly detail: string }
  /** The dispatcher caught a host exception: a bug. */
  | { readonly kind: 'host-error'; readonly message: string }
  | { readonly kind: 'other'; readonly result: RunResult['kind'] };

export class VmmGuestRunner {
  readonly memory = new PhysicalMemory(GUEST_RAM);
  readonly cpu = new CpuState();
  readonly core: MonitorCore;
  private readonly runtime: CpuRuntime;
  private first: { vector: number; eip: number; line: string } | null = null;

  constructor(maxInsns: number) {
    const linear = new LinearMemory(this.memory);
    this.core = new MonitorCore(this.cpu, linear, new PortBus(), new VirtualClock(this.cpu, { kind: 'icount', shift: 0 }), 'bt', VMM_ROUTINES.length);
    this.core.log = (category, line) => {
      if (category !== 'int' || this.first !== null) return;
      const v = /v=([0-9a-f]+)/.exec(line);
      this.first = { vector: v ? parseInt(v[1]!, 16) : -1, eip: this.cpu.eip >>> 0, line };
      this.core.requestEnd({ kind: 'halted', detail: 'first guest event' });
    };
    const monitor = new VirtualMachineMonitor(this.core);
    const core = this.core;
    this.runtime = createCpuRuntime({
      cpu: this.cpu, memory: this.memory, monitor, events: NO_EVENTS,
      stop: { get stopRequested() { return core.end !== null; } },
      dispatcher: { maxInsns },
    });
    // The monitor's own stores (exception frames) invalidate translations like guest stores do.
    linear.onWrite = (pa, n) => this.runtime.cache.invalidatePages(pa >>> 12, (pa + n - 1) >>> 12);
  }

  private reset(code: Uint8Array, input: CaseInput): void {
    const b = this.memory.bytes, cpu = this.cpu;
    // Random code may have stored anywhere: rebuild all of RAM (a few hundred microseconds).
    const u16 = new Uint16Array(b.buffer, b.byteOffset, b.length >>> 1);
    u16.fill(0xfeeb);
    b.fill(0, GDT_BASE, IDT_BASE + 0x800);
    GDT.forEach(([lo, hi], i) => { this.memory.write32(GDT_BASE + i * 8, lo); this.memory.write32(GDT_BASE + i * 8 + 4, hi); });
    if (code.length > CODE_SPAN) throw new RangeError('code too long');
    b.set(code, GUEST_CODE);
    fillDataRegion(b, GUEST_DATA, input.seed);
    for (let i = 0; i < 8; i++) cpu.regs[i] = input.regs[i]! | 0;
    cpu.eip = GUEST_CODE;
    cpu.eflagsSys = 0x202 | (input.eflags & DF);
    setExplicitFlags(cpu, input.eflags);
    cpu.icount = 0; cpu.budget = 0; cpu.halted = false;
    cpu.cr0 = 0x11; cpu.cpl = 3; cpu.codeSize = 4;
    cpu.gdtBase = GDT_BASE; cpu.gdtLimit = GDT.length * 8 - 1;
    cpu.idtBase = IDT_BASE; cpu.idtLimit = 0x7ff;
    for (const [seg, sel, hi] of [[SEG_CS, USER_CS, 0x00cffa00], [SEG_SS, USER_DS, 0x00cff200], [SEG_DS, USER_DS, 0x00cff200],
      [SEG_ES, USER_DS, 0x00cff200], [SEG_FS, 0, 0], [SEG_GS, 0, 0]] as const) {
      cpu.segSel[seg] = sel; cpu.segBase[seg] = 0; cpu.segLimit[seg] = hi ? 0xffffffff : 0; cpu.segAttr[seg] = hi & 0x00f0ff00;
    }
    this.core.end = null;
    this.core.shadowEip = -1;
    this.first = null;
    this.runtime.cache.flush();
  }

  run(code: Uint8Array, input: CaseInput): GuestEventEnd {
    this.reset(code, input);
    const result = this.runtime.dispatcher.run();
    if (result.kind === 'error') return { kind: 'host-error', message: result.message };
    if (this.first !== null) return { kind: 'event', ...this.first };
    if (this.core.end !== null) return { kind: 'monitor-end', detail: `${this.core.end.kind}: ${'detail' in this.core.end ? this.core.end.detail : ''}` };
    if (result.kind === 'max-insns') return { kind: 'max-insns' };
    return { kind: 'other', result: result.kind };
  }
}
