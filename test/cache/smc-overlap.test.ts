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
import { runTranslated, DATA_BASE } from '../exec/guest-runner.js';
import { assembleSnippets } from '../support/nasm.js';
import { toolsFor } from '../support/external-tools.js';

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
 * between the runs `mov [ebx+D], dl/dx/edx` (EBX = address of .n) stores
 * EDX. T is preceded by three nops and followed by its two landing sites,
 * so a store reaching outside T rewrites bytes that are never executed
 * differently. Labels are nasm-local: all programs assemble in one run.
 */
function program(storeOffsetFromT: number, size: 1 | 2 | 4, value: number): string {
  const reg = size === 1 ? 'dl' : size === 2 ? 'dx' : 'edx';
  return [
    'call .n', '.n: pop ebx', 'xor esi, esi', 'mov ecx, 2',
    `.again: mov eax, ${EAX_BEFORE}`, 'call .t', 'add esi, eax',
    `mov edx, 0x${(value >>> 0).toString(16)}`,
    `mov [ebx + (.t - .n) + (${storeOffsetFromT})], ${reg}`,
    'dec ecx', 'jnz .again', 'hlt',
    'times 3 nop',
    `.t: mov eax, 0x${IMM.toString(16)}`, 'jmp short .r1',
    '.r1: ret', 'nop', 'nop',
    `.r2: add eax, 0x${R2_BONUS.toString(16)}`, 'ret',
    'times 8 nop',
  ].join('\n');
}

/** Offset of T in an assembled program. */
const tOffsetIn = (code: Uint8Array) =>
  code.findIndex((b, i) => b === MOV_EAX && code[i + 1] === 1 && code[i + 4] === 1 && code[i + 5] === 0xeb);

const haveNasm = toolsFor('stores overlapping a block (smc-overlap)', 'nasm');

describe.skipIf(!haveNasm)('translated code: stores overlapping a block by their later bytes take effect', () => {
  // The bytes around T, from one assembly with a placeholder store (they do not depend on the store).
  // Without nasm vitest still collects this body: a stand-in of the right length keeps it from failing.
  const [probe] = haveNasm ? assembleSnippets([program(0, 4, 0)]) : [new Uint8Array(64)];
  const around = probe!.slice(tOffsetIn(probe!) - 3, tOffsetIn(probe!) + T_BYTES + 3);
  const aroundT = (rel: number) => around[rel + 3]!;
  const disp = aroundT(T_BYTES - 1);
  // Patches: the byte (index into T) and its new value, and what T then returns.
  const patches = {
    first: { at: 0, byte: ADD_EAX, result: EAX_BEFORE + IMM },
    middle: { at: 2, byte: 0x03, result: IMM + 0x0200 },
    last: { at: T_BYTES - 1, byte: disp + 3, result: IMM + R2_BONUS }, // .r1 → .r2 (ret, nop, nop)
  };
  const cases = SIZES.flatMap((size) =>
    Object.entries(patches).flatMap(([where, p]) =>
      Array.from({ length: size }, (_, j) => {
        const rel = p.at - j; // the patched byte is the store's byte j
        let value = 0;
        for (let k = size - 1; k >= 0; k--) value = (value << 8) | (k === j ? p.byte : aroundT(rel + k));
        return { size, where, rel, want: (IMM + p.result) >>> 0, source: program(rel, size, value) };
      }),
    ),
  );
  const codes = haveNasm ? assembleSnippets(cases.map((c) => c.source)) : [];

  for (const size of SIZES) {
    for (const where of Object.keys(patches)) {
      it(`${size}-byte stores whose byte 0..${size - 1} patches T's ${where} byte`, () => {
        const failures: string[] = [];
        cases.forEach((c, i) => {
          if (c.size !== size || c.where !== where) return;
          const code = codes[i]!;
          const t = tOffsetIn(code);
          expect(code.subarray(t - 3, t + T_BYTES + 3)).toEqual(around);
          const run = runTranslated(code, { regs: [0, 0, 0, 0, DATA_BASE + 0xf000, 0, 0, 0], eflags: 0, seed: 1 }, { dispatcher: { maxInsns: 100_000 } });
          expect(run.result.kind, 'the guest ends at its hlt').not.toBe('max-insns');
          const esi = run.cpu.regs[6]! >>> 0;
          if (esi !== c.want) failures.push(`store at T${c.rel >= 0 ? '+' : ''}${c.rel}: ESI ${esi.toString(16)}, want ${c.want.toString(16)} (stale code ran)`);
        });
        expect(failures).toEqual([]);
      });
    }
  }

  it('the programs cover every store position, and T is laid out as the patches assume', () => {
    expect(cases).toHaveLength(3 * (1 + 2 + 4));
    expect(aroundT(5)).toBe(0xeb);
    expect([aroundT(-1), aroundT(T_BYTES)]).toEqual([0x90, 0xc3]);
  });
});
