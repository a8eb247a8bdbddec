/**
 * The Multiboot loader against QEMU's: a probe kernel (qemu-probe.ts) booted
 * by qemu-system-i386 reports the entry state and the info structure QEMU
 * built; our loader loads the same file and must agree, except for the
 * differences multiboot.ts documents. Then the repository's fixture kernels
 * are checked against readelf's program headers, and malformed kernels
 * against the typed LoadErrors.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { LoadError } from '../../src/loader/load-error.js';
import {
  MBI_ADDRESS,
  MEMORY_AVAILABLE,
  MEMORY_RESERVED,
  MMAP_ADDRESS,
  findMultibootHeader,
  loadMultiboot,
} from '../../src/loader/multiboot.js';
import { ElfFormatError, parseElf32 } from '../../src/loader/elf32.js';
import fc from 'fast-check';
import { BSS_WORDS, PROBE_EXIT_VALUE, buildProbeKernel, haveQemuTools, parseProbeReport, runInQemu, type ProbeReport } from './qemu-probe.js';
import { readelf } from './readelf-oracle.js';
import { haveTool, toolsFor } from '../support/external-tools.js';

const MIB = 1024 * 1024;
const RAM = 128 * MIB;
const dir = mkdtempSync(join(tmpdir(), 'btvm-mb-'));

interface MapEntry { base: number; length: number; type: number }

function decodeMap(bytes: Uint8Array): MapEntry[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: MapEntry[] = [];
  for (let at = 0; at < bytes.length; at += v.getUint32(at, true) + 4) {
    out.push({
      base: v.getUint32(at + 4, true) + v.getUint32(at + 8, true) * 2 ** 32,
      length: v.getUint32(at + 12, true) + v.getUint32(at + 16, true) * 2 ** 32,
      type: v.getUint32(at + 20, true),
    });
  }
  return out;
}

/** QEMU's map with the documented differences applied: no EBDA, no ACPI area. */
function withoutBiosData(map: MapEntry[]): MapEntry[] {
  const out: MapEntry[] = [];
  for (const e of map) {
    const prev = out[out.length - 1];
    // EBDA (reserved, directly after conventional memory) becomes available.
    if (e.type === MEMORY_RESERVED && e.base + e.length === 0xa0000 && prev?.type === MEMORY_AVAILABLE) {
      prev.length += e.length;
      continue;
    }
    // ACPI tables (reserved, directly after extended memory) become available.
    if (e.type === MEMORY_RESERVED && prev?.type === MEMORY_AVAILABLE && prev.base === 0x100000 && prev.base + prev.length === e.base) {
      prev.length += e.length;
      continue;
    }
    out.push({ ...e });
  }
  return out;
}

const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);

function cString(mem: PhysicalMemory, at: number): string {
  const end = mem.bytes.indexOf(0, at);
  return new TextDecoder().decode(mem.bytes.subarray(at, end));
}

describe.skipIf(!haveQemuTools('loadMultiboot vs QEMU'))('loadMultiboot agrees with QEMU', () => {
  const runs: Record<string, { kernel: string; report: ProbeReport; status: number | null }> = {};
  beforeAll(() => {
    for (const format of ['elf', 'aout'] as const) {
      const kernel = buildProbeKernel(dir, [], format);
      const q = runInQemu(kernel, dir, RAM / MIB, 'console=ttyS0 probe');
      runs[format] = { kernel, report: parseProbeReport(q.debug, 0), status: q.status };
    }
  });

  for (const format of ['elf', 'aout'] as const) {
    it(`for a ${format === 'elf' ? 'ELF' : 'flag-16 (a.out kludge)'} kernel`, () => {
      const { kernel, report: q, status } = runs[format]!;
      expect(status).toBe(((PROBE_EXIT_VALUE << 1) | 1) & 0xff);
      const image = new Uint8Array(readFileSync(kernel));
      const mem = new PhysicalMemory(RAM);
      mem.bytes.fill(0xaa); // so that unzeroed bss shows
      const cmdline = q.cmdline; // QEMU prefixes the kernel path; we take the line as given
      const boot = loadMultiboot(mem, image, { cmdline, bootLoaderName: 'qemu' });

      // Entry state.
      expect(boot.eax).toBe(q.eax);
      expect(boot.ebx).toBe(q.ebx);
      expect(boot.ebx).toBe(MBI_ADDRESS);
      expect({ cs: boot.cs.selector, ds: boot.ds.selector, es: boot.es.selector, fs: boot.fs.selector, gs: boot.gs.selector, ss: boot.ss.selector }).toEqual(q.segments);
      expect(boot.cr0).toBe(q.cr0);
      expect(boot.eflags & 0x20200).toBe(0); // IF and VM clear, as the spec requires
      expect(q.eflags & 0x20200).toBe(0);
      expect(mem.read8(boot.eip)).toBe(0xbc); // the probe starts with mov esp, imm32

      // The probe's .bss: zero in QEMU, zero here.
      expect(q.bssWords).toEqual(new Array(BSS_WORDS).fill(0));
      const bssSymbol = format === 'elf'
        ? [...parseElf32(image).symbolTables.values()].flat().find((s) => s.name === 'bss_probe')!.value
        : findMultibootHeader(image)!.loadEndAddr;
      for (let i = 0; i < 4096; i += 4) expect(mem.read32(bssSymbol + i)).toBe(0);

      // The info record.
      const mbi = mem.slice(boot.ebx, 88);
      expect(u32(mbi, 0) | 0x2).toBe(u32(q.mbi, 0)); // QEMU adds boot_device
      expect(u32(mbi, 4)).toBe(640);
      expect(u32(q.mbi, 4)).toBe(639); // QEMU's BIOS keeps the top KiB (EBDA)
      expect(u32(mbi, 20)).toBe(u32(q.mbi, 20)); // mods_count
      expect(u32(mbi, 48)).toBe(u32(q.mbi, 48)); // mmap_addr
      expect(u32(mbi, 48)).toBe(MMAP_ADDRESS);
      const ourMap = decodeMap(mem.slice(u32(mbi, 48), u32(mbi, 44)));
      const qemuMap = decodeMap(q.mmap);
      expect(ourMap).toEqual(withoutBiosData(qemuMap));
      // mem_upper covers extended memory up to the first hole: QEMU stops at its ACPI area.
      const acpi = qemuMap.find((e) => e.type === MEMORY_RESERVED && e.base > 0x100000 && e.base < RAM)!;
      expect(u32(mbi, 8)).toBe(u32(q.mbi, 8) + acpi.length / 1024);
      expect(u32(mbi, 8)).toBe(RAM / 1024 - 1024);
      expect(cString(mem, u32(mbi, 16))).toBe(q.cmdline);
      expect(q.cmdline).toBe(`${kernel} console=ttyS0 probe`);
      expect(cString(mem, u32(mbi, 64))).toBe(q.bootLoaderName);
    });
  }
});

