/**
 * Multiboot v1 loader (Multiboot Specification 0.6.96) for i386 kernels.
 *
 * Given a kernel image and guest RAM it does what GRUB or QEMU's -kernel do:
 *  1. finds the Multiboot header: a 4-byte-aligned magic 0x1BADB002 within
 *     the first 8192 bytes whose flags and checksum sum with it to zero;
 *  2. refuses requirement bits (0–15) it cannot honour: bits 0 (page-align
 *     modules; we load none), 1 (memory information) and 2 (video mode — a
 *     preference we ignore: no framebuffer is reported, as with QEMU) are
 *     accepted, bits 3–15 are not;
 *  3. loads the image: with flag 16 (the "a.out kludge") by the header's
 *     header_addr/load_addr/load_end_addr/bss_end_addr/entry_addr fields,
 *     otherwise as ELF32 by its PT_LOAD segments at their physical addresses
 *     (p_paddr), copying p_filesz bytes and zeroing the rest up to p_memsz;
 *     an ELF entry point that lies in a segment's virtual range is moved to
 *     the matching physical address, as GRUB and QEMU do for higher-half
 *     kernels;
 *  4. builds the Multiboot information structure (below) and returns the
 *     entry state: EAX = 0x2BADB002, EBX = its address, flat protected mode.
 *
 * Boot information lives in the page 0x9000–0xA000, laid out as QEMU's
 * loader does (checked against qemu-system-i386 in test/loader): the memory
 * map at 0x9000, the 88-byte info record at 0x9500, then (unlike QEMU, which
 * puts them after the kernel) the boot loader name and the command line at
 * 0x9600. Kernel segments may not overlap that page.
 * Modules (QEMU's -initrd list, multiboot-modules.ts) are loaded page-aligned
 * above the kernel; their 16-byte records go at 0x9100 and their command
 * lines after the kernel's in the strings area.
 * Info flags set: 0 (mem_lower/mem_upper), 2 (cmdline), 3 (modules),
 * 6 (memory map), 9 (boot loader name). QEMU also sets 1 with boot_device
 * 0x8000FFFF ("first hard disk"); we boot from no disk, so we do not.
 *
 * Memory: mem_lower = 640 KiB and mem_upper = RAM above 1 MiB in KiB. The
 * memory map is QEMU's E820 map minus what its BIOS owns and we do not have:
 *   0 – 0xA0000             available (QEMU: 0x9FC00, the top KiB is
 *                           SeaBIOS's extended BIOS data area; mem_lower 639)
 *   0xF0000 – 0x100000      reserved  (BIOS ROM area)
 *   0x100000 – RAM size     available (QEMU: minus 128 KiB of ACPI tables at
 *                           the top, reserved, and mem_upper excludes them)
 *   0xFFFC0000 – 4 GiB      reserved  (BIOS flash)
 *   4 GiB – …               available, when -m is 3.5 GiB or more (QEMU
 *                           then ends RAM below 4 GiB at 3 GiB and puts
 *                           the rest here: memory/pc-memory-layout.ts;
 *                           mem_upper counts only RAM below 4 GiB, as QEMU's)
 * All entries use size = 20 and 64-bit base/length as the spec defines.
 */
import { PhysicalMemory } from '../memory/physical-memory.js';
import { flatProtectedMode, type BootState } from './boot-state.js';
import { parseElf32 } from './elf32.js';
import { PT } from './elf32-names.js';
import { LoadError } from './load-error.js';
import { MODULE_RECORD_SIZE, placeModules, type MultibootModule, type PlacedModule } from './multiboot-modules.js';

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** How far into the image the header may start. */
const HEADER_SEARCH_LIMIT = 8192;

export const MB_FLAG_PAGE_ALIGN = 1 << 0;
export const MB_FLAG_MEMORY_INFO = 1 << 1;
export const MB_FLAG_VIDEO_MODE = 1 << 2;
export const MB_FLAG_AOUT_KLUDGE = 1 << 16;
const SUPPORTED_REQUIREMENTS = MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMORY_INFO | MB_FLAG_VIDEO_MODE;

/** Info structure flag bits (which fields are valid). */
export const MBI_MEMORY = 1 << 0;
export const MBI_CMDLINE = 1 << 2;
export const MBI_MODS = 1 << 3;
export const MBI_MMAP = 1 << 6;
export const MBI_BOOT_LOADER_NAME = 1 << 9;

