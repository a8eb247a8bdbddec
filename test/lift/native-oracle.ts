/**
 * The two sides of the lifter's differential test: the host CPU through
 * fixtures/native/harness (see its header for the protocol), and the same
 * snippet lifted by src/lift and run by the test IR evaluator
 * (test/support/ir-evaluator.ts) on an identical memory image. Both produce the harness's output line, so a test
 * compares strings (after masking flags the SDM leaves undefined).
 */
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { evaluate, RegionMemory, thunkFlags, zeroState } from '../support/ir-evaluator.js';
import { dataImage, fnv1a } from '../support/data-region.js';
import {
  CODE_BASE, DATA_BASE, DATA_SIZE, EXIT_SEQUENCE, EXIT_SLOT, FLAG_MASK, formatFault, formatState, vectorName, type CaseInput,
} from '../support/harness-protocol.js';
import { haveHarness } from '../support/native-harness.js';
import { toolsFor } from '../support/external-tools.js';

// The harness protocol, nasm batching and data-region helpers live in test/support (shared with test/diff).
export { CODE_BASE, DATA_BASE, maskFlags, type CaseInput } from '../support/harness-protocol.js';
export { runNative } from '../support/native-harness.js';
export { assembleSnippets as assemble } from '../support/nasm.js';

const EXIT_SENTINEL = CODE_BASE + 0xff00;

/** Whether the suite `what` can compare with the host CPU: nasm (else one skip line naming its package) and the i386 harness. */
export const haveOracle = (what: string): boolean => toolsFor(what, 'nasm') && haveHarness();

/** Lift and interpret a snippet on the harness's memory map; returns the harness-format line. */
export function runLifted(code: Uint8Array, input: CaseInput): string {
  const data = dataImage(input.seed).slice();
  // Like the harness: the snippet, then its exit sequence jmp dword [ss:0x2000FFFC], whose slot points at a sentinel.
  const codeRegion = new Uint8Array(0x10000);
  codeRegion.set(code);
  codeRegion.set(EXIT_SEQUENCE, code.length);
  new DataView(codeRegion.buffer).setUint32(EXIT_SLOT - CODE_BASE, EXIT_SENTINEL, true);
  const m = zeroState(new RegionMemory([{ base: DATA_BASE, bytes: data }, { base: CODE_BASE, bytes: codeRegion }]));
  input.regs.forEach((r, i) => (m.gpr[i] = r | 0));
  m.eflagsSys = 0x202 | (input.eflags & 0x400);
  m.thunk = { kind: 'explicit', size: 4, res: input.eflags & 0x8d5, a: 0, b: 0, aux: 0 };
  const fetch = new ArrayCodeFetcher(codeRegion, CODE_BASE);
  const end = EXIT_SENTINEL;
  const mode = { codeSize: 4 as const, flatSegments: true, mode: 1 };
  let eip = CODE_BASE;
  const flags = (): number => ((thunkFlags(m.thunk) & 0x8d5) | (m.eflagsSys & 0x400)) & FLAG_MASK;
  for (let steps = 0; eip !== end; steps++) {
    if (steps > 200000) return 'FAULT TIMEOUT';
    const block = liftBlock(fetch, eip, mode);
    const problems = verifyBlock(block);
    if (problems.length) throw new Error('verifyBlock: ' + problems.join('; '));
    const outcome = evaluate(block, m, { emulate: 'refuse' });
    if (outcome.kind === 'fault') return formatFault(vectorName(outcome.vector), outcome.at, m.gpr, flags(), fnv1a(data, 0, DATA_SIZE));
    if (outcome.kind !== 'exit') throw new Error(`unexpected ${outcome.kind} at 0x${outcome.at.toString(16)}`);
    eip = outcome.target;
  }
  return formatState(m.gpr, flags(), fnv1a(data, 0, DATA_SIZE));
}
