/**
 * Builds the MMU the command line asks for (`--mmu shadow|nested`,
 * `--scatter-memory[=SEED]`): the machine map, guest-physical access over
 * the machine memory, and the MMU itself.
 */
import type { CpuState } from '../state/state.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import { GuestPhysicalMemory } from '../memory/guest-physical-memory.js';
import { MachineMap } from '../memory/machine-map.js';
import type { CodeWatch } from './mmu-core.js';
import { NestedMmu } from './nested-mmu.js';
import { ShadowMmu } from './shadow-mmu.js';

export type MmuKind = 'shadow' | 'nested';

export interface MmuOptions {
  readonly kind?: MmuKind;
  /** Scatter guest pages over machine memory with this seed (undefined: identity). */
  readonly scatterSeed?: number;
  readonly codeWatch?: CodeWatch;
}

/** `--mmu` was given something else. */
export class UnknownMmuKind extends Error {
  override readonly name = 'UnknownMmuKind';
  constructor(readonly given: string) {
    super(`--mmu must be 'shadow' or 'nested', got '${given}'`);
  }
}

export function parseMmuKind(text: string): MmuKind {
  if (text === 'shadow' || text === 'nested') return text;
  throw new UnknownMmuKind(text);
}

export function createMmu(cpu: CpuState, machine: PhysicalMemory, options: MmuOptions = {}): ShadowMmu | NestedMmu {
  const map = options.scatterSeed === undefined ? MachineMap.identity(machine.size) : MachineMap.scattered(machine.size, options.scatterSeed);
  const mem = new GuestPhysicalMemory(machine, map);
  return options.kind === 'nested' ? new NestedMmu(cpu, mem, options.codeWatch) : new ShadowMmu(cpu, mem, options.codeWatch);
}
