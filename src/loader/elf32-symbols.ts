/**
 * Symbol tables of an ELF32 file (SHT_SYMTAB, SHT_DYNSYM), read on demand
 * and each distinct table once.
 *
 * Section headers are cheap to repeat: 65,000 of them (extended numbering)
 * may all describe one 4,096-entry table, which read per section would be
 * 266 million symbols from a 2.6 MB file. So tables are keyed by byte range:
 * sections describing the same bytes share one parsed array (and must link
 * to the same string table bytes), and two tables that partly overlap are
 * refused with an error naming both. A table's symbol count is its size over
 * 16 and its bytes lie in the file, so the symbols together never outnumber
 * the file's bytes / 16; names come from elf32-strings.ts in constant time
 * and memory each.
 */
import { SHT } from './elf32-names.js';
import type { StringTable, StringTables } from './elf32-strings.js';
import { ElfFormatError, type Elf32Header, type Elf32Section, type Elf32Symbol } from './elf32-types.js';

const SYM_SIZE = 16;

function isSymbolTable(s: Elf32Section): boolean {
  return s.type === SHT.SYMTAB || s.type === SHT.DYNSYM;
}

/** Every symbol table of the file, keyed by section index; sections with the same bytes share an array. */
export function parseSymbolTables(
  bytes: Uint8Array,
  header: Elf32Header,
  sections: readonly Elf32Section[],
  strings: StringTables,
): Map<number, readonly Elf32Symbol[]> {
  const headerAt = (s: Elf32Section) => header.shoff + s.index * header.shentsize;
  const tables = sections.filter(isSymbolTable);
  const first = new Map<string, Elf32Section>();
  for (const t of tables) {
    if (t.entsize !== SYM_SIZE) {
      throw new ElfFormatError(headerAt(t) + 36, `symbol table ${t.index} has sh_entsize ${t.entsize}, not ${SYM_SIZE}`);
    }
    if (t.size % SYM_SIZE !== 0) {
      throw new ElfFormatError(headerAt(t) + 20, `symbol table ${t.index} size ${t.size} is not a multiple of ${SYM_SIZE}`);
    }
    if (t.link >= sections.length) {
      throw new ElfFormatError(headerAt(t) + 24, `symbol table ${t.index} links to section ${t.link}, which is not a string table`);
    }
    const key = `${t.offset}:${t.size}`;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, t);
    else if (!sameBytes(sections[seen.link]!, sections[t.link]!)) {
      throw new ElfFormatError(headerAt(t) + 24, `sections ${seen.index} and ${t.index} describe the same symbol table with different string tables`);
    }
  }
  const distinct = [...first.values()];
  const ordered = distinct.filter((t) => t.size > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < ordered.length; i++) {
    const a = ordered[i - 1]!;
    const b = ordered[i]!;
    if (b.offset < a.offset + a.size) {
      throw new ElfFormatError(headerAt(b) + 16, `symbol tables in sections ${a.index} and ${b.index} overlap without being the same bytes`);
    }
  }
  strings.prepare(distinct.map((t) => ({ section: sections[t.link]!, fieldOffset: headerAt(t) + 24, what: `symbol table ${t.index}` })));
  const parsed = new Map<string, readonly Elf32Symbol[]>();
  for (const [key, t] of first) parsed.set(key, parseSymbols(bytes, t, strings.get(sections[t.link]!)));
  const result = new Map<number, readonly Elf32Symbol[]>();
  for (const t of tables) result.set(t.index, parsed.get(`${t.offset}:${t.size}`)!);
  return result;
}

function sameBytes(a: Elf32Section, b: Elf32Section): boolean {
  return a.offset === b.offset && a.size === b.size;
}

function parseSymbols(bytes: Uint8Array, table: Elf32Section, names: StringTable): Elf32Symbol[] {
  // parseSections checked that the table's bytes lie inside the file.
  const view = new DataView(bytes.buffer, bytes.byteOffset + table.offset, table.size);
  const count = table.size / SYM_SIZE;
  const symbols: Elf32Symbol[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * SYM_SIZE;
    const info = view.getUint8(at + 12);
    symbols[i] = {
      index: i,
      name: names.name(view.getUint32(at, true), table.offset + at),
      value: view.getUint32(at + 4, true),
      size: view.getUint32(at + 8, true),
      type: info & 0xf,
      bind: info >>> 4,
      other: view.getUint8(at + 13),
      shndx: view.getUint16(at + 14, true),
    };
  }
  return symbols;
}
