/**
 * Guest RAM above 2 GiB (-m up to 3584M, issue 16): fixtures/system/bigmem.elf
 * prints what it is told about memory (Multiboot map and mem_upper, fw_cfg,
 * CMOS) and writes and reads back patterns around 2 GiB, 3 GiB, 3583 MiB,
 * 3.5 GiB and in the PCI hole — paging off, paging on through a window of
 * mappings, a page table above 2 GiB and a 4 MiB page at 2 GiB, paging off
 * again — and under `btvm run` prints exactly what it printed under
 * qemu-system-i386 at -m 3584M (QEMU: 3 GiB below 4 GiB, 512 MiB above)
 * and -m 3583M (all of it below 4 GiB, up to 0xDFF00000), with shadow and
 * nested paging. Each run commits only the pages the kernel touches of the
 * 3 GiB or 3.5 GiB ArrayBuffer.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, runKernel } from './mmu-run.js';

const ELF = join(root, 'fixtures/system/bigmem.elf');
const STATUS = Number(readFileSync(join(root, 'fixtures/system/bigmem.status'), 'latin1'));
/** The kernel retires about 295 000 instructions; a run that goes wrong stops soon after. */
const MAX_INSNS = 400_000;

async function expectTranscript(transcript: string, args: readonly string[]): Promise<void> {
  const got = await runKernel(ELF, args, MAX_INSNS);
  expect(got.out).toBe(readFileSync(join(root, 'fixtures/system', transcript), 'latin1'));
  expect({ status: got.status, stderr: got.stderr }).toEqual({ status: STATUS, stderr: '' });
}

describe('RAM above 2 GiB: bigmem matches its QEMU transcripts', () => {
  for (const mmu of ['shadow', 'nested']) {
    for (const size of ['3584M', '3583M']) {
      it(`-m ${size} --mmu ${mmu}`, () => expectTranscript(`bigmem-${size}.qemu`, ['-m', size, '--mmu', mmu]), 30_000);
    }
  }
});

describe('RAM above 2 GiB: -d mmu', () => {
  it('names the machine pages from 2 GiB up that misses fill (int32 entries, negative there)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-bigmem-'));
    try {
      const log = join(dir, 'mmu.log');
      const got = await runKernel(ELF, ['-m', '3584M', '-d', 'mmu', '-D', log], MAX_INSNS);
      expect(got.status).toBe(STATUS);
      const text = readFileSync(log, 'latin1');
      // Through the page table above 2 GiB: 2 GiB itself, a store below 3 GiB, the table read through its own mapping.
      expect(text).toMatch(/^mmu: miss read {2}0x20000000\/4 cpl=0 -> machine page 0x80000000 /m);
      expect(text).toMatch(/^mmu: miss write 0x20001800\/4 cpl=0 -> machine page 0xbffff000 /m);
      expect(text).toMatch(/^mmu: miss read {2}0x20002004\/4 cpl=0 -> machine page 0x80400000 /m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('RAM above 2 GiB: code run from there (code=1), paging off and on', () => {
  for (const mmu of ['shadow', 'nested']) {
    it(`-m 3584M --mmu ${mmu}`, () => expectTranscript('bigmem-code-3584M.qemu', ['-m', '3584M', '--mmu', mmu, '--append', 'code=1']), 30_000);
  }
});
