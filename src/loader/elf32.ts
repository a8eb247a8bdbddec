/**
 * ELF32 little-endian i386 file parser.
 *
 * Used by the Multiboot loader (program headers, entry point) and by the
 * disassembler and CLI (sections, symbols). parseElf32 validates up front
 * the header, program header table, section header table and section names,
 * so that callers can index `bytes` with the offsets it returns without
 * further checks; symbol tables are read and validated on the first access
 * to `symbolTables` (elf32-symbols.ts), so `btvm run` never pays for them.
 * Any malformed input raises ElfFormatError with the file offset of the
 * field or data that is wrong; no read ever goes past the end of the buffer,
 * so a RangeError or TypeError cannot escape.
 *
 * Hostile files cannot make parsing expensive: every loop is bounded by a
 * table that must lie in the file, each distinct string or symbol table is
 * read once (elf32-strings.ts, elf32-symbols.ts), so a file of S bytes is
 * parsed in O(S) time and memory.
 *
 * Extended numbering (e_shnum = 0, e_shstrndx = SHN_XINDEX, e_phnum =
 * PN_XNUM with the real values in section header 0) is honoured.
 */
import { PT, SHN, SHT } from './elf32-names.js';
import { StringTables } from './elf32-strings.js';
import { parseSymbolTables } from './elf32-symbols.js';
import {
  ElfFormatError,
  type Elf32File,
  type Elf32Header,
  type Elf32ProgramHeader,
  type Elf32Section,
  type Elf32Symbol,
} from './elf32-types.js';

export { ElfFormatError };
export type { Elf32File, Elf32Header, Elf32ProgramHeader, Elf32Section, Elf32Symbol };

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const EM_386 = 3;
const PN_XNUM = 0xffff;

