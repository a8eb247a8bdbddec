/**
 * Names of ELF32 constants, spelled the way `readelf -W` prints them.
 *
 * The parser (elf32.ts) keeps numeric fields; the disassembler, the CLI's
 * `info` output and the tests turn them into names with these tables. Values
 * come from the System V gABI, the i386 psABI and the GNU extensions.
 */

export const PT = {
  NULL: 0,
  LOAD: 1,
  DYNAMIC: 2,
  INTERP: 3,
  NOTE: 4,
  SHLIB: 5,
  PHDR: 6,
  TLS: 7,
} as const;

export const SHT = {
  NULL: 0,
  PROGBITS: 1,
  SYMTAB: 2,
  STRTAB: 3,
  RELA: 4,
  HASH: 5,
  DYNAMIC: 6,
  NOTE: 7,
  NOBITS: 8,
  REL: 9,
  DYNSYM: 11,
  SYMTAB_SHNDX: 18,
} as const;

export const SHN = {
  UNDEF: 0,
  LORESERVE: 0xff00,
  ABS: 0xfff1,
  COMMON: 0xfff2,
  XINDEX: 0xffff,
} as const;

const programTypeNames = new Map<number, string>([
  [0, 'NULL'],
  [1, 'LOAD'],
  [2, 'DYNAMIC'],
  [3, 'INTERP'],
  [4, 'NOTE'],
  [5, 'SHLIB'],
  [6, 'PHDR'],
  [7, 'TLS'],
  [0x6474e550, 'GNU_EH_FRAME'],
  [0x6474e551, 'GNU_STACK'],
  [0x6474e552, 'GNU_RELRO'],
  [0x6474e553, 'GNU_PROPERTY'],
  [0x6474e554, 'GNU_SFRAME'],
]);

const sectionTypeNames = new Map<number, string>([
  [0, 'NULL'],
  [1, 'PROGBITS'],
  [2, 'SYMTAB'],
  [3, 'STRTAB'],
  [4, 'RELA'],
  [5, 'HASH'],
  [6, 'DYNAMIC'],
  [7, 'NOTE'],
  [8, 'NOBITS'],
  [9, 'REL'],
  [10, 'SHLIB'],
  [11, 'DYNSYM'],
  [14, 'INIT_ARRAY'],
  [15, 'FINI_ARRAY'],
  [16, 'PREINIT_ARRAY'],
  [17, 'GROUP'],
  [18, 'SYMTAB SECTION INDICES'],
  [19, 'RELR'],
  [0x6ffffff5, 'GNU_ATTRIBUTES'],
  [0x6ffffff6, 'GNU_HASH'],
  [0x6ffffff7, 'GNU_LIBLIST'],
  [0x6ffffffd, 'VERDEF'],
  [0x6ffffffe, 'VERNEED'],
  [0x6fffffff, 'VERSYM'],
]);

const symbolTypeNames = ['NOTYPE', 'OBJECT', 'FUNC', 'SECTION', 'FILE', 'COMMON', 'TLS'];
const symbolBindNames = ['LOCAL', 'GLOBAL', 'WEAK'];
const visibilityNames = ['DEFAULT', 'INTERNAL', 'HIDDEN', 'PROTECTED'];

export function programTypeName(type: number): string {
  return programTypeNames.get(type) ?? `0x${type.toString(16)}`;
}

export function sectionTypeName(type: number): string {
  return sectionTypeNames.get(type) ?? `0x${type.toString(16)}`;
}

export function symbolTypeName(type: number): string {
  if (type === 10) return 'IFUNC';
  return symbolTypeNames[type] ?? `<OS specific>: ${type}`;
}

export function symbolBindName(bind: number): string {
  if (bind === 10) return 'UNIQUE';
  return symbolBindNames[bind] ?? `<unknown>: ${bind}`;
}

export function visibilityName(other: number): string {
  return visibilityNames[other & 3]!;
}

/** Section index as readelf's Ndx column shows it. */
export function sectionIndexName(shndx: number): string {
  if (shndx === SHN.UNDEF) return 'UND';
  if (shndx === SHN.ABS) return 'ABS';
  if (shndx === SHN.COMMON) return 'COM';
  return String(shndx);
}
