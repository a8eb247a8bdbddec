/**
 * Compile cost per guest instruction: codegen (JS source) plus `new
 * Function` for a 64-instruction block of typical integer code, and the whole
 * translator (lift, passes, region assembly, codegen, compile) on the real
 * code of the crc32 benchmark kernel.
 */
import b from 'benny';
import { readFileSync } from 'node:fs';
import { CompiledRegion } from '../src/cache/compiled-region.js';
import { TranslationCache } from '../src/cache/translation-cache.js';
import { generateRegion, instantiateRegion } from '../src/codegen/compile-region.js';
import { PhysicalMemoryEmitter } from '../src/codegen/memory-access.js';
import { defaultStages } from '../src/exec/cpu-runtime.js';
import { modeOf } from '../src/state/mode.js';
import { CpuState } from '../src/state/state.js';
import { IrBuilder } from '../src/ir/builder.js';
import { loadMultiboot } from '../src/loader/multiboot.js';
import { PhysicalCodeSpace } from '../src/translator/code-reader.js';
import { liftModeOf, Translator } from '../src/translator/translator.js';
import { VmmResult } from '../src/vmm-interface/interface.js';
import { PhysicalMemory } from '../src/memory/physical-memory.js';
import { reportPerOp } from './micro-setup.js';

const INSNS = 64;
function typicalBlock() {
  const ir = new IrBuilder(0x1000, 0);
  for (let i = 0; i < INSNS; i++) {
    const at = 0x1000 + i * 3;
    ir.insn(at, 3, 'op');
    const a = ir.gpr(i & 7), c = ir.gpr((i + 3) & 7);
    if (i % 4 === 0) {
      ir.putGpr(i & 7, ir.load(4, ir.bin('add', c, ir.c(i * 4))));
    } else if (i % 4 === 1) {
      ir.store(4, ir.bin('add', c, ir.c(8)), a);
    } else {
      const r = ir.bin(i % 4 === 2 ? 'add' : 'xor', a, c);
      ir.setFlags(i % 4 === 2 ? 'add' : 'logic', 4, r, a, c);
      ir.putGpr(i & 7, r);
    }
  }
  const z = ir.flag('ne');
  return ir.finish({ kind: 'branch', cond: z, taken: 0x1000, fallthrough: 0x2000 });
}

const cpu = new CpuState();
const mem = new PhysicalMemory(64 << 20);
const monitor = { result: 0, emulate: () => VmmResult.Continue, raise: () => {} };
const emitter = new PhysicalMemoryEmitter(mem, new Uint8Array(1 << 20), () => 0);
const env = { cpu, monitor, mem: emitter };
const block = typicalBlock();

// The crc32 kernel's code, for the whole translator.
const kernel = new URL('../../fixtures/bench/crc32.elf', import.meta.url);
const boot = loadMultiboot(mem, new Uint8Array(readFileSync(kernel)));
cpu.eip = boot.eip;
const mode = modeOf(cpu);
const text: number[] = [];
for (let a = boot.eip; a < boot.eip + 0x800; a += 0x40) text.push(a);

let k = 0, translatedInsns = 0, translations = 0;
const cache = new TranslationCache();
void b.suite(
  'compile',
  b.add('codegen + new Function, 64-insn block', () => {
    const code = generateRegion({ entry: 0x1000, mode: 0, blocks: [block] }, emitter);
    const region = new CompiledRegion(0x1000, 0x1000, 0, [], code.exitTargets, INSNS, INSNS * 3, 1, code.source);
    region.run = instantiateRegion(code.source, env, region);
  }, { maxTime: 2 }),
  b.add('whole translator on crc32 kernel code', () => {
    // A fresh translator (its lifted-block memo empty) over one cache flushed each time: building a
    // TranslationCache allocates its 1 MiB page-mark array, which is not translation work.
    cache.flush();
    const translator = new Translator(env, new PhysicalCodeSpace(mem), cache, defaultStages());
    const r = translator.translate(text[k++ % text.length]!, mode, liftModeOf(cpu, mode));
    translatedInsns += r.guestInsns;
    translations++;
  }, { maxTime: 2 }),
  b.complete(reportPerOp('compile', (name) => (name.startsWith('codegen') ? INSNS : translatedInsns / translations), 'guest instruction')),
);
