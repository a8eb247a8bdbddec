/**
 * Self-modifying code: a store invalidates a translated block whenever any of
 * its bytes lands in the block, including stores that begin before the block
 * and reach it with their later bytes only. Two levels:
 *
 * - the cache: for 1-, 2- and 4-byte stores and a block's first, middle and
 *   last byte, every store position covering that byte invalidates the
 *   region, and stores ending just before it or starting just past it do not;
 * - translated guest code: a block T (`mov eax, imm32; jmp short r1`) runs,
 *   then a store patches T's first byte (mov → add), a middle byte (the
 *   immediate) or its last byte (the jump's displacement, to r2) and T runs
 *   again. The store keeps the bytes around the patched one as they were,
 *   so the only way to get the patched result is to run the new code; the
 *   expected sums follow from the two versions' semantics.
 */
import { describe, expect, it } from 'vitest';
import { CompiledRegion } from '../../src/cache/compiled-region.js';
import { TranslationCache } from '../../src/cache/translation-cache.js';
import { assemble, runTranslated, CODE_BASE, DATA_BASE } from '../exec/guest-runner.js';
import { haveNasm } from '../support/nasm.js';

const SIZES = [1, 2, 4] as const;

describe('cache: a store invalidates the blocks it overlaps by any byte', () => {
  const start = 0x5100, end = 0x5110; // one block of 16 bytes
  const targets = { first: start, middle: start + 7, last: end - 1 };

  for (const size of SIZES) {
    for (const [where, byte] of Object.entries(targets)) {
      it(`${size}-byte stores over the block's ${where} byte`, () => {
        for (let j = 0; j < size; j++) {
          const c = new TranslationCache();
          const r = new CompiledRegion(start, start, 1, [start, end], [], 4, 16, 1, 'x');
          c.insert(r);
          const address = byte - j; // the target is the store's byte j
          expect(c.codeWritten(address, size, null), `store at ${address.toString(16)}`).toBe(0);
          expect(r.valid, `store of ${size} at ${(address - start).toString()} relative to the block`).toBe(false);
        }
      });
    }
    it(`${size}-byte stores that end at the block's start or begin at its end leave it alone`, () => {
      const c = new TranslationCache();
      const r = new CompiledRegion(start, start, 1, [start, end], [], 4, 16, 1, 'x');
      c.insert(r);
      c.codeWritten(start - size, size, null);
      c.codeWritten(end, size, null);
      expect(r.valid).toBe(true);
      expect(c.stats.invalidations).toBe(0);
    });
  }

  it('a region of several blocks is invalidated through any block', () => {
    for (const size of SIZES) {
      const c = new TranslationCache();
      const r = new CompiledRegion(start, start, 1, [start, start + 8, 0x5200, 0x5206], [], 4, 14, 2, 'x');
      c.insert(r);
      c.codeWritten(0x5200 - size + 1, size, null); // only the last byte reaches the second block
      expect(r.valid, `size ${size}`).toBe(false);
    }
  });
});

/** T's bytes: B8 imm32 (mov eax), EB disp8 (jmp short r1). */
const T_BYTES = 7;
const MOV_EAX = 0xb8, ADD_EAX = 0x05;
const IMM = 0x01010101;
const R2_BONUS = 0x100000;
const EAX_BEFORE = 7;

/**
 * The guest: runs T twice with EAX=7 before each call, summing EAX in ESI;
 * between the runs `mov [ebx+D], dl/dx/edx` (EBX = address of n) stores EDX.
 * T is preceded by a hlt and followed by its two landing sites, so a store
 * reaching outside T rewrites bytes that are never executed differently.
 */
function program(storeOffsetFromT: number, size: 1 | 2 | 4, value: number): string {
  const reg = size === 1 ? 'dl' : size === 2 ? 'dx' : 'edx';
  return [
    'call n', 'n: pop ebx', 'xor esi, esi', 'mov ecx, 2',
    `again: mov eax, ${EAX_BEFORE}`, 'call t', 'add esi, eax',
    `mov edx, 0x${(value >>> 0).toString(16)}`,
    `mov [ebx + (t - n) + (${storeOffsetFromT})], ${reg}`,
    'dec ecx', 'jnz again', 'hlt',
    'align 16', 'times 3 nop',
    `t: mov eax, 0x${IMM.toString(16)}`, 'jmp short r1',
    'r1: ret', 'nop', 'nop',
    `r2: add eax, 0x${R2_BONUS.toString(16)}`, 'ret',
    'times 8 nop',
  ].join('\n');
}

describe.skipIf(!haveNasm())('translated code: stores overlapping a block by their later bytes take effect', () => {
  // Assemble once with a placeholder store to learn the layout around T.
  const [probe] = assemble([program(0, 4, 0)]);
  const tOffset = probe!.findIndex((b, i) => b === MOV_EAX && probe![i + 1] === 1 && probe![i + 4] === 1 && probe![i + 5] === 0xeb);
  const original = probe!.slice();
  const disp = original[tOffset + 6]!;
  // Patches: the byte (index into T) and its new value, and what T then returns.
  const patches = {
    first: { at: 0, byte: ADD_EAX, result: EAX_BEFORE + IMM },
    middle: { at: 2, byte: 0x03, result: IMM + 0x0200 },
    last: { at: T_BYTES - 1, byte: disp + 3, result: IMM + R2_BONUS }, // r1 → r2 (ret, nop, nop)
  };

  for (const size of SIZES) {
    for (const [where, p] of Object.entries(patches)) {
      it(`${size}-byte stores whose byte 0..${size - 1} patches T's ${where} byte`, () => {
        const failures: string[] = [];
        for (let j = 0; j < size; j++) {
          const rel = p.at - j;
          let value = 0;
          for (let k = size - 1; k >= 0; k--) {
            const b = k === j ? p.byte : original[tOffset + rel + k]!;
            value = (value << 8) | b;
          }
          const [code] = assemble([program(rel, size, value)]);
          expect(code!.subarray(tOffset, tOffset + T_BYTES)).toEqual(original.subarray(tOffset, tOffset + T_BYTES));
          const run = runTranslated(code!, { regs: [0, 0, 0, 0, DATA_BASE + 0xf000, 0, 0, 0], eflags: 0, seed: 1 }, { dispatcher: { maxInsns: 100_000 } });
          expect(run.result.kind, 'the guest ends at its hlt').not.toBe('max-insns');
          const esi = run.cpu.regs[6]! >>> 0;
          const want = (IMM + p.result) >>> 0;
          if (esi !== want) failures.push(`store at T${rel >= 0 ? '+' : ''}${rel}: ESI ${esi.toString(16)}, want ${want.toString(16)} (stale code ran)`);
        }
        expect(failures).toEqual([]);
      });
    }
  }

  it('T sits where the test expects it', () => {
    expect(tOffset).toBeGreaterThan(0);
    expect(CODE_BASE % 16).toBe(0);
    expect(original[tOffset + 5]).toBe(0xeb);
  });
});
