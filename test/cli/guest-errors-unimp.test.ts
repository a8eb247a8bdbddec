/**
 * `btvm run -d guest_errors` and `-d unimp` (QEMU's log items, issue 16):
 * a flat guest assembled here makes one mistake of each kind btvm reports
 * (a port no device decodes, an unknown MSR, a physical address with
 * neither RAM nor device, a narrow and a read-only local APIC access, a
 * write to a read-only CMOS register) and uses two device features that
 * are accepted but not modelled (the 8259's 8080 mode, a UART break). Each
 * item must log exactly its own lines, in the guest's order, and nothing
 * without the item; a known MSR (the microcode revision) is not an error.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { toolsFor } from '../support/external-tools.js';

const GUEST = `bits 32
org 0x100000
mov dx, 0x1234
in al, dx
out dx, al
in ax, dx
mov ecx, 0x12345678
rdmsr
wrmsr
mov ecx, 0x8b          ; IA32_BIOS_SIGN_ID: modelled, not logged
rdmsr
wrmsr
mov eax, [0xfd000000]
mov byte [0xfd000010], 7
mov al, [0xfee00030]   ; APIC version register, read as a byte
mov dword [0xfee00030], 5
mov al, 0x0c
out 0x70, al
out 0x71, al           ; CMOS register C is read-only
mov al, 0x11           ; ICW1: cascade, ICW4 follows
out 0x20, al
mov al, 0x20
out 0x21, al
mov al, 4
out 0x21, al
mov al, 0              ; ICW4 with uPM=0: 8080 mode
out 0x21, al
mov dx, 0x3fb
mov al, 0x43           ; LCR: 8N1 with break
out dx, al
mov al, 0
out 0xf4, al
jmp $`;

const GUEST_ERRORS = [
  'unassigned I/O port 0x1234: inb reads 0xff',
  'unassigned I/O port 0x1234: outb 0xff dropped',
  'unassigned I/O port 0x1234: inw reads 0xffff',
  'rdmsr: unknown MSR 0x12345678 reads 0 (a CPU without it raises #GP)',
  'wrmsr: unknown MSR 0x12345678 value 0x00000000:00000000 ignored (a CPU without it raises #GP)',
  'unassigned physical address 0xfd000000: read size 4 (open bus, all ones)',
  'unassigned physical address 0xfd000010: write size 1 value 0x7 dropped',
  'apic: access narrower than 32 bits: read at 0x030 size 1, reads 0',
  'apic: read-only register: write 0x5 at 0x030 size 4, ignored',
  'cmos: write 0xc to read-only register C ignored',
];
const UNIMP = [
  'pic master: unimplemented ICW4 8080 mode (uPM=0): acknowledges stay 8086-style',
  'serial: unimplemented break (LCR bit 6): not sent',
];

describe.skipIf(!toolsFor('-d guest_errors and unimp', 'nasm'))('-d guest_errors and -d unimp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-guest-errors-'));
  const src = join(dir, 'g.asm'), bin = join(dir, 'g.bin');
  writeFileSync(src, GUEST);
  const nasm = spawnSync('nasm', ['-f', 'bin', '-o', bin, src], { encoding: 'utf8' });
  if (nasm.status !== 0) throw new Error(`nasm: ${nasm.stderr}`);

  const logged = async (items: string[]): Promise<string[]> => {
    let stderr = '';
    const d = items.length === 0 ? [] : ['-d', items.join(',')];
    const status = await runCommand(['--flat', bin, '--load', '0x100000', '--entry', '0x100000', '--icount', ...d],
      { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
    expect(status).toBe(1);
    return stderr.split('\n').filter((l) => l !== '');
  };

  it('guest_errors logs each mistake once, in order', async () => {
    expect(await logged(['guest_errors'])).toEqual(GUEST_ERRORS);
  });

  it('unimp logs the features used but not modelled', async () => {
    expect(await logged(['unimp'])).toEqual(UNIMP);
  });

  it('both together interleave; neither: nothing', async () => {
    expect(await logged(['guest_errors', 'unimp'])).toEqual([...GUEST_ERRORS, ...UNIMP]);
    expect(await logged([])).toEqual([]);
  });
});
