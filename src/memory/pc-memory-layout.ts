/**
 * Where QEMU's i386 PC puts `-m` bytes of RAM in the guest-physical address
 * space, which btvm reproduces so that a kernel sizes memory as it does under
 * `qemu-system-i386`.
 *
 * RAM starts at 0. Below 4 GiB it stops at 3.5 GiB (0xE0000000): above lies
 * the PCI hole (device windows, the local APIC, the BIOS flash). When -m is
 * 3.5 GiB or more, QEMU's pc machine (i440fx, gigabyte_align) moves the split
 * down to 3 GiB and puts the rest at 4 GiB — so `-m 3583M` gives RAM up to
 * 0xDFF00000 and `-m 3584M` gives 3 GiB below 4 GiB plus 512 MiB at
 * 0x100000000 (both checked with qemu-system-i386 7.2 and a Multiboot
 * kernel printing its memory map: fixtures/system/bigmem.c).
 *
 * RAM above 4 GiB is out of reach of a 32-bit guest whose CPU offers neither
 * PAE nor PSE-36 (btvm's models offer neither: state/cpu-model.ts), so btvm
 * reports it (E820, Multiboot memory map, fw_cfg, CMOS) but backs only the
 * part below 4 GiB with host memory.
 */

/** The largest -m btvm accepts: 3.5 GiB, QEMU's traditional below-4G limit. */
export const MAX_RAM_BYTES = 0xe000_0000;
/** Where RAM below 4 GiB ends at most (the start of the PCI hole). */
const MAX_BELOW_4G = 0xe000_0000;
/** Where the split moves when RAM does not fit below MAX_BELOW_4G (QEMU's gigabyte alignment). */
const GIGABYTE_ALIGNED_BELOW_4G = 0xc000_0000;
/** Guest-physical address of the first byte above 4 GiB. */
export const FOUR_GIB = 0x1_0000_0000;

export interface PcMemoryLayout {
  /** All of -m, in bytes. */
  readonly totalBytes: number;
  /** RAM at guest-physical [0, belowFourGiB): the part btvm backs with host memory. */
  readonly belowFourGiB: number;
  /** RAM at guest-physical [4 GiB, 4 GiB + aboveFourGiB): reported to the guest, unreachable by it. */
  readonly aboveFourGiB: number;
}

/** QEMU's split of `totalBytes` of RAM around the PCI hole. */
export function pcMemoryLayout(totalBytes: number): PcMemoryLayout {
  const below = totalBytes >= MAX_BELOW_4G ? GIGABYTE_ALIGNED_BELOW_4G : totalBytes;
  return { totalBytes, belowFourGiB: below, aboveFourGiB: totalBytes - below };
}