/** Page holding the boot information. */
export const BOOT_INFO_PAGE = 0x9000;
const BOOT_INFO_END = 0xa000;
/** Where the memory map, the info record and the strings go in that page. */
export const MMAP_ADDRESS = 0x9000;
export const MODULES_ADDRESS = 0x9100;
export const MBI_ADDRESS = 0x9500;
const STRINGS_ADDRESS = 0x9600;
/** Size of the info record up to and including the VBE fields. */
export const MBI_SIZE = 88;
const MMAP_ENTRY_SIZE = 24;

export const MEMORY_AVAILABLE = 1;
export const MEMORY_RESERVED = 2;

export interface MultibootHeader {
  /** File offset of the magic. */
  offset: number;
  flags: number;
  checksum: number;
  /** a.out-kludge fields; meaningful only with MB_FLAG_AOUT_KLUDGE. */
  headerAddr: number;
  loadAddr: number;
  loadEndAddr: number;
  bssEndAddr: number;
  entryAddr: number;
}

export interface MultibootOptions {
  /** Kernel command line; default empty. */
  cmdline?: string;
  /** Boot loader name reported to the kernel; default "btvm". */
  bootLoaderName?: string;
  /** Boot modules (-initrd), loaded above the kernel. */
  modules?: readonly MultibootModule[];
  /** RAM at 4 GiB and up (memory/pc-memory-layout.ts): listed in the memory map, not in `mem`. */
  ramAboveFourGiB?: number;
}

export interface MemoryMapEntry {
  base: number;
  length: number;
  type: number;
}

const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

/** The Multiboot header of `image`, or null if there is none. */
export function findMultibootHeader(image: Uint8Array): MultibootHeader | null {
  const limit = Math.min(HEADER_SEARCH_LIMIT, image.length) - 12;
  for (let at = 0; at <= limit; at += 4) {
    if (u32(image, at) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = u32(image, at + 4);
    const checksum = u32(image, at + 8);
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) & 0xffffffff) >>> 0 !== 0) continue;
    const field = (i: number) => (at + 12 + 4 * i + 4 <= image.length ? u32(image, at + 12 + 4 * i) : 0);
    return {
      offset: at,
      flags,
      checksum,
      headerAddr: field(0),
      loadAddr: field(1),
      loadEndAddr: field(2),
      bssEndAddr: field(3),
      entryAddr: field(4),
    };
  }
  return null;
}

/** File offset of the first aligned header magic in the search window, or -1. */
function findBareMagic(image: Uint8Array): number {
  const limit = Math.min(HEADER_SEARCH_LIMIT, image.length) - 4;
  for (let at = 0; at <= limit; at += 4) if (u32(image, at) === MULTIBOOT_HEADER_MAGIC) return at;
  return -1;
}

/** The memory map reported to the kernel for `ramSize` bytes of RAM at 0 and `aboveFourGiB` at 4 GiB. */
export function multibootMemoryMap(ramSize: number, aboveFourGiB = 0): MemoryMapEntry[] {
  const map: MemoryMapEntry[] = [
    { base: 0, length: Math.min(ramSize, 0xa0000), type: MEMORY_AVAILABLE },
    { base: 0xf0000, length: 0x10000, type: MEMORY_RESERVED },
  ];
  if (ramSize > 0x100000) map.push({ base: 0x100000, length: ramSize - 0x100000, type: MEMORY_AVAILABLE });
  map.push({ base: 0xfffc0000, length: 0x40000, type: MEMORY_RESERVED });
  if (aboveFourGiB > 0) map.push({ base: 0x1_0000_0000, length: aboveFourGiB, type: MEMORY_AVAILABLE });
  return map;
}

function checkPlacement(mem: PhysicalMemory, address: number, length: number, what: string, fileOffset?: number): void {
  if (length === 0) return;
  if (!mem.contains(address, length)) {
    throw new LoadError(
      'outside-ram',
      `${what} at 0x${address.toString(16)}..0x${(address + length).toString(16)} lies outside guest RAM (0x${mem.size.toString(16)} bytes)`,
      { address, length, fileOffset },
    );
  }
  if (address < BOOT_INFO_END && address + length > BOOT_INFO_PAGE) {
    throw new LoadError(
      'overlaps-boot-info',
      `${what} at 0x${address.toString(16)}..0x${(address + length).toString(16)} overlaps the boot information page at 0x${BOOT_INFO_PAGE.toString(16)}`,
      { address, length, fileOffset },
    );
  }
}