/** Bounds-checked little-endian reads that fail with ElfFormatError. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private need(offset: number, size: number, what: string): void {
    if (offset + size > this.bytes.length) throw new ElfFormatError(offset, `${what} runs past the end of the file`);
  }
  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, true);
  }
  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, true);
  }
}

function overlaps(a: number, aLen: number, b: number, bLen: number): boolean {
  return aLen > 0 && bLen > 0 && a < b + bLen && b < a + aLen;
}

function parseHeader(r: Reader): Elf32Header {
  const b = r.bytes;
  if (b.length < 16) throw new ElfFormatError(b.length, 'file is shorter than the ELF identification');
  if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) {
    throw new ElfFormatError(0, 'bad magic (expected 7f 45 4c 46)');
  }
  if (b[4] !== 1) throw new ElfFormatError(4, `EI_CLASS is ${b[4]}, not ELFCLASS32 (1)`);
  if (b[5] !== 1) throw new ElfFormatError(5, `EI_DATA is ${b[5]}, not little-endian (1)`);
  if (b[6] !== 1) throw new ElfFormatError(6, `EI_VERSION is ${b[6]}, not 1`);
  if (b.length < EHDR_SIZE) throw new ElfFormatError(b.length, 'file is shorter than the ELF32 header');
  const machine = r.u16(18, 'e_machine');
  if (machine !== EM_386) throw new ElfFormatError(18, `e_machine is ${machine}, not EM_386 (3)`);
  const version = r.u32(20, 'e_version');
  if (version !== 1) throw new ElfFormatError(20, `e_version is ${version}, not 1`);
  const ehsize = r.u16(40, 'e_ehsize');
  if (ehsize < EHDR_SIZE) throw new ElfFormatError(40, `e_ehsize ${ehsize} is smaller than ${EHDR_SIZE}`);
  return {
    osAbi: b[7]!,
    abiVersion: b[8]!,
    type: r.u16(16, 'e_type'),
    machine,
    version,
    entry: r.u32(24, 'e_entry'),
    phoff: r.u32(28, 'e_phoff'),
    shoff: r.u32(32, 'e_shoff'),
    flags: r.u32(36, 'e_flags'),
    ehsize,
    phentsize: r.u16(42, 'e_phentsize'),
    phnum: r.u16(44, 'e_phnum'),
    shentsize: r.u16(46, 'e_shentsize'),
    shnum: r.u16(48, 'e_shnum'),
    shstrndx: r.u16(50, 'e_shstrndx'),
  };
}

function readSectionHeader(r: Reader, h: Elf32Header, index: number): Elf32Section {
  const at = h.shoff + index * h.shentsize;
  const what = `section header ${index}`;
  return {
    index,
    name: '',
    nameOffset: r.u32(at, what),
    type: r.u32(at + 4, what),
    flags: r.u32(at + 8, what),
    addr: r.u32(at + 12, what),
    offset: r.u32(at + 16, what),
    size: r.u32(at + 20, what),
    link: r.u32(at + 24, what),
    info: r.u32(at + 28, what),
    addralign: r.u32(at + 32, what),
    entsize: r.u32(at + 36, what),
  };
}

function parseSections(r: Reader, h: Elf32Header, strings: StringTables): Elf32Section[] {
  const length = r.bytes.length;
  if (h.shoff === 0) {
    if (h.shnum !== 0) throw new ElfFormatError(48, `e_shnum is ${h.shnum} but e_shoff is 0`);
    if (h.phnum === PN_XNUM) throw new ElfFormatError(44, 'e_phnum is PN_XNUM but there is no section header 0');
    h.shstrndx = 0;
    return [];
  }
  if (h.shentsize < SHDR_SIZE) throw new ElfFormatError(46, `e_shentsize ${h.shentsize} is smaller than ${SHDR_SIZE}`);
  if (h.shoff < h.ehsize) throw new ElfFormatError(32, 'section header table overlaps the ELF header');
  if (h.shnum !== 0 && h.shoff + h.shnum * h.shentsize > length) {
    throw new ElfFormatError(32, 'section header table runs past the end of the file');
  }
  // Extended numbering keeps the real counts in section header 0.
  const first = readSectionHeader(r, h, 0);
  if (h.shnum === 0) h.shnum = first.size;
  if (h.shstrndx === SHN.XINDEX) h.shstrndx = first.link;
  if (h.phnum === PN_XNUM) h.phnum = first.info;
  if (h.shnum === 0) throw new ElfFormatError(48, 'section header table has no entries');
  const tableSize = h.shnum * h.shentsize;
  if (h.shoff + tableSize > length) throw new ElfFormatError(32, 'section header table runs past the end of the file');
  const sections: Elf32Section[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const s = readSectionHeader(r, h, i);
    const fieldAt = h.shoff + i * h.shentsize;
    if (s.type !== SHT.NOBITS && s.size > 0) {
      if (s.offset + s.size > length) {
        throw new ElfFormatError(fieldAt + 16, `section ${i} data (0x${s.offset.toString(16)}+0x${s.size.toString(16)}) runs past the end of the file`);
      }
      if (overlaps(s.offset, s.size, 0, h.ehsize)) throw new ElfFormatError(fieldAt + 16, `section ${i} data overlaps the ELF header`);
      if (overlaps(s.offset, s.size, h.shoff, tableSize)) {
        throw new ElfFormatError(fieldAt + 16, `section ${i} data overlaps the section header table`);
      }
    }
    sections.push(s);
  }
  if (h.shstrndx !== SHN.UNDEF) {
    if (h.shstrndx >= h.shnum) throw new ElfFormatError(50, `e_shstrndx ${h.shstrndx} is not below the section count ${h.shnum}`);
    const names = sections[h.shstrndx]!;
    if (names.type !== SHT.STRTAB) throw new ElfFormatError(50, `e_shstrndx ${h.shstrndx} is not a string table`);
    strings.prepare([{ section: names, fieldOffset: 50, what: 'e_shstrndx' }]);
    const table = strings.get(names);
    for (const s of sections) s.name = table.name(s.nameOffset, h.shoff + s.index * h.shentsize);
  }
  return sections;
}

function parseProgramHeaders(r: Reader, h: Elf32Header): Elf32ProgramHeader[] {
  if (h.phnum === 0) return [];
  if (h.phentsize < PHDR_SIZE) throw new ElfFormatError(42, `e_phentsize ${h.phentsize} is smaller than ${PHDR_SIZE}`);
  if (h.phoff < h.ehsize) throw new ElfFormatError(28, 'program header table overlaps the ELF header');
  const tableSize = h.phnum * h.phentsize;
  if (h.phoff + tableSize > r.bytes.length) throw new ElfFormatError(28, 'program header table runs past the end of the file');
  if (h.shoff !== 0 && overlaps(h.phoff, tableSize, h.shoff, h.shnum * h.shentsize)) {
    throw new ElfFormatError(28, 'program header table overlaps the section header table');
  }
  const headers: Elf32ProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * h.phentsize;
    const what = `program header ${i}`;
    const ph: Elf32ProgramHeader = {
      index: i,
      type: r.u32(at, what),
      offset: r.u32(at + 4, what),
      vaddr: r.u32(at + 8, what),
      paddr: r.u32(at + 12, what),
      filesz: r.u32(at + 16, what),
      memsz: r.u32(at + 20, what),
      flags: r.u32(at + 24, what),
      align: r.u32(at + 28, what),
    };
    if (ph.offset + ph.filesz > r.bytes.length) {
      throw new ElfFormatError(at + 4, `segment ${i} (0x${ph.offset.toString(16)}+0x${ph.filesz.toString(16)}) runs past the end of the file`);
    }
    if (ph.type === PT.LOAD && ph.filesz > ph.memsz) {
      throw new ElfFormatError(at + 16, `loadable segment ${i} has p_filesz 0x${ph.filesz.toString(16)} > p_memsz 0x${ph.memsz.toString(16)}`);
    }
    headers.push(ph);
  }
  return headers;
}

/** Parses and validates an ELF32 little-endian i386 file. */
export function parseElf32(bytes: Uint8Array): Elf32File {
  const r = new Reader(bytes);
  const header = parseHeader(r);
  const strings = new StringTables(bytes);
  const sections = parseSections(r, header, strings);
  const programHeaders = parseProgramHeaders(r, header);
  let symbolTables: ReadonlyMap<number, readonly Elf32Symbol[]> | null = null;
  return {
    bytes,
    header,
    programHeaders,
    sections,
    get symbolTables() {
      symbolTables ??= parseSymbolTables(bytes, header, sections, strings);
      return symbolTables;
    },
  };
}

/** The file bytes of a section (empty for SHT_NOBITS). */
export function sectionData(elf: Elf32File, section: Elf32Section): Uint8Array {
  if (section.type === SHT.NOBITS) return new Uint8Array(0);
  return elf.bytes.subarray(section.offset, section.offset + section.size);
}

/** The file bytes of a segment (p_filesz of them). */
export function segmentData(elf: Elf32File, ph: Elf32ProgramHeader): Uint8Array {
  return elf.bytes.subarray(ph.offset, ph.offset + ph.filesz);
}

export function findSection(elf: Elf32File, name: string): Elf32Section | undefined {
  return elf.sections.find((s) => s.name === name);
}

/** Symbols of .symtab if present, else .dynsym; empty if neither. */
export function primarySymbols(elf: Elf32File): readonly Elf32Symbol[] {
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  const table = symtab ?? elf.sections.find((s) => s.type === SHT.DYNSYM);
  return table ? elf.symbolTables.get(table.index)! : [];
}
