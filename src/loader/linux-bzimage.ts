/**
 * Linux bzImage loader: what `qemu-system-i386 -kernel bzImage -initrd FILE
 * -append CMDLINE` does, entering the kernel through the 32-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "32-bit Boot Protocol") because btvm has
 * no BIOS for the 16-bit setup code to call.
 *
 * Guest physical layout (all below 640 KiB is free: no BIOS data lives there):
 *   0x07000           initial ESP (the kernel sets its own stack at once)
 *   0x10000           struct boot_params, 4 KiB (ESI at entry)
 *   0x11000           the GDT: null, null, __BOOT_CS (0x10), __BOOT_DS (0x18)
 *   0x20000           the command line, NUL-terminated (at most cmdline_size)
 *   code32_start      the protected-mode kernel (0x100000 for a bzImage)
 *   top of RAM        the initrd, page-aligned, as high as QEMU puts it:
 *                     (min(initrd_addr_max, usable top - 1) - size) & ~4095
 *
 * Entry state, as the protocol requires: protected mode, paging off,
 * interrupts disabled, CS = 0x10 and DS = ES = SS = 0x18 (FS and GS too)
 * with flat 4 GiB descriptors present in the GDT at those selectors,
 * ESI = boot_params, EBP = EDI = EBX = 0, EIP = code32_start.
 *
 * A RAM size the kernel cannot decompress into is refused here with the
 * size it needs, rather than left to fail deep inside the guest.
 */
import { flatProtectedMode, type BootState } from './boot-state.js';
import { buildBootParams, usableRamTop } from './linux-boot-params.js';
import { HDR, parseSetupHeader, type LinuxSetupHeader } from './linux-setup-header.js';
import { LoadError } from './load-error.js';

export const LINUX_BOOT_PARAMS_ADDRESS = 0x10000;
export const LINUX_GDT_ADDRESS = 0x11000;
export const LINUX_CMDLINE_ADDRESS = 0x20000;
/** __BOOT_CS and __BOOT_DS of the 32-bit boot protocol. */
export const BOOT_CS = 0x10;
export const BOOT_DS = 0x18;
/** Flat 4 GiB descriptors, G=1 D=1, accessed: 32-bit code (read/execute) and data (read/write),
 * the same segments flatProtectedMode() puts in the hidden parts of CS and the data registers. */
const BOOT_CODE_DESCRIPTOR = [0x0000ffff, 0x00cf9b00];
const BOOT_DATA_DESCRIPTOR = [0x0000ffff, 0x00cf9300];
const GDT_BYTES = 32;

/** What the loader needs of guest RAM (PhysicalMemory provides it). */
export interface GuestRamWriter {
  readonly size: number;
  load(pa: number, data: Uint8Array): void;
}

export interface LinuxBootOptions {
  /** Kernel command line; default empty. */
  cmdline?: string;
  /** Initial RAM disk contents, passed through ramdisk_image/ramdisk_size. */
  initrd?: Uint8Array;
  /** RAM at 4 GiB and up, for the E820 map only (memory/pc-memory-layout.ts). */
  ramAboveFourGiB?: number;
}

const hex = (n: number) => `0x${n.toString(16)}`;
/** Whole MiB, rounded up, in -m's syntax. */
const megs = (n: number) => `${Math.ceil(n / (1 << 20))}M`;

/** True when `image` carries the bzImage setup-header magic, so the caller should load it as Linux. */
export function looksLikeBzImage(image: Uint8Array): boolean {
  return image.length >= 0x206 && image[0x202] === 0x48 && image[0x203] === 0x64 && image[0x204] === 0x72 && image[0x205] === 0x53;
}

/** First byte above the region the kernel decompresses into (boot.rst: init_size from the run-time load address). */
function kernelWorkEnd(h: LinuxSetupHeader): number {
  const align = h.kernelAlignment > 0 ? h.kernelAlignment : 1;
  const loadedAligned = Math.ceil(h.code32Start / align) * align;
  const runAddress = h.relocatable ? Math.max(loadedAligned, h.prefAddress) : h.prefAddress;
  return Math.max(runAddress + h.initSize, h.code32Start + h.kernelLength);
}

