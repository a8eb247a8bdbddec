/**
 * QEMU's spellings of `btvm run`'s time, trace and chaining options (issue
 * 16): -icount [shift=]N, -dfilter with QEMU's range syntax, and -d nochain.
 * Each test runs a guest and looks at what the flag changes: the guest's
 * own TSC deltas, which blocks -d in_asm logs, the chained transitions in
 * --stats-json. The -dfilter expectations were read off qemu-system-i386
 * 7.2 with -d in_asm on the same kind of guest (START-SIZE is the SIZE bytes
 * ending at START, whatever the man page's example suggests).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import type { RunReport } from '../../src/cli/run-stats.js';
import { toolsFor } from '../support/external-tools.js';
import { fixture } from './run-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'btvm-qemu-flags-'));
let runs = 0;

async function run(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const status = await runCommand(args, { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
  return { status, stderr };
}

/** A flat 32-bit guest at 0x100000, assembled by nasm; returns the arguments that run it. */
function flatGuest(body: string): string[] {
  const src = join(dir, `g${runs}.asm`), bin = join(dir, `g${runs++}.bin`);
  writeFileSync(src, `bits 32\norg 0x100000\n${body}\n`);
  const nasm = spawnSync('nasm', ['-f', 'bin', '-o', bin, src], { encoding: 'utf8' });
  if (nasm.status !== 0) throw new Error(`nasm: ${nasm.stderr}`);
  return ['--flat', bin, '--load', '0x100000', '--entry', '0x100000'];
}

describe.skipIf(!toolsFor('QEMU-spelled run flags', 'nasm'))('QEMU-spelled run flags', () => {
  it('-icount shift=N and -icount N: the guest sees 2^N ns of TSC per instruction', async () => {
    // Four instructions retire between the two rdtsc reads; the exit status carries the delta.
    const guest = flatGuest('rdtsc\nmov ebx, eax\nnop\nnop\nrdtsc\nsub eax, ebx\nout 0xf4, al\njmp $');
    for (const [args, delta] of [[['-icount', '0'], 4], [['-icount', 'shift=1'], 8], [['-icount', '3'], 32], [['-icount', 'shift=3,sleep=off,align=off'], 32]] as const) {
      const r = await run([...guest, ...args]);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.status, args.join(' ')).toBe((delta << 1) | 1);
    }
    for (const bad of ['auto', 'shift=auto', 'shift=11', 'align=on', 'shift=2,sleep=on', 'shift=2,rr=record', 'x']) {
      const r = await run([...guest, '-icount', bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^btvm: .*-icount .*\n$/);
    }
  });

  it('-dfilter takes QEMU\'s START+SIZE, START-SIZE and START..END (base-0 numbers)', async () => {
    // Two blocks: one at 0x100000, one at 0x100100 (jumped to), then isa-debug-exit.
    const guest = flatGuest('mov eax, 1\njmp second\ntimes 0x100 - ($ - $$) db 0xcc\nsecond: mov al, 0\nout 0xf4, al\njmp $');
    const logged = async (filter: string): Promise<string[]> => {
      const log = join(dir, `log${runs++}.txt`);
      const r = await run([...guest, '-d', 'in_asm', '-dfilter', filter, '-D', log]);
      expect(r.status, filter).toBe(1);
      return [...readFileSync(log, 'utf8').matchAll(/^IN: (\S+)/gm)].map((m) => m[1]!.toLowerCase());
    };
    expect(await logged('0x100100-0x1')).toEqual(['0x00100100']); // [START-SIZE+1, START]
    expect(await logged('0x1000ff-0x10')).toEqual([]);            // 0x1000f0..0x1000ff: the int3 padding
    expect(await logged('0x100100+1')).toEqual(['0x00100100']);
    expect(await logged('0x1000ff+2')).toEqual(['0x00100100']);
    expect(await logged('0x100000..0x100000')).toEqual(['0x00100000']);
    expect(await logged('04000000+1,0x100100..0x100200')).toEqual(['0x00100000', '0x00100100']); // 04000000 is octal
    for (const bad of ['0x100000', '0x100000-0', '0x100000+0', '0x200..0x100', '0x100000+', '9x1+1']) {
      const r = await run([...guest, '-dfilter', bad]);
      expect(r.status, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/^btvm: -dfilter .*\n$/);
    }
  });

  it('-d nochain: no direct exit follows a chain link', async () => {
    const chained = async (extra: string[]): Promise<number> => {
      const json = join(dir, `stats${runs++}.json`);
      const r = await run([fixture('kernels/hello.elf'), '--icount', '--stats-json', json, ...extra]);
      expect(r.status).toBe(1);
      return (JSON.parse(readFileSync(json, 'utf8')) as RunReport).cache!.chainedTransitions;
    };
    expect(await chained([])).toBeGreaterThan(0);
    expect(await chained(['-d', 'nochain'])).toBe(0);
  });
});
