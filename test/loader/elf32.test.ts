/**
 * The ELF32 parser against binutils: every header, segment, section and
 * symbol field readelf reports for real i386 files must match. Then random
 * corruption: whatever the bytes, parsing succeeds or throws ElfFormatError.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ElfFormatError, parseElf32, primarySymbols, sectionData, type Elf32File } from '../../src/loader/elf32.js';
import {
  programTypeName,
  sectionIndexName,
  sectionTypeName,
  symbolBindName,
  symbolTypeName,
  visibilityName,
} from '../../src/loader/elf32-names.js';
import { readelf } from './readelf-oracle.js';
import { toolsFor } from '../support/external-tools.js';

const dir = mkdtempSync(join(tmpdir(), 'btvm-elf-'));
const LIBC = '/usr/lib32/libc.so.6';
const files: Record<string, string> = {};
const haveReadelf = toolsFor('parseElf32 vs readelf', 'readelf');
const haveGcc = haveReadelf && toolsFor('parseElf32 vs readelf on gcc -m32 output', 'gcc', 'strip');

beforeAll(() => {
  if (existsSync(LIBC)) files.libc = LIBC;
  if (!haveGcc) return;
  const src = join(dir, 'prog.c');
  writeFileSync(
    src,
    'static int counter; int table[64]; const char *greet = "hi";\n' +
      'static int helper(int x) { return x * 3 + counter; }\n' +
      'int main(int argc, char **argv) { counter = argc; return helper(argc) + (int)(long)argv[0][0] + table[3]; }\n',
  );
  files.exe = join(dir, 'prog');
  execFileSync('gcc', ['-m32', '-O1', '-g', '-o', files.exe, src]);
  files.obj = join(dir, 'prog.o');
  execFileSync('gcc', ['-m32', '-O1', '-c', '-o', files.obj, src]);
  files.stripped = join(dir, 'prog.stripped');
  execFileSync('strip', ['-o', files.stripped, files.exe]);
});

function flagString(flags: number): string {
  return `${flags & 4 ? 'R' : ' '}${flags & 2 ? 'W' : ' '}${flags & 1 ? 'E' : ' '}`;
}

function compareWithReadelf(path: string): Elf32File {
  const elf = parseElf32(new Uint8Array(readFileSync(path)));
  const ref = readelf(path);
  const h = elf.header;
  expect(`0x${h.entry.toString(16)}`).toBe(ref.header['Entry point address']);
  expect(`${h.phoff} (bytes into file)`).toBe(ref.header['Start of program headers']);
  expect(`${h.shoff} (bytes into file)`).toBe(ref.header['Start of section headers']);
  expect(`0x${h.flags.toString(16)}`).toBe(ref.header['Flags']);
  expect(String(h.phnum)).toBe(ref.header['Number of program headers']);
  expect(String(h.shnum)).toBe(ref.header['Number of section headers']);
  expect(String(h.shstrndx)).toBe(ref.header['Section header string table index']);

  expect(elf.programHeaders.map((p) => ({
    type: programTypeName(p.type), offset: p.offset, vaddr: p.vaddr, paddr: p.paddr,
    filesz: p.filesz, memsz: p.memsz, flags: flagString(p.flags), align: p.align,
  }))).toEqual(ref.segments);

  expect(elf.sections.map((s) => ({
    index: s.index, name: s.name, type: sectionTypeName(s.type), addr: s.addr, offset: s.offset,
    size: s.size, entsize: s.entsize, link: s.link, info: s.info, align: s.addralign,
  }))).toEqual(ref.sections);

  expect(elf.symbolTables.size).toBe(ref.symbolTables.size);
  for (const [index, symbols] of elf.symbolTables) {
    const name = elf.sections[index]!.name;
    const want = ref.symbolTables.get(name);
    expect(want, `readelf lists ${name}`).toBeDefined();
    expect(symbols.map((s) => ({
      index: s.index, value: s.value, size: s.size, type: symbolTypeName(s.type), bind: symbolBindName(s.bind),
      vis: visibilityName(s.other), ndx: sectionIndexName(s.shndx),
      // readelf shows an unnamed section symbol under its section's name.
      name: s.type === 3 && s.name === '' && s.shndx < elf.sections.length ? elf.sections[s.shndx]!.name : s.name,
    }))).toEqual(want);
  }
  return elf;
}

describe.skipIf(!haveReadelf)('parseElf32 against readelf', () => {
  it.skipIf(!haveGcc)('matches a gcc -m32 PIE executable with .symtab and .dynsym', () => {
    const elf = compareWithReadelf(files.exe!);
    expect(primarySymbols(elf).some((s) => s.name === 'helper' || s.name === 'main')).toBe(true);
    const interp = elf.sections.find((s) => s.name === '.interp')!;
    expect(new TextDecoder().decode(sectionData(elf, interp))).toMatch(/^\/lib\/ld-linux\.so\.2\0$/);
  });
  it.skipIf(!haveGcc)('matches a relocatable object', () => {
    compareWithReadelf(files.obj!);
  });
  it.skipIf(!haveGcc)('matches a stripped executable', () => {
    compareWithReadelf(files.stripped!);
  });
  it('matches the repository fixture kernels', (ctx) => {
    const kernels = ['fixtures/kernels', 'fixtures/bench']
      .filter((d) => existsSync(d))
      .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.elf')).map((f) => join(d, f)));
    if (kernels.length === 0) ctx.skip();
    for (const k of kernels) compareWithReadelf(k);
  });
  it('matches /usr/lib32/libc.so.6', (ctx) => {
    if (!files.libc) ctx.skip();
    const elf = compareWithReadelf(files.libc!);
    expect(elf.symbolTables.get(elf.sections.find((s) => s.name === '.dynsym')!.index)!.length).toBeGreaterThan(1000);
  });
});

describe('parseElf32 on malformed input', () => {
  const expectError = (bytes: Uint8Array, offset: number, problem: RegExp) => {
    let error: unknown;
    try {
      parseElf32(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ElfFormatError);
    expect((error as ElfFormatError).offset).toBe(offset);
    expect((error as ElfFormatError).problem).toMatch(problem);
  };
  // gcc's executable when gcc is here; otherwise a committed C kernel, so these run on a fresh machine too.
  const good = () => new Uint8Array(readFileSync(files.exe ?? 'fixtures/kernels/intmath.elf'));

  it('names the field that is wrong', () => {
    expectError(new Uint8Array(3), 3, /shorter than the ELF identification/);
    expectError(good().slice(0, 40), 40, /shorter than the ELF32 header/);
    const b1 = good(); b1[1] = 0x46; expectError(b1, 0, /bad magic/);
    const b2 = good(); b2[4] = 2; expectError(b2, 4, /ELFCLASS32/);
    const b3 = good(); b3[5] = 2; expectError(b3, 5, /little-endian/);
    const b4 = good(); b4[18] = 0x3e; expectError(b4, 18, /EM_386/);
    const b5 = good(); new DataView(b5.buffer).setUint32(28, 10, true); expectError(b5, 28, /overlaps the ELF header/);
    const b6 = good(); new DataView(b6.buffer).setUint32(32, b6.length - 100, true); expectError(b6, 32, /past the end/);
    const b7 = good(); new DataView(b7.buffer).setUint16(50, 999, true); expectError(b7, 50, /e_shstrndx/);
    const full = good();
    const elf = parseElf32(full);
    expectError(full.slice(0, elf.header.shoff + 10), 32, /section header table runs past the end/);
  });

  it('throws only ElfFormatError for truncated and corrupted files', () => {
    const base = good();
    const elf = parseElf32(base);
    const h = elf.header;
    // Bias corruption toward the bytes the parser interprets.
    const hot = fc.oneof(
      fc.integer({ min: 0, max: 51 }),
      fc.integer({ min: h.phoff, max: h.phoff + h.phnum * h.phentsize - 1 }),
      fc.integer({ min: h.shoff, max: base.length - 1 }),
      fc.integer({ min: 0, max: base.length - 1 }),
    );
    const edit = fc.record({ at: hot, value: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 0xff, 0x7f, 0x80)) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 6 }), fc.option(fc.integer({ min: 0, max: base.length }), { nil: undefined }), (edits, cut) => {
        const bytes = base.slice(0, cut ?? base.length);
        for (const e of edits) if (e.at < bytes.length) bytes[e.at] = e.value;
        try {
          const parsed = parseElf32(bytes);
          for (const s of parsed.sections) sectionData(parsed, s);
          // Symbol tables are read on first access: corrupt ones must fail the same way then.
          void parsed.symbolTables;
        } catch (e) {
          if (!(e instanceof ElfFormatError)) throw e;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
