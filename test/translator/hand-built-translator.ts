/**
 * A Translator over hand-built blocks, for tests of the translator and of
 * what it compiles: `lift(address)` stands for the lifter, the passes are
 * skipped, and the monitor answers every call with Continue.
 */
import { TranslationCache } from '../../src/cache/translation-cache.js';
import { PhysicalMemoryEmitter } from '../../src/codegen/memory-access.js';
import type { Block } from '../../src/ir/types.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { CpuState } from '../../src/state/state.js';
import { PhysicalCodeSpace } from '../../src/translator/code-reader.js';
import { Translator, type TranslatorOptions } from '../../src/translator/translator.js';
import { VmmResult } from '../../src/vmm-interface/interface.js';

export function handBuiltTranslator(lift: (address: number) => Block, options: TranslatorOptions = {}) {
  const cpu = new CpuState();
  const mem = new PhysicalMemory(1 << 20);
  const cache = new TranslationCache();
  const env = {
    cpu, monitor: { result: 0, emulate: () => VmmResult.Continue, raise: () => {} },
    mem: new PhysicalMemoryEmitter(mem, cache.codePages.marks, (a, s, r) => cache.codeWritten(a, s, r)),
  };
  let lifts = 0;
  const translator = new Translator(env, new PhysicalCodeSpace(mem), cache, {
    lift: (_code, address) => (lifts++, lift(address)),
    optimize: (b) => b,
  }, options);
  return { cpu, cache, translator, emitter: env.mem, lifts: () => lifts };
}
