/**
 * `-d in_asm` heads a block with the function it starts in (`IN: kmain`),
 * as QEMU does, and with its address when no function holds it (QEMU then
 * prints a bare `IN:`). QEMU's rule (FunctionRanges in
 * src/loader/elf32-symbol-index.ts): defined STT_FUNC symbols covering
 * [value, value + size). The oracle is qemu-system-i386's own -d in_asm log
 * of the same kernel: every block both translate at the same address must
 * carry the same name.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FunctionRanges } from '../../../src/loader/elf32-symbol-index.js';
import { toolsFor } from '../../support/external-tools.js';
import { fixture, runKernel } from '../run-capture.js';

const intmath = fixture('kernels/intmath.elf');
const haveQemu = toolsFor('-d in_asm names vs QEMU', 'qemu-system-i386');

/** One -d in_asm run of intmath.elf, shared by the tests (about 2 s on a quiet machine). */
let btvmRun: Promise<{ status: number; heads: Map<number, string> }> | null = null;
const btvmHeads = () => (btvmRun ??= runKernel(intmath, ['--icount', '-d', 'in_asm'], { logFile: true })
  .then((r) => ({ status: r.status, heads: blockHeads(r.logFile!) })));

/** Each `IN:` header's text and the address of the instruction listed after it. */
function blockHeads(log: string): Map<number, string> {
  const heads = new Map<number, string>();
  for (const m of log.matchAll(/^IN:(.*)\n(?:-+\n)?0x([0-9a-f]{8}):/gm)) heads.set(parseInt(m[2]!, 16), m[1]!.trim());
  return heads;
}

describe('-d in_asm: IN: names the function', () => {
  it('FunctionRanges: a function covers [value, value + size); a symbol without a size covers nothing', () => {
    const f = new FunctionRanges([
      { name: 'b', value: 0x2000, size: 0x10 }, { name: 'a', value: 0x1000, size: 4 }, { name: 'label', value: 0x3000, size: 0 },
    ]);
    expect([0xfff, 0x1000, 0x1003, 0x1004, 0x2000, 0x200f, 0x2010, 0x3000].map((a) => f.nameAt(a)))
      .toEqual([undefined, 'a', 'a', undefined, 'b', 'b', undefined, undefined]);
    expect(new FunctionRanges([]).nameAt(0)).toBeUndefined();
  });

  it('intmath.elf: blocks in C functions are headed by the name, the assembler entry label by its address', { timeout: 30_000 }, async () => {
    const { status, heads } = await btvmHeads();
    expect(status).toBe(1);
    expect(heads.size).toBeGreaterThan(50);
    // _start (0x10000c) is a label with no size: QEMU prints no name there, btvm the address.
    expect(heads.get(0x10000c)).toBe('0x0010000c');
    const names = new Set(heads.values());
    for (const f of ['kmain', 'fib', 'ackermann', 'hanoi', 'rt_printf']) expect(names.has(f), f).toBe(true);
    for (const [address, head] of heads) if (head.startsWith('0x')) expect(parseInt(head, 16)).toBe(address);
  });

  it.skipIf(!haveQemu)('every block QEMU also translated carries the name QEMU -d in_asm gives it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-inasm-'));
    const qemuLog = join(dir, 'qemu.log');
    const q = spawnSync('qemu-system-i386', ['-kernel', intmath, '-display', 'none', '-serial', 'null', '-no-reboot',
      '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04', '-d', 'in_asm', '-D', qemuLog], { timeout: 20_000 });
    expect(q.status).toBe(1);
    const qemu = blockHeads(readFileSync(qemuLog, 'utf8'));
    const btvm = (await btvmHeads()).heads;
    let compared = 0, named = 0;
    for (const [address, head] of btvm) {
      const theirs = qemu.get(address);
      if (theirs === undefined) continue;
      compared++;
      if (theirs !== '') named++;
      expect([address.toString(16), head]).toEqual([address.toString(16), theirs === '' ? `0x${address.toString(16).padStart(8, '0')}` : theirs]);
    }
    expect(compared).toBeGreaterThan(100);
    expect(named).toBeGreaterThan(100);
  }, 30_000);
});
