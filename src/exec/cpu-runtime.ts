/**
 * Wiring of one virtual CPU's translation machinery: code-space reader,
 * memory emitter, translation cache, translator and dispatcher, bound to a
 * CpuState, guest RAM and the monitor. The VMM builds one of these per
 * machine; tests build them with their own stages or events.
 */
import { TranslationCache, DEFAULT_CACHE_LIMITS, type CacheLimits } from '../cache/translation-cache.js';
import type { CodegenEnv } from '../codegen/compile-region.js';
import { PhysicalMemoryEmitter, type MemoryEmitter } from '../codegen/memory-access.js';
import { ModalMemoryEmitter } from '../codegen/modal-memory-access.js';
import { PagedMemoryEmitter } from '../codegen/paged-memory-access.js';
import { CR0_PG } from '../mmu/mmu.js';
import { liftBlock } from '../lift/lifter.js';
import { optimize, type OptimizeOptions } from '../passes/pipeline.js';
import { MmuCodeSpace, PhysicalCodeSpace, type CodeSpace } from '../translator/code-reader.js';
import { Translator, type TranslatorOptions, type TranslatorStages } from '../translator/translator.js';
import type { Monitor } from '../vmm-interface/interface.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { MmuCore } from '../mmu/mmu-core.js';
import { MODE_PAGING } from '../state/mode.js';
import { Dispatcher, type DispatcherOptions, type DispatchEvents, type StopControl } from './dispatcher.js';
import type { CpuState } from '../state/state.js';

export interface CpuRuntimeConfig {
  readonly cpu: CpuState;
  readonly memory: PhysicalMemory;
  readonly monitor: Monitor;
  readonly events: DispatchEvents;
  readonly stop: StopControl;
  /**
   * The machine's MMU: memory accesses go through its software TLB (which
   * may fault) and code is fetched and named through it. Null/absent:
   * linear = physical, direct typed-array access.
   */
  readonly mmu?: MmuCore | null;
  readonly cache?: CacheLimits;
  readonly translator?: TranslatorOptions;
  readonly dispatcher?: DispatcherOptions;
  /** Pass options for the default stages (disabled passes, verify). */
  readonly optimize?: OptimizeOptions;
  /** Replace the lifter and passes (tests). */
  readonly stages?: TranslatorStages;
}

export interface CpuRuntime {
  readonly cache: TranslationCache;
  readonly translator: Translator;
  readonly dispatcher: Dispatcher;
  readonly env: CodegenEnv;
}

/**
 * The real pipeline: the lifter, then the passes. Loads cannot fault while
 * paging is off (the block's mode word says), so the passes may treat them
 * as pure there; with paging on a load may raise #PF.
 */
export function defaultStages(options: OptimizeOptions = {}): TranslatorStages {
  const flat: OptimizeOptions = { memoryCannotFault: true, ...options };
  const paged: OptimizeOptions = { ...options, memoryCannotFault: false };
  return {
    lift: liftBlock,
    optimize: (block) => optimize(block, (block.mode & MODE_PAGING) !== 0 ? paged : flat),
  };
}

export function createCpuRuntime(config: CpuRuntimeConfig): CpuRuntime {
  const cache = new TranslationCache(config.cache ?? DEFAULT_CACHE_LIMITS);
  const mmu = config.mmu ?? null;
  const codeWrite = (address: number, size: number, region: unknown): number => cache.codeWritten(address, size, region);
  const code: CodeSpace = mmu === null ? new PhysicalCodeSpace(config.memory) : new MmuCodeSpace(mmu, config.cpu, mmu.mem);
  const physical = new PhysicalMemoryEmitter(config.memory, cache.codePages.marks, codeWrite, mmu?.mem.mmio ?? null);
  let mem: MemoryEmitter = physical;
  if (mmu !== null) {
    const paged = new PagedMemoryEmitter(mmu, cache.codePages.marks, codeWrite);
    const cpu = config.cpu, identity = mmu.mem.map.isIdentity;
    mem = new ModalMemoryEmitter(physical, paged, () => !identity || (cpu.cr0 & CR0_PG) !== 0 || mmu.watching);
  }
  const env: CodegenEnv = { cpu: config.cpu, monitor: config.monitor, mem };
  const translator = new Translator(env, code, cache, config.stages ?? defaultStages(config.optimize), config.translator);
  const dispatcher = new Dispatcher(config.cpu, cache, translator, code, config.events, config.stop, config.dispatcher);
  return { cache, translator, dispatcher, env };
}
