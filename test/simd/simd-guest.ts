/**
 * Runs a 32-bit nasm snippet as a flat ring-0 guest through the whole
 * machine (lifter → codegen → cache → dispatcher → the monitor's simd
 * routine → the SIMD unit) and returns the registers and memory it left.
 * The snippet ends the run with `out 0xf4, al` (isa-debug-exit); faults are
 * delivered through an IDT the test sets up itself when it needs one.
 */
import { Btvm, flatImage } from '../../src/api/index.js';
import { assembleSnippets } from '../support/nasm.js';

export const LOAD = 0x10000;

export interface GuestEnd {
  readonly vm: Btvm;
  readonly regs: ReturnType<Btvm['registers']>;
  /** `n` bytes of guest memory at `addr`. */
  mem(addr: number, n: number): Uint8Array;
  /** The little-endian dword at `addr`. */
  dword(addr: number): number;
}

/** Assembles `src` at LOAD (nasm syntax, lines separated by newlines) and runs it on `cpu` (default model when omitted). */
export async function runGuest(src: string, cpu?: string): Promise<GuestEnd> {
  const [code] = assembleSnippets([`org 0x${LOAD.toString(16)}\n${src}`]);
  const vm = new Btvm(flatImage(code!, LOAD, LOAD), { memory: 1 << 21, maxInsns: 100_000, icountShift: 0, ...(cpu === undefined ? {} : { cpu }) });
  await vm.run();
  const mem = (addr: number, n: number): Uint8Array => vm.readMemory(addr, n);
  return {
    vm, regs: vm.registers(), mem,
    dword: (addr) => new DataView(mem(addr, 4).buffer.slice(0)).getUint32(0, true),
  };
}

/** Sets CR4.OSFXSR and OSXMMEXCPT: the prologue of every SSE test guest. */
export const ENABLE_SSE = 'mov eax, cr4\nor eax, 0x600\nmov cr4, eax';
