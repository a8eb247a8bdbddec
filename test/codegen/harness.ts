/**
 * Test scaffolding for codegen: compile hand-built IR regions against a
 * small guest RAM and a recording monitor, and run them.
 */
import { CompiledRegion } from '../../src/cache/compiled-region.js';
import { generateRegion, instantiateRegion, type CodegenEnv, type RegionPlan } from '../../src/codegen/compile-region.js';
import { PhysicalMemoryEmitter, type CodeWriteHook } from '../../src/codegen/memory-access.js';
import { CpuState } from '../../src/state/state.js';
import type { Block } from '../../src/ir/types.js';
import { VmmResult, type Monitor } from '../../src/vmm-interface/interface.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';

export interface EmulateCall {
  routine: number;
  next: number;
  args: number[];
  eip: number;
  regs: number[];
}

/** A monitor that records calls; `onEmulate` decides the result. */
export class RecordingMonitor implements Monitor {
  result = 0;
  readonly emulates: EmulateCall[] = [];
  readonly raises: { vector: number; errorCode: number; eip: number }[] = [];
  onEmulate: (call: EmulateCall) => VmmResult = () => VmmResult.Continue;

  constructor(private readonly cpu: CpuState) {}

  emulate(routine: number, next: number, a: number, b: number, c: number): VmmResult {
    const call = { routine, next, args: [a, b, c], eip: this.cpu.eip, regs: Array.from(this.cpu.regs) };
    this.emulates.push(call);
    return this.onEmulate(call);
  }

  raise(vector: number, errorCode: number): void {
    this.raises.push({ vector, errorCode, eip: this.cpu.eip });
  }
}

export class TestMachine {
  readonly cpu = new CpuState();
  readonly mem: PhysicalMemory;
  readonly monitor: RecordingMonitor;
  readonly codePages = new Uint8Array(1 << 20);
  codeWrite: CodeWriteHook = () => 0;
  readonly env: CodegenEnv;

  constructor(ramSize = 1 << 20) {
    this.mem = new PhysicalMemory(ramSize);
    this.monitor = new RecordingMonitor(this.cpu);
    const emitter = new PhysicalMemoryEmitter(this.mem, this.codePages, (a, s, r) => this.codeWrite(a, s, r));
    this.env = { cpu: this.cpu, monitor: this.monitor, mem: emitter };
    this.cpu.budget = 1_000_000;
  }

  compile(blocks: Block[]): { region: CompiledRegion; source: string } {
    const plan: RegionPlan = { entry: blocks[0]!.address, mode: 0, blocks };
    const code = generateRegion(plan, this.env.mem);
    const region = new CompiledRegion(plan.entry, plan.entry, 0, [], code.exitTargets, 0, 0, blocks.length, code.source);
    region.run = instantiateRegion(code.source, this.env, region);
    return { region, source: code.source };
  }

  /** Compile and run once; returns the exit code. */
  run(blocks: Block[]): number {
    return this.compile(blocks).region.run();
  }
}
