/**
 * The pass pipeline: what the translator runs between the lifter and
 * codegen, and what `btvm ir` shows stage by stage.
 *
 * The schedule runs some passes twice because each exposes work for
 * another: get-put turns gets of just-written registers into known values
 * (more for const-fold), and const-fold removes raises that cannot happen,
 * which were barriers for get-put's dead puts (a division by a constant);
 * dead-code removes unused `flags.get`s that would
 * keep a thunk alive (more for flag-liveness), and flag-liveness leaves the
 * operands of deleted thunks unused (more for dead-code).
 *
 * Every pass returns a new Block and leaves its input alone, so `onPass` may
 * keep each stage. With `verify` the IR invariants (ir/verify.ts) are
 * checked after every pass; tests always turn it on.
 */
import { verifyBlock } from '../ir/verify.js';
import type { Block } from '../ir/types.js';
import { constFold } from './const-fold.js';
import { deadCode } from './dead-code.js';
import { flagLiveness } from './flag-liveness.js';
import { getPut } from './get-put.js';
import type { PassOptions } from './pass-options.js';

/** The passes, by the names `--no-opt=NAME` takes. */
export const PASS_NAMES = ['const-fold', 'get-put', 'dead-code', 'flag-liveness'] as const;
export type PassName = (typeof PASS_NAMES)[number];

/**
 * Every name `--no-opt` accepts: the passes, `locals` (codegen keeping guest
 * registers in JS locals; codegen reads it, not this pipeline) and `all`.
 */
export const NO_OPT_NAMES = [...PASS_NAMES, 'locals', 'all'] as const;
export type NoOptName = (typeof NO_OPT_NAMES)[number];

/** The order passes run in (names may repeat, see above). */
export const SCHEDULE: readonly PassName[] = [
  'const-fold', 'get-put', 'const-fold', 'get-put', 'dead-code', 'flag-liveness', 'dead-code',
];

export interface OptimizeOptions extends PassOptions {
  /** Passes to skip. */
  readonly disabled?: ReadonlySet<PassName>;
  /** Run verifyBlock after every pass and throw PassVerifyError on a problem. */
  readonly verify?: boolean;
  /** Called after each pass that ran, with the block it produced. */
  readonly onPass?: (name: PassName, block: Block) => void;
}

/** A pass broke an IR invariant: a bug in that pass, reported with the block and the problems. */
export class PassVerifyError extends Error {
  constructor(readonly pass: PassName, readonly blockAddress: number, readonly problems: readonly string[]) {
    super(`IR invalid after pass ${pass} in block 0x${(blockAddress >>> 0).toString(16)}: ${problems.join('; ')}`);
    this.name = 'PassVerifyError';
  }
}

/** An unknown name in a --no-opt list. */
export class UnknownPassError extends Error {
  constructor(readonly passName: string) {
    super(`unknown pass '${passName}' (known: ${NO_OPT_NAMES.join(', ')})`);
    this.name = 'UnknownPassError';
  }
}

export interface NoOptSelection {
  /** Passes the pipeline skips. */
  readonly disabled: Set<PassName>;
  /** `locals` was named (or `all`): codegen should keep registers in CpuState. */
  readonly noLocals: boolean;
}

/** Parses a comma-separated `--no-opt` value ("const-fold,dead-code", "all"). */
export function parseNoOpt(value: string): NoOptSelection {
  const disabled = new Set<PassName>();
  let noLocals = false;
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!(NO_OPT_NAMES as readonly string[]).includes(name)) throw new UnknownPassError(name);
    if (name === 'all') { PASS_NAMES.forEach((p) => disabled.add(p)); noLocals = true; }
    else if (name === 'locals') noLocals = true;
    else disabled.add(name as PassName);
  }
  return { disabled, noLocals };
}

function runPass(name: PassName, block: Block, options: OptimizeOptions): Block {
  switch (name) {
    case 'const-fold': return constFold(block);
    case 'get-put': return getPut(block, options);
    case 'dead-code': return deadCode(block, options);
    case 'flag-liveness': return flagLiveness(block, options);
  }
}

export function optimize(block: Block, options: OptimizeOptions = {}): Block {
  let current = block;
  for (const name of SCHEDULE) {
    if (options.disabled?.has(name)) continue;
    current = runPass(name, current, options);
    if (options.verify) {
      const problems = verifyBlock(current);
      if (problems.length > 0) throw new PassVerifyError(name, current.address, problems);
    }
    options.onPass?.(name, current);
  }
  return current;
}