/** Where a kernel was loaded: its entry point, lowest address, and the address past its last byte (bss included). */
interface LoadedKernel {
  entry: number;
  start: number;
  end: number;
}

/** Loads with the header's address fields (flag 16). */
function loadByAddressFields(mem: PhysicalMemory, image: Uint8Array, h: MultibootHeader): LoadedKernel {
  const bad = (why: string) => new LoadError('bad-address-fields', `Multiboot address fields: ${why}`, { fileOffset: h.offset + 12 });
  if (h.offset + 32 > image.length) throw bad('header is truncated');
  if (h.loadAddr > h.headerAddr) throw bad(`load_addr 0x${h.loadAddr.toString(16)} is above header_addr 0x${h.headerAddr.toString(16)}`);
  const fileStart = h.offset - (h.headerAddr - h.loadAddr);
  if (fileStart < 0) throw bad('load_addr lies before the start of the file');
  let loadSize: number;
  if (h.loadEndAddr === 0) {
    loadSize = image.length - fileStart;
  } else {
    if (h.loadEndAddr < h.loadAddr) throw bad('load_end_addr is below load_addr');
    loadSize = h.loadEndAddr - h.loadAddr;
    if (fileStart + loadSize > image.length) throw bad('load_end_addr lies beyond the end of the file');
  }
  const loadEnd = h.loadAddr + loadSize;
  if (h.bssEndAddr !== 0 && h.bssEndAddr < loadEnd) throw bad('bss_end_addr is below the end of the loaded image');
  const bssSize = h.bssEndAddr === 0 ? 0 : h.bssEndAddr - loadEnd;
  checkPlacement(mem, h.loadAddr, loadSize, 'kernel image', fileStart);
  checkPlacement(mem, loadEnd, bssSize, 'kernel bss');
  mem.load(h.loadAddr, image.subarray(fileStart, fileStart + loadSize));
  mem.fill(loadEnd, bssSize, 0);
  return { entry: h.entryAddr, start: h.loadAddr, end: loadEnd + bssSize };
}

/** Loads PT_LOAD segments at their physical addresses. */
function loadElfSegments(mem: PhysicalMemory, image: Uint8Array): LoadedKernel {
  const elf = parseElf32(image);
  const segments = elf.programHeaders.filter((p) => p.type === PT.LOAD && p.memsz > 0);
  if (segments.length === 0) throw new LoadError('no-loadable-segments', 'ELF kernel has no PT_LOAD segments');
  for (const s of segments) {
    checkPlacement(mem, s.paddr, s.memsz, `segment ${s.index}`, s.offset);
  }
  // Segments may not share guest memory: then each byte of RAM is copied or
  // zeroed once, and loading costs the file plus RAM, not segments × RAM
  // (65,000 headers naming one 64 MiB range would take hours).
  const byAddress = [...segments].sort((a, b) => a.paddr - b.paddr);
  for (let i = 1; i < byAddress.length; i++) {
    const a = byAddress[i - 1]!;
    const b = byAddress[i]!;
    if (b.paddr < a.paddr + a.memsz) {
      throw new LoadError('overlapping-segments', `segments ${a.index} and ${b.index} overlap in guest memory at 0x${b.paddr.toString(16)}`, {
        address: b.paddr,
      });
    }
  }
  for (const s of segments) {
    mem.load(s.paddr, image.subarray(s.offset, s.offset + s.filesz));
    mem.fill(s.paddr + s.filesz, s.memsz - s.filesz, 0);
  }
  // Sorted and disjoint: the first starts lowest, the last ends highest.
  const start = byAddress[0]!.paddr;
  const end = byAddress.at(-1)!.paddr + byAddress.at(-1)!.memsz;
  const entry = elf.header.entry;
  for (const s of segments) {
    if (entry >= s.vaddr && entry < s.vaddr + s.memsz) return { entry: (s.paddr + (entry - s.vaddr)) >>> 0, start, end };
  }
  return { entry, start, end };
}

const encoder = new TextEncoder();

