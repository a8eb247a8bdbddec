/**
 * Lifting cost per guest instruction: the decoder plus the x86 → IR
 * semantics (src/lift), on the real code of the fixture benchmark kernels —
 * every block reachable from each kernel's entry by direct control flow,
 * call return sites included.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/lift.bench.js`.
 * passes.bench.ts imports `kernelBlocks` to optimise the same blocks.
 */
import b from 'benny';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MODE_CODE32, MODE_FLAT, MODE_PROTECTED, MODE_STACK32 } from '../src/state/mode.js';
import type { Block } from '../src/ir/types.js';
import type { LiftMode } from '../src/lift/lift-mode.js';
import { liftBlock } from '../src/lift/lifter.js';
import { loadMultiboot } from '../src/loader/multiboot.js';
import { PhysicalCodeSpace } from '../src/translator/code-reader.js';
import { successorsOf } from '../src/ir/block-exits.js';
import { PhysicalMemory } from '../src/memory/physical-memory.js';
import { reportPerOp } from './micro-setup.js';

/** The Multiboot kernels' mode: 32-bit flat protected mode, as the loader leaves it. */
const FLAT32: LiftMode = {
  codeSize: 4, stackSize: 4, flatSegments: true, csBase: 0, mode: MODE_CODE32 | MODE_STACK32 | MODE_FLAT | MODE_PROTECTED,
};

export const BENCH_KERNELS = ['crc32', 'sha256', 'qsort', 'matmul'];

export interface KernelCode {
  readonly code: PhysicalCodeSpace;
  readonly mode: LiftMode;
  /** Entry EIPs of the blocks found, in discovery order. */
  readonly starts: number[];
  /** Guest instructions in those blocks. */
  readonly insns: number;
}

/** Each kernel loaded into its own RAM, with up to `maxBlocks` block starts reached from its entry. */
export function kernelBlocks(maxBlocks = 400): KernelCode[] {
  return BENCH_KERNELS.map((name) => {
    const mem = new PhysicalMemory(16 << 20);
    const boot = loadMultiboot(mem, new Uint8Array(readFileSync(new URL(`../../fixtures/bench/${name}.elf`, import.meta.url))));
    const mode: LiftMode = FLAT32;
    const code = new PhysicalCodeSpace(mem);
    const starts: number[] = [], seen = new Set([boot.eip >>> 0]), queue = [boot.eip >>> 0];
    let insns = 0;
    while (queue.length > 0 && starts.length < maxBlocks) {
      const at = queue.shift()!;
      const block = liftBlock(code, at, mode);
      starts.push(at);
      insns += block.guestInsns;
      for (const t of nextBlocks(block)) {
        if (!seen.has(t) && t < mem.size) { seen.add(t); queue.push(t); }
      }
    }
    return { code, mode, starts, insns };
  });
}

/**
 * Where the translator will be asked to go after `block`: its static
 * successors, the next instruction after a block the VMM ends (dispatch),
 * and after a call its return site, which only ret's indirect exit names.
 */
function nextBlocks(block: Block): number[] {
  const out = successorsOf(block);
  if (block.exit.kind === 'dispatch') out.push(block.exit.next >>> 0);
  const marks = block.ops.filter((op) => op.op === 'insn');
  const last = marks[marks.length - 1];
  if (last?.op === 'insn' && last.text.startsWith('call')) out.push((block.address + block.guestLength) >>> 0);
  return out;
}

export function liftAll(kernels: readonly KernelCode[]): Block[] {
  const out: Block[] = [];
  for (const k of kernels) for (const at of k.starts) out.push(liftBlock(k.code, at, k.mode));
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const kernels = kernelBlocks();
  const insns = kernels.reduce((n, k) => n + k.insns, 0);
  const blocks = kernels.reduce((n, k) => n + k.starts.length, 0);
  process.stdout.write(`  ${blocks} blocks, ${insns} guest instructions from ${BENCH_KERNELS.join(', ')}\n`);
  let sink = 0;
  await b.suite(
    'lift',
    b.add('liftBlock (decode + semantics)', () => {
      sink += liftAll(kernels).length;
    }, { maxTime: 2 }),
    b.complete(reportPerOp('lift', insns, 'guest instruction')),
  );
  process.on('exit', () => void sink);
}
