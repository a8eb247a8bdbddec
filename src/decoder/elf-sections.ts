/**
 * A minimal ELF32 section reader for `btvm disasm`: section headers, the
 * executable sections' bytes and the symbols of .symtab/.dynsym, just enough
 * to print objdump-like listings. The loader's full ELF parser
 * (src/loader/elf32.ts) is a separate concern; this one never maps
 * anything and only validates what it reads.
 */

export class ElfFormatError extends Error {
  constructor(
    readonly file: string,
    readonly fileOffset: number,
    detail: string,
  ) {
    super(`${file}: ${detail} (file offset 0x${fileOffset.toString(16)})`);
    this.name = 'ElfFormatError';
  }
}

export interface ElfSection {
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly entsize: number;
}

export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* type (low 4 bits of st_info). */
  readonly type: number;
  readonly shndx: number;
}

const SHT_SYMTAB = 2;
const SHT_NOBITS = 8;
const SHT_DYNSYM = 11;
export const SHF_EXECINSTR = 4;

export interface ElfImage {
  readonly sections: readonly ElfSection[];
  readonly symbols: readonly ElfSymbol[];
  readonly bytes: Uint8Array;
}

function cstr(b: Uint8Array, off: number, limit: number): string {
  let e = off;
  while (e < limit && b[e] !== 0) e++;
  return Buffer.from(b.subarray(off, e)).toString('latin1');
}

/** Parse section headers and symbols of an ELF32 little-endian i386 file. */
export function readElfSections(file: string, bytes: Uint8Array): ElfImage {
  const fail = (off: number, msg: string): never => {
    throw new ElfFormatError(file, off, msg);
  };
  if (bytes.length < 52) fail(0, 'truncated ELF header');
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail(0, 'not an ELF file');
  if (bytes[4] !== 1) fail(4, 'not a 32-bit ELF file (EI_CLASS is not ELFCLASS32)');
  if (bytes[5] !== 1) fail(5, 'not a little-endian ELF file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const machine = dv.getUint16(18, true);
  if (machine !== 3) fail(18, `not an i386 ELF file (e_machine ${machine})`);
  const shoff = dv.getUint32(32, true);
  const shentsize = dv.getUint16(46, true);
  const shnum = dv.getUint16(48, true);
  const shstrndx = dv.getUint16(50, true);
  if (shnum === 0) return { sections: [], symbols: [], bytes };
  if (shentsize < 40) fail(46, `bad section header size ${shentsize}`);
  if (shoff + shnum * shentsize > bytes.length) fail(shoff, 'section headers past the end of the file');
  const raw: (ElfSection & { nameOff: number })[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = shoff + i * shentsize;
    const s = {
      name: '', nameOff: dv.getUint32(o, true), type: dv.getUint32(o + 4, true), flags: dv.getUint32(o + 8, true),
      addr: dv.getUint32(o + 12, true), offset: dv.getUint32(o + 16, true), size: dv.getUint32(o + 20, true),
      link: dv.getUint32(o + 24, true), entsize: dv.getUint32(o + 36, true),
    };
    if (s.type !== SHT_NOBITS && s.type !== 0 && s.offset + s.size > bytes.length) {
      fail(o + 16, `section ${i} data (offset 0x${s.offset.toString(16)}, size 0x${s.size.toString(16)}) past the end of the file`);
    }
    raw.push(s);
  }
  if (shstrndx >= shnum) fail(50, `bad section-name string table index ${shstrndx}`);
  const strtab = raw[shstrndx]!;
  const sections: ElfSection[] = raw.map(({ nameOff, ...s }) => ({ ...s, name: cstr(bytes, strtab.offset + nameOff, strtab.offset + strtab.size) }));
  const symbols: ElfSymbol[] = [];
  for (const s of sections) {
    if (s.type !== SHT_SYMTAB && s.type !== SHT_DYNSYM) continue;
    if (s.link >= sections.length) fail(s.offset, `symbol table ${s.name} links to bad section ${s.link}`);
    const str = sections[s.link]!;
    const n = Math.floor(s.size / 16);
    for (let i = 1; i < n; i++) {
      const o = s.offset + i * 16;
      const nameOff = dv.getUint32(o, true);
      symbols.push({
        name: cstr(bytes, str.offset + nameOff, str.offset + str.size), value: dv.getUint32(o + 4, true),
        size: dv.getUint32(o + 8, true), type: bytes[o + 12]! & 15, shndx: dv.getUint16(o + 14, true),
      });
    }
  }
  return { sections, symbols, bytes };
}