/** Where the initrd goes: QEMU's placement, the highest page-aligned address that keeps it under initrd_addr_max and the usable top. */
export function initrdAddress(h: LinuxSetupHeader, ramSize: number, size: number): number {
  const highest = Math.min(h.initrdAddrMax, usableRamTop(ramSize) - 1);
  return Math.floor((highest - size) / 4096) * 4096;
}

function gdtBytes(): Uint8Array {
  const gdt = new Uint8Array(GDT_BYTES);
  const view = new DataView(gdt.buffer);
  const put = (selector: number, [lo, hi]: number[]) => {
    view.setUint32(selector, lo!, true);
    view.setUint32(selector + 4, hi!, true);
  };
  put(BOOT_CS, BOOT_CODE_DESCRIPTOR);
  put(BOOT_DS, BOOT_DATA_DESCRIPTOR);
  return gdt;
}

/** Loads a bzImage (and initrd) into `mem` and returns the 32-bit boot protocol's entry state. */
export function loadBzImage(mem: GuestRamWriter, image: Uint8Array, options: LinuxBootOptions = {}): BootState {
  const h = parseSetupHeader(image);
  const usableTop = usableRamTop(mem.size);
  const workEnd = kernelWorkEnd(h);
  if (h.code32Start < 0x100000) {
    // Below 1 MiB it would overwrite boot_params, the GDT and the command line.
    throw new LoadError('bad-bzimage-field', `bzImage code32_start ${hex(h.code32Start)} at file offset ${hex(HDR.code32Start)} lies below 1 MiB`, {
      fileOffset: HDR.code32Start,
    });
  }
  if (workEnd > usableTop) {
    throw new LoadError(
      'ram-too-small',
      `the kernel needs RAM up to ${hex(workEnd)} (code32_start ${hex(h.code32Start)}, pref_address ${hex(h.prefAddress)} + init_size ${hex(h.initSize)}); ` +
        `guest RAM of ${megs(mem.size)} is too small: use -m ${megs(workEnd + (mem.size - usableTop))} or more`,
      { address: h.code32Start, length: workEnd - h.code32Start },
    );
  }
  const cmdline = new TextEncoder().encode(`${options.cmdline ?? ''}\0`);
  if (cmdline.length - 1 > h.cmdlineSize) {
    throw new LoadError('cmdline-too-long', `command line of ${cmdline.length - 1} bytes is longer than the kernel's cmdline_size ${h.cmdlineSize}`, {
      length: cmdline.length - 1,
    });
  }
  let initrd: { address: number; size: number } | null = null;
  if (options.initrd !== undefined) {
    const size = options.initrd.length;
    const address = initrdAddress(h, mem.size, size);
    if (address < workEnd) {
      throw new LoadError(
        'ram-too-small',
        `the initrd of ${size} bytes does not fit between the kernel (up to ${hex(workEnd)}) and ${hex(Math.min(h.initrdAddrMax + 1, usableTop))}: use -m ${megs(workEnd + size + (mem.size - usableTop) + 4096)} or more`,
        { address, length: size },
      );
    }
    mem.load(address, options.initrd);
    initrd = { address, size };
  }
  mem.load(h.code32Start, image.subarray(h.kernelOffset, h.kernelOffset + h.kernelLength));
  mem.load(LINUX_CMDLINE_ADDRESS, cmdline);
  mem.load(LINUX_GDT_ADDRESS, gdtBytes());
  mem.load(LINUX_BOOT_PARAMS_ADDRESS, buildBootParams({ image, header: h, ramSize: mem.size, ramAboveFourGiB: options.ramAboveFourGiB, cmdLinePtr: LINUX_CMDLINE_ADDRESS, initrd }));

  const state = flatProtectedMode(h.code32Start);
  state.cs.selector = BOOT_CS;
  for (const seg of [state.ds, state.es, state.fs, state.gs, state.ss]) seg.selector = BOOT_DS;
  state.gdtr = { base: LINUX_GDT_ADDRESS, limit: GDT_BYTES - 1 };
  state.esi = LINUX_BOOT_PARAMS_ADDRESS;
  return state;
}
