/*
 * Golden expect tests: each test/expect/NAME.asm is assembled with nasm
 * (-f bin, org 0x1000, 32-bit code) and every block in it, lifted one after
 * another from the first byte, is printed as lifted IR and as IR after the
 * pass pipeline. The text must equal the checked-in NAME.ir.txt. See
 * README.md here for reviewing and accepting changes (UPDATE_EXPECT=1).
 *
 * Blocks are lifted in flat 32-bit protected mode with paging off, as the
 * fixture kernels run, and optimised as the CPU runtime does it (loads
 * cannot fault, no successor information), with verifyBlock after each pass.
 * Each optimised block is also run against its lifted original by the
 * test-only IR evaluator, so an accepted listing is at least a correct one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MODE_CODE32, MODE_FLAT, MODE_PROTECTED, MODE_STACK32 } from '../../src/state/mode.js';
import { printBlock } from '../../src/ir/print.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { optimize } from '../../src/passes/pipeline.js';
import type { Block } from '../../src/ir/types.js';
import { evaluate, initialState, observe } from '../support/ir-evaluator.js';
import { toolsFor } from '../support/external-tools.js';

const here = dirname(fileURLToPath(import.meta.url));
const BASE = 0x1000;
const MODE = MODE_CODE32 | MODE_STACK32 | MODE_FLAT | MODE_PROTECTED;
const update = process.env['UPDATE_EXPECT'] === '1';
const nasmMissing = !toolsFor('golden IR listings', 'nasm');

function assemble(asmPath: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-expect-'));
  try {
    const out = join(dir, 'code.bin');
    const r = spawnSync('nasm', ['-f', 'bin', '-o', out, asmPath], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The expect text of an assembled file: each block's lifted and optimised IR. */
export function irListing(name: string, code: Uint8Array): string {
  const fetcher = new ArrayCodeFetcher(code, BASE);
  const mode = { codeSize: 4, flatSegments: true, mode: MODE } as const;
  const parts = [`# ${name}.asm: lifted and optimised IR (test/expect/README.md)`];
  let address = BASE;
  while (address < BASE + code.length) {
    const lifted = liftBlock(fetcher, address, mode);
    expect(verifyBlock(lifted), `lifted block at 0x${address.toString(16)}`).toEqual([]);
    const optimised = optimize(lifted, { verify: true, memoryCannotFault: true });
    sameBehaviour(lifted, optimised);
    parts.push('', '## lifted', printBlock(lifted).trimEnd(), '## optimised', printBlock(optimised).trimEnd());
    if (lifted.guestLength === 0) break;
    address += lifted.guestLength;
  }
  return parts.join('\n') + '\n';
}

/** The optimised block does what the lifted one does, from a few random machine states (test evaluator, ../support/ir-evaluator.ts). */
function sameBehaviour(lifted: Block, optimised: Block): void {
  for (let seed = 1; seed <= 16; seed++) {
    const s1 = initialState(seed * 7919, { faults: false }), s2 = initialState(seed * 7919, { faults: false });
    const before = observe(s1, evaluate(lifted, s1), true);
    const after = observe(s2, evaluate(optimised, s2), true);
    expect(after, `block 0x${lifted.address.toString(16)}, seed ${seed}`).toEqual(before);
  }
}

const cases = readdirSync(here).filter((f) => f.endsWith('.asm')).map((f) => f.slice(0, -4)).sort();

describe.skipIf(nasmMissing)('golden IR listings', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)('%s.asm', (name) => {
    const actual = irListing(name, assemble(join(here, `${name}.asm`)));
    const expectedPath = join(here, `${name}.ir.txt`);
    if (update || !existsSync(expectedPath)) {
      writeFileSync(expectedPath, actual);
      if (!update) throw new Error(`${name}.ir.txt did not exist: written now, review it and run again`);
      return;
    }
    expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
  });
});
