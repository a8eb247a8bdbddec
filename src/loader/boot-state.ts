/**
 * The CPU state a loader hands to the CPU: where to start and with what
 * registers, segments and control registers.
 *
 * Loaders (multiboot.ts, flat.ts) fill guest RAM and return a BootState; the
 * VMM copies it into the virtual CPU before the first instruction. It is a
 * plain data type so loaders do not depend on the CPU's internals.
 *
 * flatProtectedMode() gives the machine state the Multiboot 0.6.96 spec
 * prescribes at kernel entry (section 3.2): protected mode with paging off
 * (CR0.PE=1, CR0.PG=0), CS a 32-bit read/execute code segment with base 0 and
 * limit 0xFFFFFFFF, DS/ES/FS/GS/SS 32-bit read/write data segments with the
 * same base and limit, EFLAGS.IF=0 and VM=0, A20 enabled. The spec leaves
 * selector values, GDTR, IDTR and ESP undefined (the kernel must set up its
 * own); we use GRUB's selectors (code 0x08, data 0x10), a zero GDTR/IDTR
 * (there is no descriptor table in guest memory — the segment registers'
 * hidden parts hold the descriptors, as after GRUB's far jump) and a stack
 * pointer at 0x7000, just below the boot information area.
 */

export interface SegmentRegisterState {
  selector: number;
  base: number;
  /** Byte-granular limit (0xFFFFFFFF for a flat 4 GiB segment). */
  limit: number;
  /** Descriptor access byte: P, DPL, S, type (0x9B code, 0x93 data). */
  access: number;
  /** D/B bit: 32-bit default operand size / stack. */
  big: boolean;
  /** G bit of the descriptor the limit came from. */
  granularity4K: boolean;
}

export interface DescriptorTableRegister {
  base: number;
  limit: number;
}

export interface BootState {
  eip: number;
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
  esp: number;
  ebp: number;
  esi: number;
  edi: number;
  eflags: number;
  cr0: number;
  cr3: number;
  cr4: number;
  cs: SegmentRegisterState;
  ds: SegmentRegisterState;
  es: SegmentRegisterState;
  fs: SegmentRegisterState;
  gs: SegmentRegisterState;
  ss: SegmentRegisterState;
  gdtr: DescriptorTableRegister;
  idtr: DescriptorTableRegister;
  a20Enabled: boolean;
}

export const BOOT_CODE_SELECTOR = 0x08;
export const BOOT_DATA_SELECTOR = 0x10;
/** Initial ESP; the spec leaves it undefined. */
export const BOOT_STACK_TOP = 0x7000;
/** CR0.PE | CR0.ET (ET is hard-wired to 1 on every CPU since the 486). */
export const BOOT_CR0 = 0x00000011;
/** EFLAGS with only the always-one bit 1 set: IF=0, VM=0, DF=0. */
export const BOOT_EFLAGS = 0x00000002;

function flatSegment(selector: number, access: number): SegmentRegisterState {
  return { selector, base: 0, limit: 0xffffffff, access, big: true, granularity4K: true };
}

/** Multiboot entry state with all general registers zero; callers set eip/eax/ebx. */
export function flatProtectedMode(eip: number): BootState {
  return {
    eip: eip >>> 0,
    eax: 0,
    ebx: 0,
    ecx: 0,
    edx: 0,
    esp: BOOT_STACK_TOP,
    ebp: 0,
    esi: 0,
    edi: 0,
    eflags: BOOT_EFLAGS,
    cr0: BOOT_CR0,
    cr3: 0,
    cr4: 0,
    cs: flatSegment(BOOT_CODE_SELECTOR, 0x9b),
    ds: flatSegment(BOOT_DATA_SELECTOR, 0x93),
    es: flatSegment(BOOT_DATA_SELECTOR, 0x93),
    fs: flatSegment(BOOT_DATA_SELECTOR, 0x93),
    gs: flatSegment(BOOT_DATA_SELECTOR, 0x93),
    ss: flatSegment(BOOT_DATA_SELECTOR, 0x93),
    gdtr: { base: 0, limit: 0 },
    idtr: { base: 0, limit: 0 },
    a20Enabled: true,
  };
}