describe('loadMultiboot on the fixture kernels', () => {
  const kernels = ['fixtures/kernels', 'fixtures/bench']
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.elf')).map((f) => join(d, f)));
  it.skipIf(kernels.length === 0 || !toolsFor('loadMultiboot vs readelf', 'readelf'))('loads every PT_LOAD segment readelf lists, bss zeroed', () => {
    for (const path of kernels) {
      const image = new Uint8Array(readFileSync(path));
      const mem = new PhysicalMemory(32 * MIB);
      mem.bytes.fill(0xaa);
      const boot = loadMultiboot(mem, image, { cmdline: path });
      const ref = readelf(path);
      const loads = ref.segments.filter((s) => s.type === 'LOAD' && s.memsz > 0);
      expect(loads.length).toBeGreaterThan(0);
      for (const s of loads) {
        expect(Buffer.compare(mem.slice(s.paddr, s.filesz), image.subarray(s.offset, s.offset + s.filesz)), `${path} segment at 0x${s.paddr.toString(16)}`).toBe(0);
        expect(mem.slice(s.paddr + s.filesz, s.memsz - s.filesz).every((b) => b === 0)).toBe(true);
      }
      expect(`0x${boot.eip.toString(16)}`).toBe(ref.header['Entry point address']);
      expect(cString(mem, u32(mem.slice(boot.ebx, 88), 16))).toBe(path);
    }
  });
});

/** A hand-made flag-16 kernel: header at file offset `pad`, code "mov esp, imm32; hlt". */
function aoutKernel(o: { pad?: number; loadAddr?: number; flags?: number; checksum?: number; loadEnd?: number; bssEnd?: number } = {}): Uint8Array {
  const pad = o.pad ?? 0;
  const load = o.loadAddr ?? 0x100000;
  const flags = o.flags ?? 0x00010003;
  const image = new Uint8Array(pad + 64);
  const v = new DataView(image.buffer);
  v.setUint32(pad, 0x1badb002, true);
  v.setUint32(pad + 4, flags, true);
  v.setUint32(pad + 8, o.checksum ?? (-(0x1badb002 + flags) >>> 0), true);
  v.setUint32(pad + 12, load + pad, true); // header_addr
  v.setUint32(pad + 16, load, true); // load_addr
  v.setUint32(pad + 20, o.loadEnd ?? 0, true);
  v.setUint32(pad + 24, o.bssEnd ?? 0, true);
  v.setUint32(pad + 28, load + pad + 32, true); // entry
  image.set([0xbc, 0, 0, 0x20, 0, 0xf4], pad + 32);
  return image;
}

