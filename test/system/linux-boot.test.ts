/**
 * Debian 12's own i386 kernel (fixtures/linux/fetch.sh) entered through the
 * 32-bit boot protocol: `btvm run -kernel vmlinuz -initrd initrd.gz -append …`
 * under both MMUs, for a bounded number of instructions.
 *
 * - With `nokaslr earlyprintk=serial,ttyS0,115200` the compressed kernel's
 *   own code runs from code32_start, relocates itself, finds boot_params
 *   through ESI, reads the command line through cmd_line_ptr, programs the
 *   UART and prints "KASLR disabled: 'nokaslr' on cmdline." (about 1.5
 *   million instructions in), with no exception on the way.
 * - Without `nokaslr` it takes the KASLR path, whose CPU-feature probe runs
 *   the first x87 instruction (fninit): the only exception allowed in that
 *   stretch is #UD at an x87 instruction, until btvm has an FPU.
 *
 * BTVM_LINUX_FULL=1 adds the decompression and the kernel proper with
 * earlyprintk for 2 billion instructions (minutes): its earlyprintk lines
 * must show QEMU's E820 map and initrd placement (fixtures/linux/boot.qemu).
 * The whole boot through /init is linux-full-boot.test.ts; an interactive
 * shell session, linux-shell.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { root } from './mmu-run.js';

const cache = join(root, 'fixtures/linux/cache');
const kernel = join(cache, 'vmlinuz');
const initrd = join(cache, 'initrd.gz');
const haveGuest = existsSync(kernel) && existsSync(initrd);
if (!haveGuest) console.log('linux-boot: skipped, no Debian guest in fixtures/linux/cache (run fixtures/linux/fetch.sh; needs apt-get, cpio)');

const scratch = mkdtempSync(join(tmpdir(), 'btvm-linux-'));
let runs = 0;

async function boot(append: string, mmu: string, maxInsns: number, debug = 'int'): Promise<{ out: string; status: number; stderr: string; log: string }> {
  const out: Uint8Array[] = [];
  let stderr = '';
  const logFile = join(scratch, `log-${runs++}.txt`);
  const status = await runCommand(
    ['-kernel', kernel, '-initrd', initrd, '-append', append, '--mmu', mmu, '--icount', '--max-insns', String(maxInsns), '-d', debug, '-D', logFile],
    { io: { stdout: (b) => out.push(b), stderr: (t) => void (stderr += t) } },
  );
  return { out: Buffer.concat(out).toString('latin1'), status, stderr, log: readFileSync(logFile, 'latin1') };
}

/** The exceptions `-d int` logged: vector and EIP. */
function exceptions(log: string): { vector: number; eip: number }[] {
  return [...log.matchAll(/v=([0-9a-f]{2}) e=[0-9a-f]+ i=0 cpl=\d IP=[0-9a-f]+:([0-9a-f]+)/g)].map((m) => ({
    vector: parseInt(m[1]!, 16),
    eip: parseInt(m[2]!, 16),
  }));
}

/** The mnemonic `-d in_asm` printed for the instruction at `eip`. */
function mnemonicAt(log: string, eip: number): string | undefined {
  return new RegExp(`^0x${eip.toString(16).padStart(8, '0')}:\\s+(\\S+)`, 'm').exec(log)?.[1];
}

const EXIT_INSN_LIMIT = 6;

describe.skipIf(!haveGuest)('Debian 12 i386 kernel through the 32-bit boot protocol', () => {
  for (const mmu of ['shadow', 'nested']) {
    it(`--mmu ${mmu}: the decompressor reads boot_params and its command line and prints on COM1`, async () => {
      const r = await boot('console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr', mmu, 2_500_000);
      expect(r.out).toContain("KASLR disabled: 'nokaslr' on cmdline.");
      expect(exceptions(r.log)).toEqual([]);
      expect(r.status).toBe(EXIT_INSN_LIMIT);
    }, 60_000);

    it(`--mmu ${mmu}: on the KASLR path nothing faults before the first x87 instruction`, async () => {
      const r = await boot('console=ttyS0', mmu, 3_000_000, 'int,in_asm');
      const first = exceptions(r.log)[0];
      if (first !== undefined) {
        expect(first.vector).toBe(6);
        expect(mnemonicAt(r.log, first.eip)).toMatch(/^f/);
      }
      expect(r.status).not.toBe(70);
    }, 60_000);
  }

  it.skipIf(!process.env.BTVM_LINUX_FULL)('the kernel proper starts and sees QEMU\'s memory map and initrd placement', async () => {
    // panic=-1 reboot=t: a panic (today: at the first x87 instruction) resets the machine, ending the run.
    const r = await boot('console=ttyS0 earlyprintk=serial,ttyS0,115200 nokaslr panic=-1 reboot=t', 'shadow', 8_000_000_000);
    const lines = r.out.replace(/\r/g, '').split('\n').map((l) => l.replace(/^\[ *\d+\.\d+\] /, ''));
    expect(lines.some((l) => l.startsWith('Linux version 6.1.0-'))).toBe(true);
    const qemu = readFileSync(join(root, 'fixtures/linux/boot.qemu'), 'latin1').split('\n');
    for (const prefix of ['BIOS-e820:', 'RAMDISK:']) {
      const want = qemu.filter((l) => l.startsWith(prefix));
      expect(want.length).toBeGreaterThan(0);
      expect(lines.filter((l) => l.startsWith(prefix))).toEqual(want);
    }
  }, 3_600_000);
});
