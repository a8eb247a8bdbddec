/**
 * Small ELF32 i386 files built byte by byte, for tests that need files no
 * toolchain writes: the two amplified files of issue 18 (a section header
 * table describing one symbol table 65,000 times; 20,000 symbols named by
 * one 4 MiB string) and files whose names hold terminal escapes.
 *
 * Every file is also a Multiboot kernel whose one PT_LOAD segment holds a
 * Multiboot header and `mov al, 0x10; out 0xf4, al`, so `btvm run` exits
 * with status (0x10 << 1) | 1 = 33 when it gets that far.
 */

export const KERNEL_BASE = 0x100000;
/** Entry point: the code after the 12-byte Multiboot header. */
export const KERNEL_ENTRY = KERNEL_BASE + 12;
export const KERNEL_EXIT_STATUS = 33;
const CODE_OFFSET = 0x1000;
/** Multiboot header, then mov al, 0x10; out 0xf4, al; hlt. */
const KERNEL = [
  ...le32(0x1badb002), ...le32(0), ...le32((-0x1badb002) >>> 0),
  0xb0, 0x10, 0xe6, 0xf4, 0xf4,
];

/** Where instructions start when KERNEL is disassembled from its first byte (the header decodes as add, add, dec, in, adc). */
const INSN_STARTS = [0, 6, 8, 0xb, 0xd, 0xf, 0x10];

export interface SectionSpec {
  /** Offset of the name in the section name table (section 1). */
  name: number;
  type: number;
  flags?: number;
  addr?: number;
  offset: number;
  size: number;
  link?: number;
  entsize?: number;
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/**
 * A file of `size` bytes with the kernel at 0x1000, `chunks` copied in, and
 * a section header table at `shoff` holding a null section 0 then `sections`
 * (`count` entries: the list is repeated cyclically when shorter). Section 1
 * should be the section name table; extended numbering is used when the
 * count does not fit in e_shnum.
 */
export function buildElf(o: { size: number; shoff: number; count: number; sections: SectionSpec[]; chunks: { at: number; bytes: Uint8Array }[] }): Uint8Array {
  const b = new Uint8Array(Math.max(o.size, o.shoff + (o.count + 1) * 40));
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  const extended = o.count + 1 >= 0xff00;
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, KERNEL_ENTRY, true);
  v.setUint32(28, 52, true); // e_phoff
  v.setUint32(32, o.shoff, true);
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint16(46, 40, true);
  v.setUint16(48, extended ? 0 : o.count + 1, true);
  v.setUint16(50, extended ? 0xffff : 1, true);
  // The one PT_LOAD segment.
  [1, CODE_OFFSET, KERNEL_BASE, KERNEL_BASE, KERNEL.length, KERNEL.length, 5, 0x1000].forEach((x, i) => v.setUint32(52 + 4 * i, x, true));
  b.set(KERNEL, CODE_OFFSET);
  for (const c of o.chunks) b.set(c.bytes, c.at);
  if (extended) {
    v.setUint32(o.shoff + 20, o.count + 1, true);
    v.setUint32(o.shoff + 24, 1, true);
  }
  for (let i = 0; i < o.count; i++) {
    const s = o.sections[i % o.sections.length]!;
    const at = o.shoff + (i + 1) * 40;
    [s.name, s.type, s.flags ?? 0, s.addr ?? 0, s.offset, s.size, s.link ?? 0, 0, 1, s.entsize ?? 0]
      .forEach((x, k) => v.setUint32(at + 4 * k, x, true));
  }
  return b;
}

/** The code as an executable section (index 2), named by offset `name`. */
export function codeSection(name: number): SectionSpec {
  return { name, type: 1, flags: 6, addr: KERNEL_BASE, offset: CODE_OFFSET, size: KERNEL.length };
}

/** `count` symbols of 16 bytes: FUNC, in section 2, at KERNEL_BASE, named by `nameOf(i)`. */
export function symbols(count: number, nameOf: (i: number) => number): Uint8Array {
  const b = new Uint8Array(count * 16);
  const v = new DataView(b.buffer);
  for (let i = 0; i < count; i++) {
    v.setUint32(i * 16, nameOf(i), true);
    v.setUint32(i * 16 + 4, KERNEL_BASE, true);
    b[i * 16 + 12] = 0x12; // GLOBAL FUNC
    v.setUint16(i * 16 + 14, 2, true);
  }
  return b;
}

