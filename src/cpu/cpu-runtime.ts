/**
 * Wiring of one virtual CPU's translation machinery: code-space reader,
 * memory emitter, translation cache, translator and dispatcher, bound to a
 * CpuState, guest RAM and the monitor. The VMM builds one of these per
 * machine; tests build them with their own stages or events.
 */
import { TranslationCache, DEFAULT_CACHE_LIMITS, type CacheLimits } from '../cache/translation-cache.js';
import type { CodegenEnv } from '../codegen/compile-region.js';
import { PhysicalMemoryEmitter } from '../codegen/memory-access.js';
import { liftBlock } from '../lift/lifter.js';
import { optimize, type OptimizeOptions } from '../passes/pipeline.js';
import { PhysicalCodeSpace } from '../translator/code-reader.js';
import { Translator, type TranslatorOptions, type TranslatorStages } from '../translator/translator.js';
import type { Monitor } from '../vmm/interface.js';
import type { PhysicalMemory } from '../vmm/memory/physical-memory.js';
import { Dispatcher, type DispatcherOptions, type DispatchEvents, type StopControl } from './dispatcher.js';
import type { CpuState } from './state.js';

export interface CpuRuntimeConfig {
  readonly cpu: CpuState;
  readonly memory: PhysicalMemory;
  readonly monitor: Monitor;
  readonly events: DispatchEvents;
  readonly stop: StopControl;
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

/** The real pipeline: the lifter, then the passes (paging is off, so loads cannot fault). */
export function defaultStages(options: OptimizeOptions = {}): TranslatorStages {
  const opt: OptimizeOptions = { memoryCannotFault: true, ...options };
  return {
    lift: liftBlock,
    optimize: (block) => optimize(block, opt),
  };
}

export function createCpuRuntime(config: CpuRuntimeConfig): CpuRuntime {
  const cache = new TranslationCache(config.cache ?? DEFAULT_CACHE_LIMITS);
  const code = new PhysicalCodeSpace(config.memory);
  const mem = new PhysicalMemoryEmitter(config.memory, cache.codePages.marks,
    (address, size, region) => cache.codeWritten(address, size, region));
  const env: CodegenEnv = { cpu: config.cpu, monitor: config.monitor, mem };
  const translator = new Translator(env, code, cache, config.stages ?? defaultStages(config.optimize), config.translator);
  const dispatcher = new Dispatcher(config.cpu, cache, translator, code, config.events, config.stop, config.dispatcher);
  return { cache, translator, dispatcher, env };
}
