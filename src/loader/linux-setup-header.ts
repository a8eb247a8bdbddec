/**
 * Recognises a Linux x86 bzImage and reads its setup header.
 *
 * A bzImage is a 512-byte boot sector, `setup_sects` sectors of 16-bit setup
 * code, then the 32-bit protected-mode kernel (Documentation/arch/x86/boot.rst,
 * "The real-mode kernel header"). The setup header sits at file offset 0x1F1
 * and carries the boot protocol's fields; it ends at 0x202 plus the byte at
 * 0x201 (the setup code's first instruction is a short jump over it). btvm
 * has no BIOS, so it enters the protected-mode kernel directly through the
 * 32-bit boot protocol, which needs protocol 2.04 or later (the first with a
 * 32-bit `syssize` and a defined 32-bit entry state) and a kernel loaded high
 * (a bzImage, LOADED_HIGH set).
 *
 * Every read is bounded by the file: a truncated or malformed image ends in a
 * LoadError naming the field and its file offset, never in an exception from
 * an out-of-range read. linux-bzimage.ts places what this describes.
 */
import { LoadError } from './load-error.js';

/** File offsets of the setup header fields the loader uses. */
export const HDR = {
  setupSects: 0x1f1,
  syssize: 0x1f4,
  bootFlag: 0x1fe,
  jump: 0x200,
  magic: 0x202,
  version: 0x206,
  typeOfLoader: 0x210,
  loadflags: 0x211,
  code32Start: 0x214,
  ramdiskImage: 0x218,
  ramdiskSize: 0x21c,
  heapEndPtr: 0x224,
  cmdLinePtr: 0x228,
  initrdAddrMax: 0x22c,
  kernelAlignment: 0x230,
  relocatableKernel: 0x234,
  minAlignment: 0x235,
  xloadflags: 0x236,
  cmdlineSize: 0x238,
  hardwareSubarch: 0x23c,
  prefAddress: 0x258,
  initSize: 0x260,
} as const;

/** The setup header starts here, in the file and in struct boot_params alike. */
export const SETUP_HEADER_OFFSET = 0x1f1;
/** "HdrS", little-endian. */
export const HDRS_MAGIC = 0x53726448;
/** 2.04: the oldest protocol with a 32-bit syssize, the 32-bit entry's minimum. */
export const MIN_BOOT_PROTOCOL = 0x0204;
/** loadflags bit 0: the protected-mode kernel is loaded at 0x100000 (bzImage). */
export const LOADED_HIGH = 0x01;
/** loadflags bit 7: heap_end_ptr is valid (meaningful to the 16-bit setup code only). */
export const CAN_USE_HEAP = 0x80;

export interface LinuxSetupHeader {
  /** Boot protocol version, e.g. 0x020f for 2.15. */
  version: number;
  /** Sectors of real-mode setup code after the boot sector (0 means 4). */
  setupSects: number;
  /** Size of the protected-mode kernel in 16-byte paragraphs. */
  syssize: number;
  loadflags: number;
  code32Start: number;
  /** Highest address the initrd's last byte may occupy. */
  initrdAddrMax: number;
  /** Longest command line without its NUL (2.06+; 255 before). */
  cmdlineSize: number;
  kernelAlignment: number;
  relocatable: boolean;
  xloadflags: number;
  /** Preferred load address of a relocatable kernel (2.10+; else code32Start). */
  prefAddress: number;
  /** Bytes the kernel needs from its load address to decompress and start (2.10+; 0 before). */
  initSize: number;
  /** File offset and length of the protected-mode kernel. */
  kernelOffset: number;
  kernelLength: number;
  /** End of the setup header in the file (0x202 + the jump's displacement byte). */
  headerEnd: number;
}

const hex = (n: number) => `0x${n.toString(16)}`;

function notBzImage(why: string, fileOffset: number): LoadError {
  return new LoadError('not-bzimage', `not a Linux bzImage: ${why} at file offset ${hex(fileOffset)}`, { fileOffset });
}

