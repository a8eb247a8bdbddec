/**
 * A synthetic Linux bzImage for loader and CLI tests: the boot protocol
 * 2.15 setup header (Documentation/arch/x86/boot.rst) filled from a few
 * fields, a boot sector and setup sectors of zeros, and a protected-mode
 * kernel of recognisable bytes. Not bootable; loadable.
 */

export interface BzImageFields {
  version?: number;
  setupSects?: number;
  kernelBytes?: number;
  loadflags?: number;
  code32Start?: number;
  initrdAddrMax?: number;
  kernelAlignment?: number;
  relocatable?: number;
  cmdlineSize?: number;
  prefAddress?: number;
  initSize?: number;
}

/** A bzImage with protocol 2.15's header layout and a recognisable protected-mode kernel. */
export function bzImage(f: BzImageFields = {}): Uint8Array {
  const setupSects = f.setupSects ?? 3;
  const kernelBytes = f.kernelBytes ?? 0x2000;
  const kernelOffset = ((setupSects || 4) + 1) * 512;
  const image = new Uint8Array(kernelOffset + kernelBytes);
  const v = new DataView(image.buffer);
  image[0x1f1] = setupSects;
  v.setUint16(0x1f2, 1, true); // root_flags: a header byte the loader must copy unchanged
  v.setUint32(0x1f4, kernelBytes / 16, true);
  v.setUint16(0x1fe, 0xaa55, true);
  image.set([0xeb, 0x6a], 0x200); // jmp over the header: it ends at 0x26c
  v.setUint32(0x202, 0x53726448, true);
  v.setUint16(0x206, f.version ?? 0x020f, true);
  v.setUint16(0x20e, 0x1234, true); // kernel_version: copied
  image[0x211] = f.loadflags ?? 0x81; // LOADED_HIGH | CAN_USE_HEAP
  v.setUint32(0x214, f.code32Start ?? 0x100000, true);
  v.setUint32(0x22c, f.initrdAddrMax ?? 0x7fffffff, true);
  v.setUint32(0x230, f.kernelAlignment ?? 0x1000000, true);
  image[0x234] = f.relocatable ?? 1;
  image[0x235] = 0x0d;
  v.setUint16(0x236, 0x0004, true);
  v.setUint32(0x238, f.cmdlineSize ?? 0x7ff, true);
  v.setUint32(0x258, f.prefAddress ?? 0x1000000, true);
  v.setUint32(0x260, f.initSize ?? 0x400000, true);
  v.setUint32(0x268, 0xcafe, true); // kernel_info_offset: last field, copied
  for (let i = 0; i < kernelBytes; i++) image[kernelOffset + i] = (i * 7 + 3) & 0xff;
  return image;
}
