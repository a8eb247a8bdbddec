/**
 * The ELF parser on files built to make it slow or large (issue 18): any
 * file of S bytes parses in O(S) time and memory. Tables described many
 * times are read once, tables that partly overlap are refused naming both
 * sections, names are found without scanning past their table, and the
 * name index answers exactly as a plain NUL scan and UTF-8 decode would.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ElfFormatError, parseElf32 } from '../../src/loader/elf32.js';
import { StringTable } from '../../src/loader/elf32-strings.js';
import { indexSymbols } from '../../src/loader/elf32-symbol-index.js';
import { buildElf, codeSection, longSharedNames, manyHeadersOneSymtab, symbols, type SectionSpec } from '../support/hostile-elf.js';

function parseError(bytes: Uint8Array): ElfFormatError {
  try {
    void parseElf32(bytes).symbolTables;
  } catch (e) {
    if (e instanceof ElfFormatError) return e;
    throw e;
  }
  throw new Error('parsed without error');
}

const NAMES = new TextEncoder().encode('\0.strtab\0.text\0.symtab\0f\0');

/** A file with the name table, the code and `extra` sections; a 64-symbol table lies at 0x3000. */
function withSections(extra: SectionSpec[]): Uint8Array {
  const sections = [{ name: 1, type: 3, offset: 0x2000, size: NAMES.length }, codeSection(9), ...extra];
  return buildElf({
    size: 0x4000, shoff: 0x4000, count: sections.length, sections,
    chunks: [{ at: 0x2000, bytes: NAMES }, { at: 0x3000, bytes: symbols(64, () => 23) }],
  });
}
const symtab = (offset: number, size: number, link = 1): SectionSpec => ({ name: 15, type: 2, offset, size, link, entsize: 16 });

describe('ELF parsing bounded by the file', () => {
  it('reads a symbol table described by 65,000 section headers once', () => {
    const t0 = performance.now();
    const elf = parseElf32(manyHeadersOneSymtab());
    expect(elf.sections.length).toBe(65_001);
    const tables = elf.symbolTables;
    expect(tables.size).toBe(64_998);
    expect(new Set(tables.values()).size).toBe(1);
    expect(tables.get(3)!.length).toBe(4096);
    expect(tables.get(3)![5]!.name).toBe('f');
    expect(indexSymbols(elf).bySection.get(2)!.labelAt(0x100000)).toBe('f');
    // Read per section it would be 266 million symbols: minutes and gigabytes. Generous for a loaded CI machine.
    expect(performance.now() - t0).toBeLessThan(30_000);
  });

  it('leaves symbol tables unread by parseElf32, so a run never fails or waits on them', () => {
    const bytes = withSections([{ ...symtab(0x3000, 0x200), entsize: 0 }]);
    const elf = parseElf32(bytes);
    expect(elf.programHeaders.length).toBe(1);
    expect(() => elf.symbolTables).toThrow(/symbol table 3 has sh_entsize 0/);
  });

  it('names 20,000 symbols from one 4 MiB string without copying it per symbol', () => {
    for (const stagger of [false, true]) {
      const elf = parseElf32(longSharedNames(stagger));
      const syms = [...elf.symbolTables.values()][0]!;
      expect(syms.length).toBe(20_000);
      expect(syms[0]!.name.length).toBe(4 << 20);
      expect(syms[19_999]!.name.length).toBe((4 << 20) - (stagger ? 2 * 19_999 : 0));
      expect(/^A+$/.test(syms[19_999]!.name)).toBe(true);
    }
  });

  it('refuses non-ASCII names that overlap beyond twice their table, naming the table', () => {
    expect(parseError(longSharedNames(true, true)).problem).toMatch(/non-ASCII names in string table 1 overlap/);
  });

  it('refuses symbol tables that partly overlap, or share bytes with different string tables, naming the sections', () => {
    expect(parseError(withSections([symtab(0x3000, 0x200), symtab(0x3100, 0x200)])).problem)
      .toBe('symbol tables in sections 3 and 4 overlap without being the same bytes');
    const second = { name: 1, type: 3, offset: 0x2000, size: 8 };
    expect(parseError(withSections([symtab(0x3000, 0x200), second, symtab(0x3000, 0x200, 4)])).problem)
      .toBe('sections 3 and 5 describe the same symbol table with different string tables');
  });

  it('refuses string tables in use that partly overlap, naming the sections', () => {
    const inner = { name: 1, type: 3, offset: 0x2001, size: 8 };
    expect(parseError(withSections([inner, symtab(0x3000, 0x200, 3)])).problem)
      .toBe('string tables in sections 1 and 3 overlap without being the same bytes');
  });

  it('finds each name exactly as a NUL scan and a UTF-8 decode of its own table would', () => {
    // Few NULs, so names run across the index's 64-byte blocks; UTF-8 pairs, lone high bytes and ASCII.
    const byte = fc.oneof(
      { arbitrary: fc.constant(0), weight: 1 },
      { arbitrary: fc.integer({ min: 0x20, max: 0x7e }), weight: 12 },
      { arbitrary: fc.constantFrom(0xc3, 0xa9, 0x80, 0xff), weight: 4 },
    );
    const tables = fc.array(byte, { minLength: 1, maxLength: 600, size: 'max' }).map((b) => Uint8Array.from(b));
    fc.assert(fc.property(tables.chain((t) => fc.tuple(fc.constant(t), fc.array(fc.nat(t.length + 3), { maxLength: 40, size: 'max' }))), ([table, offsets]) => {
        const file = new Uint8Array(table.length + 100);
        file.set(table, 50);
        const section = { index: 7, name: '', nameOffset: 0, type: 3, flags: 0, addr: 0, offset: 50, size: table.length, link: 0, info: 0, addralign: 1, entsize: 0 };
        const t = new StringTable(file, section);
        for (const at of offsets) {
          const end = table.indexOf(0, at);
          let want: string | Error;
          if (at >= table.length) want = new Error('past the end');
          else if (end < 0) want = new Error('not NUL-terminated');
          else want = new TextDecoder().decode(table.subarray(at, end));
          let got: string | Error;
          try { got = t.name(at, 0); } catch (e) { got = e as Error; }
          if (want instanceof Error) expect(String(got)).toContain(want.message);
          else expect(got).toBe(want);
        }
      }), { numRuns: 300 });
  });
});
