/**
 * The native harness's protocol, written once for every differential test
 * (fixtures/README.md §1 is the specification): the memory map, the input
 * line a case is sent as, and the output line the host CPU answers with.
 * Tests that run the same case through btvm format btvm's final state with
 * `formatState`/`formatFault`, so the two sides compare as strings after
 * `maskFlags` clears what the SDM leaves undefined.
 */

/** Code region: RWX, the snippet at its start, then the exit sequence. */
export const CODE_BASE = 0x2000_0000;
export const CODE_SIZE = 0x1_0000;
/** Data region: RW, 64 KiB filled from the case's seed (data-region.ts). */
export const DATA_BASE = 0x1000_0000;
export const DATA_SIZE = 0x1_0000;
/** The stack pointer cases normally start with (inside the data region). */
export const DEFAULT_ESP = 0x1000_f000;
/** EFLAGS bits the harness takes from a case and reports: OF DF SF ZF AF PF CF. */
export const FLAG_MASK = 0x0cd5;
export const CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, DF = 0x400, OF = 0x800;
/** OF SF ZF AF PF CF: the arithmetic flags. */
export const OSZAPC = 0x8d5;
/** `jmp dword [ss:0x2000FFFC]`: how the harness's guest code returns to the harness. */
export const EXIT_SEQUENCE: readonly number[] = [0x36, 0xff, 0x25, 0xfc, 0xff, 0x00, 0x20];
/** The dword the exit sequence jumps through (the harness stores its epilogue address there). */
export const EXIT_SLOT = CODE_BASE + 0xfffc;

/** Vector names as the harness prints them (its trap-number table). */
export const VECTOR_NAMES: readonly string[] = [
  'DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', 'CSO',
  'TS', 'NP', 'SS', 'GP', 'PF', 'RES15', 'MF', 'AC', 'MC', 'XM',
];
export const vectorName = (v: number): string => VECTOR_NAMES[v] ?? 'VEC?';

/** One case's inputs: EAX ECX EDX EBX ESP EBP ESI EDI, EFLAGS (only FLAG_MASK bits count), data seed. */
export interface CaseInput {
  readonly regs: readonly number[];
  readonly eflags: number;
  readonly seed: number;
}

export const hex8 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
export const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** The harness input line for a case: `CODEHEX EAX … EDI EFLAGS SEED`. */
export function formatCaseLine(code: Uint8Array, input: CaseInput): string {
  const parts = [code.length ? toHex(code) : '-'];
  for (const r of input.regs) parts.push((r >>> 0).toString(16));
  parts.push((input.eflags >>> 0).toString(16), (input.seed >>> 0).toString(16));
  return parts.join(' ');
}

/** A normal exit: `EAX … EDI EFLAGS CHECKSUM`. */
export function formatState(regs: ArrayLike<number>, eflags: number, checksum: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) parts.push(hex8(regs[i]!));
  parts.push(hex8(eflags & FLAG_MASK), hex8(checksum));
  return parts.join(' ');
}

/** A fault: `FAULT VEC OFFSET EAX … EDI EFLAGS CHECKSUM`, OFFSET = EIP − CODE_BASE. */
export function formatFault(vector: string, eip: number, regs: ArrayLike<number>, eflags: number, checksum: number): string {
  return `FAULT ${vector} ${hex8(eip - CODE_BASE)} ${formatState(regs, eflags, checksum)}`;
}

/** A harness output line taken apart. */
export interface StateLine {
  /** null for a normal exit. */
  readonly fault: { readonly vector: string; readonly offset: number } | null;
  readonly regs: readonly number[];
  readonly eflags: number;
  readonly checksum: number;
}

export function parseStateLine(line: string): StateLine | null {
  const f = line.trim().split(/\s+/);
  const at = f[0] === 'FAULT' ? 3 : 0;
  if (f.length !== at + 10) return null;
  const nums = f.slice(at).map((x) => parseInt(x, 16) >>> 0);
  return {
    fault: at ? { vector: f[1]!, offset: parseInt(f[2]!, 16) >>> 0 } : null,
    regs: nums.slice(0, 8),
    eflags: nums[8]!,
    checksum: nums[9]!,
  };
}

/** Clear the flag bits `undef` in the EFLAGS field of a harness-format line (other lines pass unchanged). */
export function maskFlags(line: string, undef: number): string {
  if (undef === 0) return line;
  const f = line.split(' ');
  const i = f[0] === 'FAULT' ? 11 : 8;
  if (f.length === i + 2) f[i] = hex8(parseInt(f[i]!, 16) & ~undef);
  return f.join(' ');
}
