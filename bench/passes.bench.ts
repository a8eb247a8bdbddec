/**
 * Optimisation cost per guest instruction, pass by pass, on the lifted
 * blocks of the benchmark kernels (see lift.bench.ts). Each pass gets the
 * blocks as the pipeline hands them to its first run in SCHEDULE (the
 * passes before it already applied), so it works on realistic input; the
 * whole pipeline is measured too.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/passes.bench.js`.
 */
import b from 'benny';
import type { Block } from '../src/ir/types.js';
import { constFold } from '../src/passes/const-fold.js';
import { deadCode } from '../src/passes/dead-code.js';
import { flagLiveness } from '../src/passes/flag-liveness.js';
import { getPut } from '../src/passes/get-put.js';
import type { PassOptions } from '../src/passes/pass-options.js';
import { optimize, PASS_NAMES, SCHEDULE, type PassName } from '../src/passes/pipeline.js';
import { kernelBlocks, liftAll } from './lift.bench.js';
import { reportPerOp } from './micro-setup.js';

// As the translator runs them with paging off (src/exec/cpu-runtime.ts).
const options: PassOptions = { memoryCannotFault: true };
const PASSES: Record<PassName, (block: Block) => Block> = {
  'const-fold': (block) => constFold(block),
  'get-put': (block) => getPut(block, options),
  'dead-code': (block) => deadCode(block, options),
  'flag-liveness': (block) => flagLiveness(block, options),
};

const kernels = kernelBlocks();
const lifted = liftAll(kernels);
const insns = lifted.reduce((n, blk) => n + blk.guestInsns, 0);
process.stdout.write(`  ${lifted.length} blocks, ${insns} guest instructions\n`);

/** The blocks as they reach the first scheduled run of `name`. */
function inputOf(name: PassName): Block[] {
  const before = SCHEDULE.slice(0, SCHEDULE.indexOf(name));
  return lifted.map((blk) => before.reduce((cur, p) => PASSES[p](cur), blk));
}

let sink = 0;
void b.suite(
  'passes',
  ...PASS_NAMES.map((name) => {
    const input = inputOf(name);
    const pass = PASSES[name];
    return b.add(name, () => {
      for (const blk of input) sink += pass(blk).ops.length;
    }, { maxTime: 1 });
  }),
  b.add(`whole pipeline (${SCHEDULE.length} runs)`, () => {
    for (const blk of lifted) sink += optimize(blk, options).ops.length;
  }, { maxTime: 1 }),
  b.complete(reportPerOp('pass', insns, 'guest instruction')),
);
process.on('exit', () => void sink);