/** Writes the info structure and what it points to; returns its address. */
function writeBootInformation(mem: PhysicalMemory, options: MultibootOptions, modules: readonly PlacedModule[]): number {
  const map = multibootMemoryMap(mem.size, options.ramAboveFourGiB ?? 0);
  const mmapLength = map.length * MMAP_ENTRY_SIZE;
  const name = encoder.encode(`${options.bootLoaderName ?? 'btvm'}\0`);
  const cmdline = encoder.encode(`${options.cmdline ?? ''}\0`);
  const nameAddr = STRINGS_ADDRESS;
  const cmdlineAddr = nameAddr + name.length;
  const moduleLines = modules.map((m) => encoder.encode(`${m.cmdline}\0`));
  const stringsEnd = moduleLines.reduce((at, line) => at + line.length, cmdlineAddr + cmdline.length);
  if (stringsEnd > BOOT_INFO_END || MODULES_ADDRESS + modules.length * MODULE_RECORD_SIZE > MBI_ADDRESS) {
    throw new LoadError('cmdline-too-long', `command line of ${cmdline.length - 1} bytes and ${modules.length} module lines do not fit in the boot information page`, {
      length: stringsEnd - cmdlineAddr,
    });
  }
  mem.fill(BOOT_INFO_PAGE, BOOT_INFO_END - BOOT_INFO_PAGE, 0);
  map.forEach((e, i) => {
    const p = MMAP_ADDRESS + i * MMAP_ENTRY_SIZE;
    // `size` counts the entry without itself: base (8) + length (8) + type (4).
    mem.write32(p, MMAP_ENTRY_SIZE - 4);
    mem.write32(p + 4, e.base >>> 0);
    mem.write32(p + 8, Math.floor(e.base / 0x1_0000_0000));
    mem.write32(p + 12, e.length >>> 0);
    mem.write32(p + 16, Math.floor(e.length / 0x1_0000_0000));
    mem.write32(p + 20, e.type);
  });
  const at = MBI_ADDRESS;
  mem.write32(at + 0, MBI_MEMORY | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_BOOT_LOADER_NAME);
  mem.write32(at + 4, Math.min(640, Math.floor(mem.size / 1024)));
  mem.write32(at + 8, Math.max(0, Math.floor(mem.size / 1024) - 1024));
  mem.write32(at + 16, cmdlineAddr);
  mem.write32(at + 20, modules.length); // mods_count
  // mods_addr: with no modules, an empty list, pointing at the strings as QEMU's does.
  mem.write32(at + 24, modules.length > 0 ? MODULES_ADDRESS : cmdlineAddr);
  let lineAt = cmdlineAddr + cmdline.length;
  modules.forEach((m, i) => {
    const record = MODULES_ADDRESS + i * MODULE_RECORD_SIZE;
    mem.write32(record, m.start);
    mem.write32(record + 4, m.end);
    mem.write32(record + 8, lineAt);
    mem.load(lineAt, moduleLines[i]!);
    lineAt += moduleLines[i]!.length;
  });
  mem.write32(at + 44, mmapLength);
  mem.write32(at + 48, MMAP_ADDRESS);
  mem.write32(at + 64, nameAddr);
  mem.load(nameAddr, name);
  mem.load(cmdlineAddr, cmdline);
  return MBI_ADDRESS;
}

/** Loads a Multiboot kernel into `mem` and returns the CPU state to enter it with. */
export function loadMultiboot(mem: PhysicalMemory, image: Uint8Array, options: MultibootOptions = {}): BootState {
  const header = findMultibootHeader(image);
  if (!header) {
    const magicAt = findBareMagic(image);
    if (magicAt >= 0) {
      throw new LoadError('bad-multiboot-checksum', `Multiboot magic at file offset 0x${magicAt.toString(16)} has a bad checksum`, {
        fileOffset: magicAt + 8,
      });
    }
    throw new LoadError('no-multiboot-header', `no Multiboot header (magic 0x1BADB002 with a valid checksum) in the first ${HEADER_SEARCH_LIMIT} bytes`);
  }
  const unsupported = header.flags & 0xffff & ~SUPPORTED_REQUIREMENTS;
  if (unsupported) {
    throw new LoadError('unsupported-multiboot-flags', `Multiboot header requires features 0x${unsupported.toString(16)} that this loader does not provide`, {
      fileOffset: header.offset + 4,
    });
  }
  const kernel = header.flags & MB_FLAG_AOUT_KLUDGE ? loadByAddressFields(mem, image, header) : loadElfSegments(mem, image);
  const modules = placeModules(mem.size, kernel.start, kernel.end, options.modules ?? []);
  modules.forEach((m, i) => {
    checkPlacement(mem, m.start, m.end - m.start, `module '${m.cmdline}'`);
    mem.load(m.start, options.modules![i]!.bytes);
  });
  const info = writeBootInformation(mem, options, modules);
  const state = flatProtectedMode(kernel.entry);
  state.eax = MULTIBOOT_BOOTLOADER_MAGIC;
  state.ebx = info;
  return state;
}
