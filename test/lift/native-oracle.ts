/**
 * The two sides of the lifter's differential test: the host CPU through
 * fixtures/native/harness (see its header for the protocol), and the same
 * snippet lifted by src/lift and run by the test IR interpreter on an
 * identical memory image. Both produce the harness's output line, so a test
 * compares strings (after masking flags the SDM leaves undefined).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { verifyBlock } from '../../src/ir/verify.js';
import { GuestFault, TestMachine } from './ir-interpreter.js';

export const HARNESS = join(import.meta.dirname, '../../fixtures/native/harness');
export const CODE_BASE = 0x20000000;
export const DATA_BASE = 0x10000000;
const DATA_SIZE = 0x10000;
const FLAG_MASK = 0x0cd5;
const EXIT_SENTINEL = CODE_BASE + 0xff00;
const VECTOR_NAMES = ['DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', 'CSO', 'TS', 'NP', 'SS', 'GP', 'PF'];

export const haveOracle = (): boolean => existsSync(HARNESS) && spawnSync('nasm', ['-v']).status === 0;

/** Input registers EAX ECX EDX EBX ESP EBP ESI EDI, EFLAGS, data seed. */
export interface CaseInput {
  readonly regs: readonly number[];
  readonly eflags: number;
  readonly seed: number;
}

/** Assemble 32-bit snippets with nasm in one run; returns each snippet's bytes. */
export function assemble(snippets: readonly string[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-lift-'));
  const src = ['bits 32'];
  snippets.forEach((s, i) => {
    src.push(`align 256, db 0`, `db e${i} - s${i}`, `s${i}:`, ...s.split(';').map((l) => l.trim()), `e${i}:`);
  });
  writeFileSync(join(dir, 'c.asm'), src.join('\n') + '\n');
  execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'c.bin'), join(dir, 'c.asm')]);
  const bin = new Uint8Array(readFileSync(join(dir, 'c.bin')));
  return snippets.map((_, i) => {
    const at = i * 256;
    return bin.slice(at + 1, at + 1 + bin[at]!);
  });
}

const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
const toHex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Run many cases natively in one harness process; one output line per case. */
export function runNative(cases: readonly { code: Uint8Array; input: CaseInput }[]): string[] {
  const lines = cases.map(({ code, input }) =>
    [toHex(code) || '-', ...input.regs.map((r) => (r >>> 0).toString(16)), (input.eflags >>> 0).toString(16), input.seed.toString(16)].join(' '));
  const out = execFileSync(HARNESS, { input: lines.join('\n') + '\n', maxBuffer: 1 << 26 }).toString().trim().split('\n');
  if (out.length !== cases.length) throw new Error(`harness gave ${out.length} lines for ${cases.length} cases`);
  return out;
}

function fillData(seed: number): Uint8Array {
  const d = new Uint8Array(DATA_SIZE);
  const w = new DataView(d.buffer);
  let x = (seed | 1) >>> 0;
  for (let i = 0; i < DATA_SIZE; i += 4) {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    w.setUint32(i, x, true);
  }
  return d;
}

function fnv1a(d: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < d.length; i++) h = Math.imul(h ^ d[i]!, 0x01000193) >>> 0;
  return h >>> 0;
}

/** Lift and interpret a snippet on the harness's memory map; returns the harness-format line. */
export function runLifted(code: Uint8Array, input: CaseInput): string {
  const data = fillData(input.seed);
  // Like the harness: the snippet, then jmp dword [0x2000FFFC], whose slot points at a sentinel.
  const codeRegion = new Uint8Array(0x10000);
  codeRegion.set(code);
  codeRegion.set([0xff, 0x25, 0xfc, 0xff, 0x00, 0x20], code.length);
  new DataView(codeRegion.buffer).setUint32(0xfffc, EXIT_SENTINEL, true);
  const m = new TestMachine([{ base: DATA_BASE, bytes: data }, { base: CODE_BASE, bytes: codeRegion }]);
  input.regs.forEach((r, i) => (m.regs[i] = r | 0));
  m.eflagsSys = 0x202 | (input.eflags & 0x400);
  m.cc = { kind: 'explicit', size: 4, res: input.eflags & 0x8d5, a: 0, b: 0, aux: 0 };
  const fetch = new ArrayCodeFetcher(codeRegion, CODE_BASE);
  const end = EXIT_SENTINEL;
  const mode = { codeSize: 4 as const, flatSegments: true, mode: 1 };
  let eip = CODE_BASE;
  const state = (): string => {
    const fl = ((m.flags() & 0x8d5) | (m.eflagsSys & 0x400)) & FLAG_MASK;
    return [...Array.from(m.regs, hex8), hex8(fl), hex8(fnv1a(data))].join(' ');
  };
  try {
    for (let steps = 0; eip !== end; steps++) {
      if (steps > 200000) return 'FAULT TIMEOUT';
      const block = liftBlock(fetch, eip, mode);
      const problems = verifyBlock(block);
      if (problems.length) throw new Error('verifyBlock: ' + problems.join('; '));
      eip = m.run(block) >>> 0;
    }
  } catch (e) {
    if (!(e instanceof GuestFault)) throw e;
    return `FAULT ${VECTOR_NAMES[e.vector] ?? 'VEC?'} ${hex8(e.eip - CODE_BASE)} ${state()}`;
  }
  return state();
}

/** Clear flag bits `undef` in the EFLAGS field of a harness-format line. */
export function maskFlags(line: string, undef: number): string {
  const f = line.split(' ');
  const i = f[0] === 'FAULT' ? 11 : 8;
  if (f.length > i) f[i] = hex8(parseInt(f[i]!, 16) & ~undef);
  return f.join(' ');
}
