/**
 * Instructions the CPU model lacks raise #UD, as on that CPU; lzcnt and
 * tzcnt run as bsr and bsf where ABM/BMI1 are absent (SDM Vol. 2A, LZCNT).
 */
import { describe, expect, it } from 'vitest';
import { printBlock } from '../../src/ir/print.js';
import type { Block } from '../../src/ir/types.js';
import { ArrayCodeFetcher } from '../../src/lift/code-fetcher.js';
import type { LiftMode } from '../../src/lift/lift-mode.js';
import { liftBlock } from '../../src/lift/lifter.js';
import { parseCpuModel } from '../../src/state/cpu-features.js';

const BASE = 0x100000;
const lift = (bytes: number[], model = 'btvm32'): Block => {
  const mode: LiftMode = { codeSize: 4, flatSegments: true, mode: 1, model: parseCpuModel(model) };
  return liftBlock(new ArrayCodeFetcher(Uint8Array.from([...bytes, 0xf4]), BASE), BASE, mode, { maxInsns: 1 });
};
const raisesUd = (b: Block): boolean => b.ops.some((o) => o.op === 'raise' && o.vector === 6 && o.cond === null);
/** The block's IR without its header, instruction markers and exit (they name the mnemonic and the length). */
const semantics = (b: Block): string => printBlock(b).split('\n').filter((l) => !/^\s*insn|^\s*;|^block|^\s*exit/.test(l)).join('\n');

describe('feature gates', () => {
  const gated: [string, number[], string][] = [
    ['popcnt eax,ebx', [0xf3, 0x0f, 0xb8, 0xc3], 'btvm32,+popcnt'],
    ['movbe eax,[ebx]', [0x0f, 0x38, 0xf0, 0x03], 'btvm32,+movbe'],
    ['cmovz eax,ebx', [0x0f, 0x44, 0xc3], 'btvm32'],
    ['cmpxchg8b [edi]', [0x0f, 0xc7, 0x0f], 'btvm32'],
    ['rdtsc', [0x0f, 0x31], 'btvm32'],
    ['sysenter', [0x0f, 0x34], 'btvm32'],
  ];
  for (const [name, bytes, withIt] of gated) {
    it(`${name}: runs where the model has its feature`, () => expect(raisesUd(lift(bytes, withIt))).toBe(false));
  }
  it('popcnt, movbe, crc32, lfence, mfence, sfence and movnti raise #UD on btvm32 (no POPCNT, MOVBE, SSE4.2, SSE, SSE2)', () => {
    for (const bytes of [[0xf3, 0x0f, 0xb8, 0xc3], [0x0f, 0x38, 0xf0, 0x03], [0xf2, 0x0f, 0x38, 0xf1, 0xc3],
      [0x0f, 0xae, 0xe8], [0x0f, 0xae, 0xf0], [0x0f, 0xae, 0xf8], [0x0f, 0xc3, 0x03]]) {
      expect(raisesUd(lift(bytes)), bytes.map((b) => b.toString(16)).join(' ')).toBe(true);
    }
  });
  it('cmov, cmpxchg8b, rdtsc and sysenter raise #UD when the model lacks CMOV, CX8, TSC, SEP', () => {
    expect(raisesUd(lift([0x0f, 0x44, 0xc3], 'btvm32,-cmov'))).toBe(true);
    expect(raisesUd(lift([0x0f, 0xc7, 0x0f], 'btvm32,-cx8'))).toBe(true);
    expect(raisesUd(lift([0x0f, 0x31], 'btvm32,-tsc'))).toBe(true);
    expect(raisesUd(lift([0x0f, 0x34], 'btvm32,-sep'))).toBe(true);
  });
  it('lzcnt and tzcnt lift exactly as bsr and bsf with the same operands', () => {
    expect(semantics(lift([0xf3, 0x0f, 0xbd, 0xc3]))).toBe(semantics(lift([0x0f, 0xbd, 0xc3])));
    expect(semantics(lift([0xf3, 0x0f, 0xbc, 0x03]))).toBe(semantics(lift([0x0f, 0xbc, 0x03])));
    expect(semantics(lift([0xf3, 0x0f, 0xbd, 0xc3]))).not.toBe(semantics(lift([0x0f, 0xbc, 0xc3])));
  });
});
