/**
 * The records parseElf32 (elf32.ts) returns and the error it raises, in a
 * module of their own so the string-table and symbol-table readers
 * (elf32-strings.ts, elf32-symbols.ts) can share them without importing the
 * parser.
 */
/** The input is not a well-formed ELF32 i386 file. */
export class ElfFormatError extends Error {
  override readonly name = 'ElfFormatError';
  constructor(
    /** File offset of the offending field or data. */
    readonly offset: number,
    /** What is wrong, without the offset. */
    readonly problem: string,
  ) {
    super(`malformed ELF file at offset 0x${offset.toString(16)}: ${problem}`);
  }
}

export interface Elf32Header {
  osAbi: number;
  abiVersion: number;
  /** e_type: 1 REL, 2 EXEC, 3 DYN, 4 CORE. */
  type: number;
  machine: number;
  version: number;
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  ehsize: number;
  phentsize: number;
  /** Number of program headers (extended numbering resolved). */
  phnum: number;
  shentsize: number;
  /** Number of section headers (extended numbering resolved). */
  shnum: number;
  /** Index of the section name string table (extended numbering resolved). */
  shstrndx: number;
}

export interface Elf32ProgramHeader {
  index: number;
  type: number;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  /** PF_X = 1, PF_W = 2, PF_R = 4. */
  flags: number;
  align: number;
}

export interface Elf32Section {
  index: number;
  name: string;
  nameOffset: number;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface Elf32Symbol {
  index: number;
  name: string;
  value: number;
  size: number;
  /** STT_*: low nibble of st_info. */
  type: number;
  /** STB_*: high nibble of st_info. */
  bind: number;
  /** st_other; visibility is its low two bits. */
  other: number;
  /** Section index or SHN_* special value. */
  shndx: number;
}

export interface Elf32File {
  bytes: Uint8Array;
  header: Elf32Header;
  programHeaders: Elf32ProgramHeader[];
  sections: Elf32Section[];
  /**
   * Symbols of each SHT_SYMTAB / SHT_DYNSYM section, keyed by section index.
   * Parsed on first access (a run needs only the program headers); sections
   * describing the same bytes share one array, so iterate
   * `new Set(symbolTables.values())` to see each symbol once.
   */
  readonly symbolTables: ReadonlyMap<number, readonly Elf32Symbol[]>;
}

