/**
 * decode()'s plain-state fast path (src/decoder/decode.ts) must answer
 * exactly what the general decoder (decode-general.ts) answers for the same
 * bytes: every field, every operand. The oracle for the general decoder
 * itself is objdump (objdump-diff.test.ts); this file pins the fast path to
 * it on real code, at every byte offset rather than only at instruction
 * boundaries (so mid-instruction garbage is covered too), and on random
 * bytes.
 */
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, MODE32 } from '../../src/decoder/decode.js';
import { decodeGeneral } from '../../src/decoder/decode-general.js';
import type { DecodedInsn } from '../../src/decoder/insn.js';
import { parseElf32, sectionData } from '../../src/loader/elf32.js';

const LIBC = '/usr/lib32/libc.so.6';

/** Everything a consumer can read from a result, as one string. */
function fingerprint(i: DecodedInsn): string {
  return `${i.address} ${i.length} ${i.status} ${i.form?.id ?? -1} ${i.opSize} ${i.addrSize} ${i.lock} ${i.rep} ${i.segOverride} ` +
    `${i.prefixLen} ${i.modrm} ${i.sib} ${i.dispSize} ${i.fwait} ${JSON.stringify(i.operands)}`;
}

/** Padding so that every offset of `code` has the fast path's 48 bytes after it. */
function padded(code: Uint8Array): Uint8Array {
  const b = new Uint8Array(code.length + 64);
  b.set(code);
  return b;
}

describe('plain-state fast path', () => {
  it.skipIf(!existsSync(LIBC))('agrees with the general decoder at every byte offset of libc\'s code', () => {
    const elf = parseElf32(new Uint8Array(readFileSync(LIBC)));
    let offsets = 0;
    let differ = 0;
    const examples: string[] = [];
    for (const s of elf.sections.filter((x) => (x.flags & 4) !== 0 && x.type !== 8)) {
      const code = padded(sectionData(elf, s));
      for (let off = 0; off < code.length - 64; off++) {
        const a = fingerprint(decode(code, off, s.addr + off));
        const b = fingerprint(decodeGeneral(code, off, s.addr + off, MODE32));
        offsets++;
        if (a !== b) {
          differ++;
          if (examples.length < 5) examples.push(`${a}\n${b}`);
        }
      }
    }
    expect(examples).toEqual([]);
    expect(differ).toBe(0);
    expect(offsets).toBeGreaterThan(1_000_000);
  });

  it('agrees with the general decoder on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 0xffffffff }), (head, address) => {
        const code = padded(head);
        expect(fingerprint(decode(code, 0, address))).toBe(fingerprint(decodeGeneral(code, 0, address, MODE32)));
      }),
      { numRuns: 20000, seed: 0xfa57 },
    );
  });

  it('shares register-only operand lists with the general decoder, frozen', () => {
    const code = padded(Uint8Array.of(0x89, 0xc8)); // mov eax,ecx
    const fast = decode(code, 0, 0);
    expect(fast.operands).toBe(decode(code, 0, 0).operands);
    expect(Object.isFrozen(fast.operands)).toBe(true);
    expect(decodeGeneral(code, 0, 0, MODE32).operands).toBe(fast.operands);
    const mem = padded(Uint8Array.of(0x8b, 0x45, 0x08)); // mov eax,DWORD PTR [ebp+0x8]: per instruction
    expect(decode(mem, 0, 0).operands).not.toBe(decode(mem, 0, 0).operands);
  });
});
