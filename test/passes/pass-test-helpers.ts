/*
 * Shared by the hand-built pass tests: run one pass on a block, insist that
 * input and output both satisfy verifyBlock, and return the output's ops in
 * the stable text form (without the header line) so expectations read like
 * `btvm ir` dumps.
 */
import { expect } from 'vitest';
import { IrBuilder } from '../../src/ir/builder.js';
import { printBlock } from '../../src/ir/print.js';
import { verifyBlock } from '../../src/ir/verify.js';
import type { Block } from '../../src/ir/types.js';

export function newBlock(): IrBuilder {
  return new IrBuilder(0x1000, 1);
}

export function body(block: Block): string[] {
  return printBlock(block).trimEnd().split('\n').slice(1);
}

export function runPass(pass: (b: Block) => Block, block: Block): string[] {
  expect(verifyBlock(block), 'input block invalid').toEqual([]);
  const before = printBlock(block);
  const out = pass(block);
  expect(verifyBlock(out), 'pass produced an invalid block').toEqual([]);
  expect(printBlock(block), 'pass mutated its input').toBe(before);
  return body(out);
}