/** Reads the setup header of `image`, checking everything the 32-bit boot protocol relies on. */
export function parseSetupHeader(image: Uint8Array): LinuxSetupHeader {
  const need = (offset: number, size: number, field: string) => {
    if (offset + size > image.length) {
      throw new LoadError(
        'truncated-bzimage',
        `bzImage truncated: ${field} at file offset ${hex(offset)} lies beyond the end of the ${image.length}-byte file`,
        { fileOffset: offset, length: image.length },
      );
    }
  };
  const u8 = (offset: number, field: string) => (need(offset, 1, field), image[offset]!);
  const u16 = (offset: number, field: string) => (need(offset, 2, field), image[offset]! | (image[offset + 1]! << 8));
  const u32 = (offset: number, field: string) =>
    (need(offset, 4, field),
    (image[offset]! | (image[offset + 1]! << 8) | (image[offset + 2]! << 16) | (image[offset + 3]! << 24)) >>> 0);

  if (image.length < HDR.magic + 4) {
    throw notBzImage(`the ${image.length}-byte file ends before the "HdrS" magic`, Math.min(image.length, HDR.magic));
  }
  const magic = u32(HDR.magic, 'header magic');
  if (magic !== HDRS_MAGIC) throw notBzImage(`no "HdrS" magic (found ${hex(magic)})`, HDR.magic);
  const version = u16(HDR.version, 'protocol version');
  if (version < MIN_BOOT_PROTOCOL) {
    throw new LoadError(
      'unsupported-boot-protocol',
      `Linux boot protocol ${version >> 8}.${String(version & 0xff).padStart(2, '0')} at file offset ${hex(HDR.version)} is older than 2.04, the first the 32-bit entry supports`,
      { fileOffset: HDR.version },
    );
  }
  const loadflags = u8(HDR.loadflags, 'loadflags');
  if (!(loadflags & LOADED_HIGH)) {
    throw new LoadError('unsupported-boot-protocol', `zImage (loadflags LOADED_HIGH clear at file offset ${hex(HDR.loadflags)}): only a bzImage can be loaded`, {
      fileOffset: HDR.loadflags,
    });
  }
  const headerEnd = HDR.magic + u8(HDR.jump + 1, 'setup jump');
  const setupSects = u8(HDR.setupSects, 'setup_sects');
  const syssize = u32(HDR.syssize, 'syssize');
  const kernelOffset = ((setupSects === 0 ? 4 : setupSects) + 1) * 512;
  const kernelLength = syssize * 16;
  if (kernelLength === 0) throw new LoadError('bad-bzimage-field', `bzImage syssize at file offset ${hex(HDR.syssize)} is 0`, { fileOffset: HDR.syssize });
  if (kernelOffset + kernelLength > image.length) {
    throw new LoadError(
      'truncated-bzimage',
      `bzImage truncated: the protected-mode kernel at file offset ${hex(kernelOffset)} needs ${kernelLength} bytes (syssize), the file has ${Math.max(0, image.length - kernelOffset)}`,
      { fileOffset: kernelOffset, length: kernelLength },
    );
  }
  const code32Start = u32(HDR.code32Start, 'code32_start');
  const atLeast = (v: number) => version >= v;
  const relocatable = atLeast(0x0205) && u8(HDR.relocatableKernel, 'relocatable_kernel') !== 0;
  const header: LinuxSetupHeader = {
    version,
    setupSects,
    syssize,
    loadflags,
    code32Start,
    initrdAddrMax: atLeast(0x0203) ? u32(HDR.initrdAddrMax, 'initrd_addr_max') : 0x37ffffff,
    cmdlineSize: atLeast(0x0206) ? u32(HDR.cmdlineSize, 'cmdline_size') : 255,
    kernelAlignment: atLeast(0x0205) ? u32(HDR.kernelAlignment, 'kernel_alignment') : 0,
    relocatable,
    xloadflags: atLeast(0x020c) ? u16(HDR.xloadflags, 'xloadflags') : 0,
    prefAddress: code32Start,
    initSize: 0,
    kernelOffset,
    kernelLength,
    headerEnd,
  };
  if (atLeast(0x020a)) {
    // pref_address is 64 bits; a 32-bit machine can only honour it below 4 GiB.
    if (u32(HDR.prefAddress + 4, 'pref_address') !== 0) {
      throw new LoadError('bad-bzimage-field', `bzImage pref_address at file offset ${hex(HDR.prefAddress)} lies above 4 GiB`, { fileOffset: HDR.prefAddress });
    }
    header.prefAddress = u32(HDR.prefAddress, 'pref_address');
    header.initSize = u32(HDR.initSize, 'init_size');
  }
  if (headerEnd < HDR.version + 2 || headerEnd > image.length) {
    throw notBzImage(`setup header length byte ${hex(headerEnd - HDR.magic)} is impossible`, HDR.jump + 1);
  }
  return header;
}
