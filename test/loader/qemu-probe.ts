/**
 * A probe kernel run under qemu-system-i386 as an independent oracle.
 *
 * buildProbeKernel() assembles (nasm) a small Multiboot kernel that, once
 * QEMU's loader has started it, reports over the isa-debugcon port 0xE9:
 * EAX and EBX at entry, CS DS ES FS GS SS, EFLAGS, CR0, the first dwords of
 * its .bss, the 88-byte Multiboot info record, the memory map, the command
 * line and the boot loader name; then it runs a script of port reads and
 * writes (reporting every read as a dword) and exits through isa-debug-exit.
 *
 * The same kernel is loaded by our Multiboot loader and the same script is
 * run against our device set, so tests compare btvm with QEMU on identical
 * input. Only used by tests; needs nasm, ld and qemu-system-i386.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolsFor } from '../support/external-tools.js';

export interface PortOp {
  dir: 'in' | 'out';
  port: number;
  size: 1 | 2 | 4;
  value?: number;
}

export interface ProbeReport {
  eax: number;
  ebx: number;
  segments: { cs: number; ds: number; es: number; fs: number; gs: number; ss: number };
  eflags: number;
  cr0: number;
  bssWords: number[];
  mbi: Uint8Array;
  mmap: Uint8Array;
  cmdline: string;
  bootLoaderName: string;
  reads: number[];
}

export const PROBE_EXIT_VALUE = 0x121;
export const BSS_WORDS = 4;

/** Whether the suite `what` can build and run probe kernels in QEMU (else one skip line naming the packages). */
export function haveQemuTools(what: string): boolean {
  return toolsFor(what, 'qemu-system-i386', 'nasm', 'ld');
}

const OPCODE = { out: { 1: 1, 2: 2, 4: 3 }, in: { 1: 4, 2: 5, 4: 6 } } as const;

function source(ops: PortOp[], format: 'elf' | 'aout'): string {
  const flags = format === 'aout' ? 0x00010003 : 0x00000003;
  const script = ops
    .map((o) => `  db ${OPCODE[o.dir][o.size]}\n  dw 0x${o.port.toString(16)}\n  dd 0x${((o.value ?? 0) >>> 0).toString(16)}`)
    .join('\n');
  return `
bits 32
${format === 'aout' ? 'org 0x100000' : 'global _start'}
${format === 'aout' ? '' : 'section .text'}
align 4
mb_header:
  dd 0x1BADB002
  dd 0x${flags.toString(16)}
  dd -(0x1BADB002 + 0x${flags.toString(16)})
${format === 'aout' ? '  dd mb_header, mb_header, load_end, bss_end, _start' : ''}
_start:
  mov esp, stack_top
  mov [saved_eax], eax
  mov [saved_ebx], ebx
  call emit32
  mov eax, ebx
  call emit32
  xor eax, eax
  mov ax, cs
  call emit32
  mov ax, ds
  call emit32
  mov ax, es
  call emit32
  mov ax, fs
  call emit32
  mov ax, gs
  call emit32
  mov ax, ss
  call emit32
  pushfd
  pop eax
  call emit32
  mov eax, cr0
  call emit32
  mov esi, bss_probe
  mov ecx, ${BSS_WORDS * 4}
  call emit_bytes
  mov ebx, [saved_ebx]
  mov esi, ebx
  mov ecx, 88
  call emit_bytes
  mov eax, [ebx + 44]
  call emit32
  mov esi, [ebx + 48]
  mov ecx, [ebx + 44]
  call emit_bytes
  mov esi, [ebx + 16]
  call emit_str
  mov esi, [ebx + 64]
  call emit_str
  mov esi, script
.next:
  movzx eax, byte [esi]
  movzx edx, word [esi + 1]
  mov ecx, [esi + 3]
  add esi, 7
  cmp al, 1
  je .outb
  cmp al, 2
  je .outw
  cmp al, 3
  je .outd
  cmp al, 4
  je .inb
  cmp al, 5
  je .inw
  cmp al, 6
  je .ind
  jmp .done
.outb:
  mov eax, ecx
  out dx, al
  jmp .next
.outw:
  mov eax, ecx
  out dx, ax
  jmp .next
.outd:
  mov eax, ecx
  out dx, eax
  jmp .next
.inb:
  xor eax, eax
  in al, dx
  call emit32
  jmp .next
.inw:
  xor eax, eax
  in ax, dx
  call emit32
  jmp .next
.ind:
  in eax, dx
  call emit32
  jmp .next
.done:
  mov dx, 0xf4
  mov eax, ${PROBE_EXIT_VALUE}
  out dx, eax
.halt:
  hlt
  jmp .halt

; emit32: eax → four bytes on port 0xE9, low first; preserves all registers.
emit32:
  push eax
  push ecx
  mov ecx, 4
.byte:
  out 0xe9, al
  shr eax, 8
  loop .byte
  pop ecx
  pop eax
  ret
; emit_bytes: ecx bytes from esi.
emit_bytes:
  push eax
  push ecx
  push esi
  test ecx, ecx
  jz .end
.loop:
  lodsb
  out 0xe9, al
  loop .loop
.end:
  pop esi
  pop ecx
  pop eax
  ret
; emit_str: NUL-terminated string at esi, including the NUL.
emit_str:
  push eax
  push esi
.loop:
  lodsb
  out 0xe9, al
  test al, al
  jnz .loop
  pop esi
  pop eax
  ret

align 4
script:
${script}
  db 0
  dw 0
  dd 0
saved_eax: dd 0
saved_ebx: dd 0
load_end:
${format === 'aout' ? 'section .bss follows=.text' : 'section .bss'}
align 16
bss_probe: resd ${BSS_WORDS}
  resb 4096
stack_top:
bss_end:
`;
}

