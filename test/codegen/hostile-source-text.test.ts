/**
 * Generated JavaScript runs with `process` and `globalThis` in scope, so no
 * text from outside may reach it (issue 18). Every string an IR block
 * carries — the instruction text meant for dumps, and every field that
 * should name something from a fixed table — is replaced here by text
 * built to break out of a comment, a line, a string or a template
 * (`*\/`, newlines, U+2028, U+2029, backticks, `${`); the region is then
 * generated, compiled and run. Each attempt must leave the payload's marker
 * out of the source, or make codegen refuse the block; the payload must
 * never run. The copy for people (readableSource) shows the text, made
 * printable.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readableSource } from '../../src/codegen/source-listing.js';
import type { Block } from '../../src/ir/types.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { optimize } from '../../src/passes/pipeline.js';
import { MODE_CODE32, MODE_FLAT, MODE_PROTECTED, MODE_STACK32 } from '../../src/state/mode.js';
import { TestMachine } from './harness.js';

const MARK = '__btvmPwned';
const SET = `globalThis.${MARK} = 1;`;
const PAYLOADS = [
  `*/ ${SET} /*`,
  `\n${SET}\n`,
  `\r${SET}\r`,
  `\u2028${SET}\u2028`,
  `\u2029${SET}\u2029`,
  `\`; ${SET} \``,
  `\${${SET}}`,
  `'); ${SET} ('`,
  `"); ${SET} ("`,
  `}; ${SET} {`,
];

/** add eax, ebx; mov [0x2000], eax; out 0x80, al; inc ecx; jnz back: ALU, a store, a VMM call, flags and a branch. */
const CODE = Uint8Array.from([0x01, 0xd8, 0xa3, 0x00, 0x20, 0x00, 0x00, 0xe6, 0x80, 0x41, 0x75, 0xf4]);
const BASE = 0x1000;

function block(): Block {
  const mode = MODE_CODE32 | MODE_STACK32 | MODE_FLAT | MODE_PROTECTED;
  const lifted = liftBlock(new ArrayCodeFetcher(CODE, BASE), BASE, { codeSize: 4, flatSegments: true, mode });
  return optimize(lifted, { memoryCannotFault: true });
}

/** Paths to every string in the block's ops except each op's `op` tag, e.g. ['ops', 3, 'slot', 'kind']. */
function stringPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'op' && path.length === 2 ? [] : stringPaths(v, [...path, Array.isArray(value) ? Number(k) : k])));
}

function withString(b: Block, path: (string | number)[], text: string): Block {
  const copy = structuredClone(b);
  let at: Record<string | number, unknown> = copy as unknown as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path.at(-1)!] = text;
  return copy;
}

const g = globalThis as Record<string, unknown>;
afterEach(() => { delete g[MARK]; });

describe('generated source is built from numbers and fixed names only', () => {
  it('keeps hostile text in any string field of the IR out of the compiled source, and never runs it', () => {
    const base = block();
    const paths = stringPaths({ ops: base.ops, exit: base.exit });
    expect(paths.filter((p) => p[0] === 'ops' && p.at(-1) === 'text').length).toBe(5);
    let compiled = 0;
    for (const path of paths) {
      for (const payload of PAYLOADS) {
        const hostile = path[0] === 'ops'
          ? { ...base, ops: withString({ ...base, ops: base.ops } as Block, path, payload).ops }
          : { ...base, exit: withString({ exit: base.exit } as unknown as Block, path, payload).exit } as Block;
        const m = new TestMachine();
        m.cpu.budget = 50; // a few turns of the loop are enough to run whatever was compiled
        let source: string;
        let run: () => number;
        try {
          const c = m.compile([hostile]);
          source = c.source;
          run = () => c.region.run();
        } catch {
          continue; // codegen refused a name outside its tables: nothing was compiled
        }
        compiled++;
        expect(source, `${path.join('.')} = ${JSON.stringify(payload)}`).not.toContain(MARK);
        try { run(); } catch { /* a refused value may fail at run time; it must not run the payload */ }
        expect(g[MARK], `${path.join('.')} = ${JSON.stringify(payload)}`).toBeUndefined();
      }
    }
    // The instruction texts at least reach codegen, and are compiled without their text.
    expect(compiled).toBeGreaterThanOrEqual(5 * PAYLOADS.length);
  });

  it('shows each instruction\'s text in the listing for people, made printable', () => {
    const b = block();
    const m = new TestMachine();
    const source = m.compile([b]).source;
    const listing = readableSource(source, [b]);
    expect(listing).toContain('add    eax,ebx');
    expect(listing).toContain('out    0x80,al');
    const hostile = { ...b, ops: b.ops.map((op) => (op.op === 'insn' ? { ...op, text: `x\u2028y\x1b[2Jz` } : op)) };
    const shown = readableSource(m.compile([hostile]).source, [hostile]);
    expect(shown).toContain('x\\u2028y^[[2Jz');
    expect(shown).not.toMatch(/[\u2028\x1b]/);
  });
});