describe('loadMultiboot errors and edge cases', () => {
  const expectLoadError = (fn: () => unknown, code: string) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).code).toBe(code);
    return error as LoadError;
  };
  const mem = () => new PhysicalMemory(4 * MIB);

  it('loads a flag-16 kernel found past the start of the file, with bss', () => {
    const m = mem();
    m.bytes.fill(0xaa);
    const image = aoutKernel({ pad: 4096, bssEnd: 0x100000 + 4096 + 64 + 256 });
    const boot = loadMultiboot(m, image);
    expect(boot.eip).toBe(0x100000 + 4096 + 32);
    expect(m.read8(boot.eip)).toBe(0xbc);
    expect(m.read8(0x100000)).toBe(0); // file bytes before the header are loaded too
    expect(m.slice(0x100000 + 4096 + 64, 256).every((b) => b === 0)).toBe(true);
    expect(m.read8(0x100000 + 4096 + 64 + 256)).toBe(0xaa);
  });

  it('ignores a header beyond the first 8192 bytes', () => {
    expectLoadError(() => loadMultiboot(mem(), aoutKernel({ pad: 8192 })), 'no-multiboot-header');
    expectLoadError(() => loadMultiboot(mem(), new Uint8Array(100)), 'no-multiboot-header');
  });

  it('reports a bad checksum', () => {
    const e = expectLoadError(() => loadMultiboot(mem(), aoutKernel({ pad: 8, checksum: 1 })), 'bad-multiboot-checksum');
    expect(e.details.fileOffset).toBe(16);
  });

  it('refuses requirement bits it does not provide', () => {
    expectLoadError(() => loadMultiboot(mem(), aoutKernel({ flags: 0x00010008 })), 'unsupported-multiboot-flags');
    // Optional bits (16-31) other than 16 are fine.
    expect(() => loadMultiboot(mem(), aoutKernel({ flags: 0x00810007 }))).not.toThrow();
  });

  it('refuses segments outside RAM or over the boot information page', () => {
    expectLoadError(() => loadMultiboot(mem(), aoutKernel({ loadAddr: 0x3ffff0 })), 'outside-ram');
    expectLoadError(() => loadMultiboot(mem(), aoutKernel({ loadAddr: 0x9800 })), 'overlaps-boot-info');
    expectLoadError(() => loadMultiboot(mem(), aoutKernel({ loadEnd: 0x100000 + 1000 })), 'bad-address-fields');
    expectLoadError(() => loadMultiboot(mem(), aoutKernel({ bssEnd: 0x100000 + 10 })), 'bad-address-fields');
  });

  it('refuses a command line that does not fit', () => {
    expectLoadError(() => loadMultiboot(mem(), aoutKernel(), { cmdline: 'x'.repeat(4000) }), 'cmdline-too-long');
  });

  it.skipIf(!toolsFor('higher-half Multiboot entry', 'nasm', 'ld', 'readelf'))('moves a higher-half ELF entry point to its physical address', () => {
    const asm = join(dir, 'high.asm');
    writeFileSync(asm, 'bits 32\nsection .text\nalign 4\ndd 0x1BADB002, 3, -(0x1BADB002+3)\nglobal _start\n_start: mov esp, 0x2000\nhlt\n');
    const script = join(dir, 'high.ld');
    writeFileSync(script, 'ENTRY(_start)\nSECTIONS { . = 0xC0100000; .text : AT(0x100000) { *(.text) } }\n');
    execFileSync('nasm', ['-f', 'elf32', '-o', join(dir, 'high.o'), asm]);
    execFileSync('ld', ['-m', 'elf_i386', '-T', script, '-o', join(dir, 'high.elf'), join(dir, 'high.o')]);
    const image = new Uint8Array(readFileSync(join(dir, 'high.elf')));
    expect(readelf(join(dir, 'high.elf')).header['Entry point address']).toBe('0xc010000c');
    const m = mem();
    const boot = loadMultiboot(m, image);
    expect(boot.eip).toBe(0x10000c);
    expect(m.read8(boot.eip)).toBe(0xbc);
  });
});

describe('loadMultiboot on corrupted kernels', () => {
  it('fails only with LoadError or ElfFormatError, never a RangeError or TypeError', () => {
    // The probe kernel needs nasm and ld; without them a committed Multiboot ELF stands in.
    const elf = new Uint8Array(readFileSync(haveTool('nasm') && haveTool('ld') ? buildProbeKernel(dir, [], 'elf') : 'fixtures/kernels/hello.elf'));
    const aout = aoutKernel({ pad: 64, bssEnd: 0x100000 + 64 + 64 + 32 });
    const mem = new PhysicalMemory(2 * MIB);
    fc.assert(
      fc.property(
        fc.constantFrom(elf, aout),
        fc.array(fc.record({ at: fc.nat(), value: fc.constantFrom(0, 0xff, 0x10, 0x80, 0x01, 0x1b) }), { maxLength: 6 }),
        fc.option(fc.nat(), { nil: undefined }),
        (base, edits, cut) => {
          const image = base.slice(0, cut === undefined ? base.length : cut % (base.length + 1));
          // Bias edits toward the ELF header and the Multiboot header fields.
          for (const e of edits) {
            const at = e.at % 3 === 0 ? e.at % 52 : e.at % 3 === 1 ? 0x1000 + (e.at % 32) : 64 + (e.at % 32);
            if (at < image.length) image[at] = e.value;
          }
          try {
            loadMultiboot(mem, image);
          } catch (error) {
            if (!(error instanceof LoadError) && !(error instanceof ElfFormatError)) throw error;
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