/** Issue 18's first file: 65,000 section headers (extended numbering), all but two describing one 4,096-entry symbol table. */
export function manyHeadersOneSymtab(): Uint8Array {
  const names = new TextEncoder().encode('\0.strtab\0.text\0.symtab\0f\0');
  const symtab = { name: 15, type: 2, offset: 0x3000, size: 4096 * 16, link: 1, entsize: 16 };
  const sections = [{ name: 1, type: 3, offset: 0x2000, size: names.length }, codeSection(9)];
  for (let i = 0; i < 64_998; i++) sections.push(symtab);
  return buildElf({
    size: 0x13000, shoff: 0x13000, count: sections.length, sections,
    chunks: [{ at: 0x2000, bytes: names }, { at: 0x3000, bytes: symbols(4096, () => 23) }],
  });
}

/**
 * Issue 18's second file: 20,000 symbols whose names start in one string
 * of 4 MiB (at its first byte, or staggered: symbol i at byte i); with
 * `high`, the string is non-ASCII (UTF-8 'é'), which must be decoded.
 */
export function longSharedNames(stagger: boolean, high = false): Uint8Array {
  const big = 4 << 20;
  const strtab = new Uint8Array(big + 32);
  const head = new TextEncoder().encode('\0.strtab\0.text\0.symtab\0');
  strtab.set(head);
  const start = head.length;
  if (high) for (let i = start; i < start + big; i += 2) strtab.set([0xc3, 0xa9], i);
  else strtab.fill(0x41, start, start + big);
  const symOffset = 0x2000 + strtab.length;
  const sections: SectionSpec[] = [
    { name: 1, type: 3, offset: 0x2000, size: strtab.length },
    codeSection(9),
    { name: 15, type: 2, offset: symOffset, size: 20_000 * 16, link: 1, entsize: 16 },
  ];
  const shoff = symOffset + 20_000 * 16;
  return buildElf({
    size: shoff, shoff, count: sections.length, sections,
    chunks: [{ at: 0x2000, bytes: strtab }, { at: symOffset, bytes: symbols(20_000, (i) => start + (stagger ? 2 * i : 0)) }],
  });
}

/** An ELF whose section and symbol names are `sectionName` and `symbolNames` (raw UTF-8 bytes, control characters and all). */
export function namedElf(sectionName: string, symbolNames: string[]): Uint8Array {
  const enc = new TextEncoder();
  const parts = ['', '.strtab', sectionName, '.symtab', ...symbolNames];
  const offsets: number[] = [];
  let text = '';
  for (const p of parts) {
    offsets.push(enc.encode(text).length);
    text += p + '\0';
  }
  const names = enc.encode(text);
  const syms = new Uint8Array((symbolNames.length + 1) * 16);
  // Symbol 0 is the null symbol; the others label successive instructions of the kernel as decoded from its start.
  if (symbolNames.length > INSN_STARTS.length) throw new Error(`namedElf labels at most ${INSN_STARTS.length} instructions`);
  const named = symbols(symbolNames.length, (i) => offsets[4 + i]!);
  const nv = new DataView(named.buffer);
  for (let i = 0; i < symbolNames.length; i++) nv.setUint32(i * 16 + 4, KERNEL_BASE + INSN_STARTS[i]!, true);
  syms.set(named, 16);
  const symOffset = 0x2000 + ((names.length + 15) & ~15);
  const sections: SectionSpec[] = [
    { name: offsets[1]!, type: 3, offset: 0x2000, size: names.length },
    codeSection(offsets[2]!),
    { name: offsets[3]!, type: 2, offset: symOffset, size: syms.length, link: 1, entsize: 16 },
  ];
  const shoff = symOffset + syms.length;
  return buildElf({
    size: shoff, shoff, count: sections.length, sections,
    chunks: [{ at: 0x2000, bytes: names }, { at: symOffset, bytes: syms }],
  });
}
