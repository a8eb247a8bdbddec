/**
 * The Linux "zero page" (struct boot_params) and the E820 memory map in it.
 *
 * Under a BIOS, the kernel's own 16-bit setup code fills boot_params from
 * BIOS calls before it switches to protected mode. btvm enters through the
 * 32-bit boot protocol instead (Documentation/arch/x86/boot.rst), so the
 * loader fills what that code would have (Documentation/arch/x86/zero-page.rst):
 *
 *   0x000  screen_info     all zero: no VGA text console (btvm has no VGA)
 *   0x1e0  alt_mem_k       KiB of usable RAM above 1 MiB (the E801 answer)
 *   0x1e8  e820_entries    count of the table at 0x2d0
 *   0x1ef  sentinel        0, so the kernel keeps every field we set
 *   0x1f1  hdr             the image's setup header, copied byte for byte,
 *                          then the loader's fields: type_of_loader 0xFF
 *                          (no assigned ID), loadflags, cmd_line_ptr,
 *                          ramdisk_image/size, hardware_subarch 0 (PC)
 *   0x2d0  e820_table      20-byte entries: u64 address, u64 size, u32 type
 *
 * The memory map is the one QEMU's SeaBIOS gives a kernel for the same -m
 * (read from `qemu-system-i386 -m 128M`'s "BIOS-e820:" lines), so the kernel
 * sizes memory and places the initrd as it does under QEMU: the top 128 KiB,
 * where SeaBIOS keeps its ACPI tables, and the KiB below 640 K (its EBDA) are
 * reserved though btvm keeps nothing there.
 */
import { HDR, SETUP_HEADER_OFFSET, type LinuxSetupHeader } from './linux-setup-header.js';

export const BOOT_PARAMS_SIZE = 4096;
export const E820_TABLE_OFFSET = 0x2d0;
export const E820_ENTRIES_OFFSET = 0x1e8;
export const ALT_MEM_K_OFFSET = 0x1e0;
/** The E820 table in boot_params has room for this many entries. */
export const E820_MAX_ENTRIES = 128;
const E820_ENTRY_SIZE = 20;

export const E820_RAM = 1;
export const E820_RESERVED = 2;
/** type_of_loader for a boot loader without an assigned ID. */
export const LOADER_TYPE_UNDEFINED = 0xff;

/** RAM that SeaBIOS reserves at the top of memory (its ACPI tables), which QEMU keeps the initrd below. */
export const FIRMWARE_TOP_RESERVE = 0x20000;
/** SeaBIOS's extended BIOS data area: the last KiB below 640 KiB. */
const EBDA_START = 0x9fc00;
const LOW_MEMORY_END = 0xa0000;
const BIOS_ROM_START = 0xf0000;
const HIGH_MEMORY_START = 0x100000;
const BIOS_FLASH_START = 0xfffc0000;
const FOUR_GIB = 0x1_0000_0000;

export interface E820Entry {
  address: number;
  size: number;
  type: number;
}

/** End of the usable RAM above 1 MiB: where the loader's top-down placements start. */
export function usableRamTop(ramSize: number): number {
  return ramSize - FIRMWARE_TOP_RESERVE;
}

/** QEMU's E820 map for `ramSize` bytes of RAM below 4 GiB (at least 2 MiB) and `aboveFourGiB` at 4 GiB. */
export function linuxMemoryMap(ramSize: number, aboveFourGiB = 0): E820Entry[] {
  const map = [
    { address: 0, size: EBDA_START, type: E820_RAM },
    { address: EBDA_START, size: LOW_MEMORY_END - EBDA_START, type: E820_RESERVED },
    { address: BIOS_ROM_START, size: HIGH_MEMORY_START - BIOS_ROM_START, type: E820_RESERVED },
    { address: HIGH_MEMORY_START, size: usableRamTop(ramSize) - HIGH_MEMORY_START, type: E820_RAM },
    { address: usableRamTop(ramSize), size: FIRMWARE_TOP_RESERVE, type: E820_RESERVED },
    { address: BIOS_FLASH_START, size: FOUR_GIB - BIOS_FLASH_START, type: E820_RESERVED },
  ];
  if (aboveFourGiB > 0) map.push({ address: FOUR_GIB, size: aboveFourGiB, type: E820_RAM });
  return map;
}

export interface BootParamsInput {
  /** The bzImage: its setup header is copied from here. */
  image: Uint8Array;
  header: LinuxSetupHeader;
  ramSize: number;
  /** RAM at 4 GiB and up (-m of 3.5 GiB or more: memory/pc-memory-layout.ts). */
  ramAboveFourGiB?: number;
  cmdLinePtr: number;
  initrd: { address: number; size: number } | null;
}

/** The 4 KiB zero page for `input`, ready to be copied into guest RAM. */
export function buildBootParams(input: BootParamsInput): Uint8Array {
  const page = new Uint8Array(BOOT_PARAMS_SIZE);
  const view = new DataView(page.buffer);
  page.set(input.image.subarray(SETUP_HEADER_OFFSET, input.header.headerEnd), SETUP_HEADER_OFFSET);
  const u32 = (offset: number, value: number) => view.setUint32(offset, value >>> 0, true);

  page[HDR.typeOfLoader] = LOADER_TYPE_UNDEFINED;
  // LOADED_HIGH stays as the image says. CAN_USE_HEAP (and heap_end_ptr) only
  // concern the 16-bit setup code, which does not run; KEEP_SEGMENTS is
  // obsolete. Both are cleared so the kernel sees no claim we do not honour.
  page[HDR.loadflags] = input.header.loadflags & ~0xc0;
  view.setUint16(HDR.heapEndPtr, 0, true);
  u32(HDR.cmdLinePtr, input.cmdLinePtr);
  u32(HDR.ramdiskImage, input.initrd?.address ?? 0);
  u32(HDR.ramdiskSize, input.initrd?.size ?? 0);
  if (input.header.version >= 0x0207) u32(HDR.hardwareSubarch, 0);

  u32(ALT_MEM_K_OFFSET, (usableRamTop(input.ramSize) - HIGH_MEMORY_START) / 1024);
  const map = linuxMemoryMap(input.ramSize, input.ramAboveFourGiB ?? 0);
  page[E820_ENTRIES_OFFSET] = map.length;
  map.forEach((e, i) => {
    const at = E820_TABLE_OFFSET + i * E820_ENTRY_SIZE;
    u32(at, e.address);
    u32(at + 4, Math.floor(e.address / FOUR_GIB));
    u32(at + 8, e.size);
    u32(at + 12, Math.floor(e.size / FOUR_GIB));
    u32(at + 16, e.type);
  });
  return page;
}
