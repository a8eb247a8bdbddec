/**
 * The Linux bzImage loader against the boot protocol
 * (Documentation/arch/x86/boot.rst, zero-page.rst): a synthetic bzImage
 * built here from a few header bytes must land field by field where the
 * protocol says, with the 32-bit entry state it prescribes; the E820 map and
 * the initrd placement must match what QEMU gave the Debian kernel
 * (fixtures/linux/boot.qemu); malformed images must end in one LoadError.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { LoadError } from '../../src/loader/load-error.js';
import { BOOT_CS, BOOT_DS, LINUX_BOOT_PARAMS_ADDRESS, initrdAddress, loadBzImage, looksLikeBzImage } from '../../src/loader/linux-bzimage.js';
import { E820_RAM, E820_RESERVED, linuxMemoryMap } from '../../src/loader/linux-boot-params.js';
import { pcMemoryLayout } from '../../src/memory/pc-memory-layout.js';
import { parseSetupHeader } from '../../src/loader/linux-setup-header.js';
import { fixture } from '../cli/run-capture.js';
import { bzImage } from '../support/synthetic-bzimage.js';

const MIB = 1 << 20;

const u8 = (m: PhysicalMemory, at: number) => m.read8(at);
const u16 = (m: PhysicalMemory, at: number) => m.read16(at);
const u32 = (m: PhysicalMemory, at: number) => m.read32(at);
const cString = (m: PhysicalMemory, at: number) => new TextDecoder().decode(m.bytes.subarray(at, m.bytes.indexOf(0, at)));

function loadError(fn: () => unknown): LoadError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    expect((e as Error).message).not.toContain('\n');
    return e as LoadError;
  }
  throw new Error('expected a LoadError');
}

describe('loadBzImage: what lands where (boot.rst, zero-page.rst)', () => {
  const image = bzImage();
  const initrd = new Uint8Array(10000).map((_, i) => i * 13);
  const mem = new PhysicalMemory(64 * MIB);
  mem.bytes.fill(0xaa);
  const boot = loadBzImage(mem, image, { cmdline: 'console=ttyS0 nokaslr', initrd });
  const bp = boot.esi;

  it('enters at code32_start in the 32-bit protocol state: __BOOT_CS/__BOOT_DS, ESI = boot_params, EBP = EDI = EBX = 0', () => {
    expect(boot.eip).toBe(0x100000);
    expect(bp).toBe(LINUX_BOOT_PARAMS_ADDRESS);
    expect([boot.ebp, boot.edi, boot.ebx]).toEqual([0, 0, 0]);
    expect(boot.cs.selector).toBe(0x10);
    for (const s of [boot.ds, boot.es, boot.ss]) expect(s.selector).toBe(0x18);
    expect(boot.eflags & 0x200).toBe(0); // interrupts disabled
    expect(boot.cr0 & 0x80000001).toBe(1); // protected mode, paging off
  });

  it('puts flat descriptors for __BOOT_CS and __BOOT_DS in the GDT that GDTR names', () => {
    expect(boot.gdtr.limit).toBeGreaterThanOrEqual(BOOT_DS + 7);
    const descriptor = (sel: number) => {
      const lo = u32(mem, boot.gdtr.base + sel);
      const hi = u32(mem, boot.gdtr.base + sel + 4);
      return {
        base: ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0,
        limit: ((lo & 0xffff) | (hi & 0xf0000)) >>> 0,
        access: (hi >>> 8) & 0xff,
        flags: (hi >>> 20) & 0xf,
      };
    };
    // Present, DPL 0, code execute/read and data read/write; 4 KiB granular 32-bit, limit 0xfffff pages.
    expect(descriptor(BOOT_CS)).toEqual({ base: 0, limit: 0xfffff, access: boot.cs.access, flags: 0xc });
    expect(descriptor(BOOT_DS)).toEqual({ base: 0, limit: 0xfffff, access: boot.ds.access, flags: 0xc });
    expect(boot.cs.access & 0xfe).toBe(0x9a);
    expect(boot.ds.access & 0xfe).toBe(0x92);
  });

  it('loads the protected-mode kernel from file offset (setup_sects + 1) * 512 at 0x100000', () => {
    expect(Buffer.compare(mem.slice(0x100000, 0x2000), image.subarray(4 * 512))).toBe(0);
    expect(u8(mem, 0x102000)).toBe(0xaa);
  });

  it('copies the setup header to 0x1f1 and fills in the loader fields', () => {
    for (const at of [0x1f1, 0x1f2, 0x1f4, 0x1fe, 0x202, 0x206, 0x20e, 0x214, 0x22c, 0x230, 0x234, 0x236, 0x238, 0x258, 0x260, 0x268]) {
      expect(u8(mem, bp + at), `header byte 0x${at.toString(16)}`).toBe(image[at]);
    }
    expect(u8(mem, bp + 0x210)).toBe(0xff); // type_of_loader: undefined
    expect(u8(mem, bp + 0x211)).toBe(0x01); // LOADED_HIGH kept; CAN_USE_HEAP: no 16-bit setup runs
    expect(cString(mem, u32(mem, bp + 0x228))).toBe('console=ttyS0 nokaslr'); // cmd_line_ptr
    expect(u32(mem, bp + 0x23c)).toBe(0); // hardware_subarch: PC
    expect(u8(mem, bp + 0x1ef)).toBe(0); // sentinel
    expect(u16(mem, bp + 0x1fe)).toBe(0xaa55);
    // Beyond the header (0x26c) and in screen_info: zero, no VGA.
    expect(mem.slice(bp + 0x26c, 0x2d0 - 0x26c).every((b) => b === 0)).toBe(true);
    expect(mem.slice(bp, 0x40).every((b) => b === 0)).toBe(true);
  });

  it('places the initrd page-aligned at the top of usable RAM and names it in ramdisk_image/size', () => {
    const at = u32(mem, bp + 0x218);
    expect(u32(mem, bp + 0x21c)).toBe(initrd.length);
    expect(at % 4096).toBe(0);
    expect(Buffer.compare(mem.slice(at, initrd.length), initrd)).toBe(0);
    const usableTop = 64 * MIB - 0x20000;
    expect(at + initrd.length).toBeLessThanOrEqual(usableTop);
    expect(at + initrd.length + 4096).toBeGreaterThan(usableTop - 1);
  });

  it('keeps the initrd under initrd_addr_max', () => {
    const m = new PhysicalMemory(64 * MIB);
    const b = loadBzImage(m, bzImage({ initrdAddrMax: 0x2ffffff }), { initrd });
    const at = u32(m, b.esi + 0x218);
    expect(at + initrd.length - 1).toBeLessThanOrEqual(0x2ffffff);
    expect(at).toBe((0x2ffffff - initrd.length) & ~0xfff);
  });

  it('writes the E820 map: count at 0x1e8, 20-byte entries at 0x2d0, alt_mem_k at 0x1e0', () => {
    const map = linuxMemoryMap(64 * MIB);
    expect(u8(mem, bp + 0x1e8)).toBe(map.length);
    map.forEach((e, i) => {
      const at = bp + 0x2d0 + 20 * i;
      expect([u32(mem, at), u32(mem, at + 4), u32(mem, at + 8), u32(mem, at + 12), u32(mem, at + 16)]).toEqual([e.address, 0, e.size, 0, e.type]);
    });
    expect(u32(mem, bp + 0x1e0)).toBe((64 * MIB - 0x20000 - MIB) / 1024);
  });

  it('gives no initrd fields without an initrd', () => {
    const m = new PhysicalMemory(64 * MIB);
    const b = loadBzImage(m, image);
    expect([u32(m, b.esi + 0x218), u32(m, b.esi + 0x21c)]).toEqual([0, 0]);
    expect(cString(m, u32(m, b.esi + 0x228))).toBe('');
  });
});

describe('the E820 map and initrd placement agree with QEMU (fixtures/linux/boot.qemu, -m 128M)', () => {
  const transcript = readFileSync(fixture('linux/boot.qemu'), 'utf8');

  it('lists the same ranges as the BIOS-e820 lines QEMU gave the Debian kernel', () => {
    const qemu = [...transcript.matchAll(/^BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)$/gm)].map((m) => ({
      address: parseInt(m[1]!, 16),
      size: parseInt(m[2]!, 16) + 1 - parseInt(m[1]!, 16),
      type: m[3] === 'usable' ? E820_RAM : E820_RESERVED,
    }));
    expect(qemu.length).toBeGreaterThan(3);
    expect(linuxMemoryMap(128 * MIB)).toEqual(qemu);
  });

  const initrdPath = fixture('linux/cache/initrd.gz');
  it.skipIf(!existsSync(initrdPath))('puts the initrd where QEMU put it (the RAMDISK line)', () => {
    const m = /^RAMDISK: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]$/m.exec(transcript)!;
    const size = statSync(initrdPath).size;
    const h = parseSetupHeader(new Uint8Array(readFileSync(fixture('linux/cache/vmlinuz'))));
    expect(initrdAddress(h, 128 * MIB, size)).toBe(parseInt(m[1]!, 16));
    // The kernel prints the end rounded up to a page.
    expect(Math.ceil((parseInt(m[1]!, 16) + size) / 4096) * 4096 - 1).toBe(parseInt(m[2]!, 16));
  });
});

describe('the E820 map and initrd placement agree with QEMU at -m 3584M (fixtures/linux/memory-3584M.qemu)', () => {
  // QEMU ends RAM below 4 GiB at 3 GiB from -m 3584M and puts the other 512 MiB at 4 GiB.
  const transcript = readFileSync(fixture('linux/memory-3584M.qemu'), 'utf8');
  const layout = pcMemoryLayout(3584 * MIB);

  it('lists the same ranges, the one above 4 GiB included, and writes its address high dword', () => {
    const qemu = [...transcript.matchAll(/^BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)$/gm)].map((m) => ({
      address: parseInt(m[1]!, 16),
      size: parseInt(m[2]!, 16) + 1 - parseInt(m[1]!, 16),
      type: m[3] === 'usable' ? E820_RAM : E820_RESERVED,
    }));
    expect(qemu.at(-1)!.address).toBe(2 ** 32);
    expect(linuxMemoryMap(layout.belowFourGiB, layout.aboveFourGiB)).toEqual(qemu);
    const m = new PhysicalMemory(64 * MIB); // the loader writes below 64 MiB; the map is what is tested
    const b = loadBzImage(m, bzImage(), { ramAboveFourGiB: layout.aboveFourGiB });
    const last = b.esi + 0x2d0 + 20 * (u8(m, b.esi + 0x1e8) - 1);
    expect([u32(m, last), u32(m, last + 4), u32(m, last + 8), u32(m, last + 12), u32(m, last + 16)]).toEqual([0, 1, 512 * MIB, 0, E820_RAM]);
  });

  const initrdPath = fixture('linux/cache/initrd.gz');
  it.skipIf(!existsSync(initrdPath))('puts the initrd where QEMU put it (the RAMDISK line)', () => {
    const m = /^RAMDISK: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\]$/m.exec(transcript)!;
    const h = parseSetupHeader(new Uint8Array(readFileSync(fixture('linux/cache/vmlinuz'))));
    expect(initrdAddress(h, layout.belowFourGiB, statSync(initrdPath).size)).toBe(parseInt(m[1]!, 16));
  });
});

describe('loadBzImage refuses what it cannot boot, in one line naming the field', () => {
  const mem = () => new PhysicalMemory(64 * MIB);

  it('no "HdrS" magic', () => {
    const image = bzImage();
    image[0x205] = 0x54;
    const e = loadError(() => loadBzImage(mem(), image));
    expect(e.code).toBe('not-bzimage');
    expect(e.message).toContain('file offset 0x202');
    expect(looksLikeBzImage(image)).toBe(false);
    expect(loadError(() => loadBzImage(mem(), new Uint8Array(300))).code).toBe('not-bzimage');
  });

  it('a boot protocol older than 2.04', () => {
    const e = loadError(() => loadBzImage(mem(), bzImage({ version: 0x0203 })));
    expect(e.code).toBe('unsupported-boot-protocol');
    expect(e.message).toContain('2.03');
    expect(e.message).toContain('file offset 0x206');
    expect(() => loadBzImage(mem(), bzImage({ version: 0x0204 }))).not.toThrow();
  });

  it('a zImage (not loaded high)', () => {
    expect(loadError(() => loadBzImage(mem(), bzImage({ loadflags: 0 }))).code).toBe('unsupported-boot-protocol');
  });

  it('a truncated image: the protected-mode kernel shorter than syssize says', () => {
    const image = bzImage().subarray(0, 4 * 512 + 0x1000);
    const e = loadError(() => loadBzImage(mem(), image));
    expect(e.code).toBe('truncated-bzimage');
    expect(e.message).toContain('file offset 0x800');
  });

  it('too little RAM for the kernel to decompress into, or for the initrd', () => {
    const e = loadError(() => loadBzImage(new PhysicalMemory(16 * MIB), bzImage()));
    expect(e.code).toBe('ram-too-small');
    const suggested = Number(/use -m (\d+)M or more/.exec(e.message)![1]);
    expect(() => loadBzImage(new PhysicalMemory(suggested * MIB), bzImage())).not.toThrow();
    expect(loadError(() => loadBzImage(new PhysicalMemory((suggested - 1) * MIB), bzImage())).code).toBe('ram-too-small');
    expect(() => loadBzImage(new PhysicalMemory(24 * MIB), bzImage())).not.toThrow();
    expect(loadError(() => loadBzImage(new PhysicalMemory(24 * MIB), bzImage(), { initrd: new Uint8Array(4 * MIB) })).code).toBe('ram-too-small');
  });

  it('a command line longer than cmdline_size', () => {
    expect(loadError(() => loadBzImage(mem(), bzImage({ cmdlineSize: 10 }), { cmdline: 'x'.repeat(11) })).code).toBe('cmdline-too-long');
    expect(() => loadBzImage(mem(), bzImage({ cmdlineSize: 10 }), { cmdline: 'x'.repeat(10) })).not.toThrow();
  });

  it('code32_start below 1 MiB', () => {
    const e = loadError(() => loadBzImage(mem(), bzImage({ code32Start: 0x10000 })));
    expect(e.code).toBe('bad-bzimage-field');
    expect(e.message).toContain('file offset 0x214');
  });

  it('fails only with LoadError on corrupted and truncated images', () => {
    const base = bzImage({ kernelBytes: 0x100 });
    const m = new PhysicalMemory(32 * MIB);
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.integer({ min: 0x1f0, max: 0x270 }), value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 0x01, 0x02) }), { maxLength: 6 }),
        fc.option(fc.nat(base.length), { nil: undefined }),
        (edits, cut) => {
          const image = base.slice(0, cut ?? base.length);
          for (const e of edits) if (e.at < image.length) image[e.at] = e.value;
          try {
            loadBzImage(m, image, { cmdline: 'a', initrd: new Uint8Array(100) });
          } catch (e) {
            if (!(e instanceof LoadError)) throw e;
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