/** Assembles the probe kernel into `dir`; returns the kernel's path. */
export function buildProbeKernel(dir: string, ops: PortOp[], format: 'elf' | 'aout'): string {
  const asm = join(dir, `probe-${format}.asm`);
  writeFileSync(asm, source(ops, format));
  if (format === 'aout') {
    const bin = join(dir, 'probe-aout.bin');
    execFileSync('nasm', ['-f', 'bin', '-o', bin, asm]);
    return bin;
  }
  const obj = join(dir, 'probe-elf.o');
  const elf = join(dir, 'probe.elf');
  execFileSync('nasm', ['-f', 'elf32', '-o', obj, asm]);
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x100000', '-e', '_start', '-o', elf, obj]);
  return elf;
}

/** Boots `kernel` in QEMU; returns the debugcon bytes, the serial output and the exit status. */
export function runInQemu(kernel: string, dir: string, memMiB: number, append: string): { debug: Uint8Array; serial: Uint8Array; status: number | null } {
  const debug = join(dir, 'debugcon.bin');
  const serial = join(dir, 'serial.bin');
  writeFileSync(debug, '');
  writeFileSync(serial, '');
  const result = spawnSync(
    'qemu-system-i386',
    ['-M', 'pc', '-accel', 'tcg', '-m', String(memMiB), '-display', 'none', '-nodefaults', '-no-reboot',
      '-kernel', kernel, '-append', append,
      '-debugcon', `file:${debug}`, '-serial', `file:${serial}`,
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'],
    { timeout: 30_000, encoding: 'buffer' },
  );
  if (result.error) throw result.error;
  return { debug: new Uint8Array(readFileSync(debug)), serial: new Uint8Array(readFileSync(serial)), status: result.status };
}

/** Decodes the probe's debugcon stream. */
export function parseProbeReport(bytes: Uint8Array, readCount: number): ProbeReport {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const u32 = () => {
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const take = (n: number) => {
    const b = bytes.slice(at, at + n);
    at += n;
    return b;
  };
  const str = () => {
    const end = bytes.indexOf(0, at);
    const s = new TextDecoder().decode(bytes.subarray(at, end));
    at = end + 1;
    return s;
  };
  const eax = u32();
  const ebx = u32();
  const [cs, ds, es, fs, gs, ss] = [u32(), u32(), u32(), u32(), u32(), u32()] as [number, number, number, number, number, number];
  const eflags = u32();
  const cr0 = u32();
  const bssWords = Array.from({ length: BSS_WORDS }, u32);
  const mbi = take(88);
  const mmapLength = u32();
  const mmap = take(mmapLength);
  const cmdline = str();
  const bootLoaderName = str();
  const reads = Array.from({ length: readCount }, u32);
  if (at !== bytes.length) throw new Error(`probe report has ${bytes.length - at} unexpected trailing bytes`);
  return { eax, ebx, segments: { cs, ds, es, fs, gs, ss }, eflags, cr0, bssWords, mbi, mmap, cmdline, bootLoaderName, reads };
}
