/**
 * The library's look inside the translator: one basic block of guest code
 * through the lifter, each optimisation pass and codegen — what `btvm ir`
 * prints, as data.
 */
import { translateStages, type IrStages } from '../cli/commands/ir.js';
import { printBlock } from '../ir/print.js';
import { ArrayCodeFetcher } from '../lift/code-fetcher.js';
import { parseNoOpt } from '../passes/pipeline.js';

export interface BlockTranslation {
  /** The IR as lifted, before any pass. */
  readonly lifted: string;
  /** The IR after each pass that ran, in pipeline order. */
  readonly passes: readonly { readonly name: string; readonly ir: string }[];
  readonly optimised: string;
  /** The JavaScript codegen made of the block. */
  readonly javascript: string;
  /** The stages as IR objects (src/ir/types.ts), for programs that walk them. */
  readonly stages: IrStages;
}

export interface TranslateOptions {
  /** Optimisation passes to switch off, by name (as `--no-opt`). */
  readonly disabledPasses?: readonly string[];
}

/**
 * Translates the block at `address` of 32-bit flat code whose first byte
 * `code[0]` sits at guest address `base`.
 */
export function translateBlock(code: Uint8Array, base: number, address: number, options: TranslateOptions = {}): BlockTranslation {
  const selection = parseNoOpt((options.disabledPasses ?? []).join(','));
  const stages = translateStages(new ArrayCodeFetcher(code, base), address, selection.disabled, !selection.noLocals);
  return {
    lifted: printBlock(stages.lifted),
    passes: stages.passes.map((p) => ({ name: p.name, ir: printBlock(p.block) })),
    optimised: printBlock(stages.optimised),
    javascript: stages.javascript,
    stages,
  };
}
