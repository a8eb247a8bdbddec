/**
 * Multiboot modules from `-initrd "FILE ARGS,FILE"`, against QEMU: a probe
 * kernel prints on COM1 what its info structure says about modules
 * (mods_count; for each record: mod_start's offset in its page, whether it
 * starts above the kernel and the previous module, the length, a checksum
 * of the bytes it covers, its string) and exits through isa-debug-exit;
 * booted by qemu-system-i386 and by `btvm run` with the same flags, both
 * must print the same. The addresses themselves differ by design: QEMU puts
 * its command lines and module records in pages between the kernel and the
 * modules, btvm in its boot information page (multiboot.ts). Plus the list
 * syntax and the errors, without QEMU.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/cli/commands/run.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { LoadError } from '../../src/loader/load-error.js';
import { loadMultiboot } from '../../src/loader/multiboot.js';
import { moduleFileName, placeModules, splitModuleList } from '../../src/loader/multiboot-modules.js';
import { haveQemuTools } from './qemu-probe.js';

const dir = mkdtempSync(join(tmpdir(), 'btvm-mods-'));

/** Prints "mods N" then per module "PAGE-OFFSET ABOVE LENGTH SUM cmdline" in hex, one line each. */
const PROBE = `
bits 32
section .text
align 4
  dd 0x1BADB002, 3, -(0x1BADB002 + 3)
global _start
_start:
  mov esp, stack_top
  mov ebx, ebx
  mov esi, mods_text
  call puts
  mov eax, [ebx + 20]
  call puthex
  call newline
  mov ecx, [ebx + 20]
  mov edi, [ebx + 24]
  mov ebp, kernel_end
.module:
  test ecx, ecx
  jz .done
  mov eax, [edi]
  and eax, 0xfff
  call puthex
  call space
  xor eax, eax
  cmp [edi], ebp
  setae al
  call puthex
  call space
  mov ebp, [edi + 4]
  mov eax, ebp
  sub eax, [edi]
  call puthex
  call space
  push ecx
  mov esi, [edi]
  mov ecx, [edi + 4]
  sub ecx, esi
  xor eax, eax
  xor edx, edx
.sum:
  test ecx, ecx
  jz .summed
  movzx edx, byte [esi]
  imul eax, eax, 31
  add eax, edx
  inc esi
  dec ecx
  jmp .sum
.summed:
  pop ecx
  call puthex
  call space
  mov esi, [edi + 8]
  call puts
  call newline
  add edi, 16
  dec ecx
  jmp .module
.done:
  mov dx, 0xf4
  mov eax, 0x21
  out dx, eax
  hlt

putc:                 ; al → COM1
  push edx
  mov dx, 0x3f8
  out dx, al
  pop edx
  ret
puts:                 ; NUL-terminated string at esi
  push eax
  push esi
.next:
  lodsb
  test al, al
  jz .end
  call putc
  jmp .next
.end:
  pop esi
  pop eax
  ret
puthex:               ; eax as 8 hex digits
  push eax
  push ecx
  push edx
  mov edx, eax
  mov ecx, 8
.digit:
  rol edx, 4
  mov eax, edx
  and eax, 15
  mov al, [hexdigits + eax]
  call putc
  loop .digit
  pop edx
  pop ecx
  pop eax
  ret
space:
  push eax
  mov al, ' '
  call putc
  pop eax
  ret
newline:
  push eax
  mov al, 10
  call putc
  pop eax
  ret

section .data
hexdigits: db '0123456789abcdef'
mods_text: db 'mods ', 0
section .bss
  resb 0x3000         ; so the kernel ends off a page boundary, with bss
stack_top:
kernel_end:
`;

function buildProbe(): string {
  writeFileSync(join(dir, 'mods.asm'), PROBE);
  execFileSync('nasm', ['-f', 'elf32', '-o', join(dir, 'mods.o'), join(dir, 'mods.asm')]);
  const elf = join(dir, 'mods.elf');
  execFileSync('ld', ['-m', 'elf_i386', '-Ttext', '0x100000', '-e', '_start', '-o', elf, join(dir, 'mods.o')]);
  return elf;
}

describe.skipIf(!haveQemuTools('Multiboot modules vs QEMU'))('Multiboot modules agree with QEMU', () => {
  it('mods_count, placement, command lines and contents', async () => {
    const kernel = buildProbe();
    const a = join(dir, 'a.bin');
    const b = join(dir, 'b,c.bin');
    writeFileSync(a, new Uint8Array(5000).map((_, i) => (i * 37) ^ (i >> 8)));
    writeFileSync(b, 'second module\n');
    const initrd = `${a} first arg=1,${b.replace(',', ',,')}`;
    const serial = join(dir, 'serial.txt');
    const q = spawnSync('qemu-system-i386', ['-M', 'pc', '-m', '64', '-display', 'none', '-nodefaults', '-no-reboot',
      '-kernel', kernel, '-initrd', initrd, '-append', 'x', '-serial', `file:${serial}`,
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04'], { timeout: 30_000 });
    expect(q.status).toBe(0x43);
    const qemu = readFileSync(serial, 'latin1');
    expect(qemu).toMatch(/^mods 00000002\n/);
    expect(qemu).toContain(` ${a} first arg=1\n`);
    expect(qemu).toContain(` ${b}\n`);

    const out: Uint8Array[] = [];
    let stderr = '';
    const status = await runCommand(['-kernel', kernel, '-initrd', initrd, '-append', 'x', '-m', '64M'], {
      io: { stdout: (bytes) => out.push(bytes), stderr: (t) => void (stderr += t) },
    });
    expect({ out: Buffer.concat(out).toString('latin1'), status, stderr }).toEqual({ out: qemu, status: 0x43, stderr: '' });
  }, 60_000);
});

describe('Multiboot module lists', () => {
  it('splits at single commas, ",," being a comma, and takes the file name up to the first space', () => {
    expect(splitModuleList('a,b c,d,,e f')).toEqual(['a', 'b c', 'd,e f']);
    expect(splitModuleList('x')).toEqual(['x']);
    expect(['a', 'b c', 'd,e f'].map(moduleFileName)).toEqual(['a', 'b', 'd,e']);
  });

  it('places modules in whole pages from the kernel start, the first above its end', () => {
    const m = (n: number) => ({ cmdline: 'm', bytes: new Uint8Array(n) });
    expect(placeModules(1 << 24, 0x100000, 0x103001, [m(10), m(4096), m(0)])).toEqual([
      { start: 0x104000, end: 0x10400a, cmdline: 'm' },
      { start: 0x105000, end: 0x106000, cmdline: 'm' },
      { start: 0x106000, end: 0x106000, cmdline: 'm' },
    ]);
    expect(placeModules(1 << 24, 0x100800, 0x101000, [m(1)])[0]!.start).toBe(0x101800);
  });

  it('refuses modules beyond RAM with a LoadError', () => {
    const kernel = new Uint8Array(readFileSync('fixtures/kernels/hello.elf'));
    expect(() => loadMultiboot(new PhysicalMemory(2 << 20), kernel, { modules: [{ cmdline: 'big', bytes: new Uint8Array(1 << 20) }] })).toThrow(LoadError);
  });
});
