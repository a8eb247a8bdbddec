/**
 * `btvm run`'s QEMU-spelled boot flags: -kernel, -initrd and -append (one
 * dash or two, as qemu-system-i386 takes them) next to the older
 * `btvm run KERNEL --append`; a bzImage becomes a Linux guest whose -initrd
 * is one file, anything else a Multiboot kernel whose -initrd is a module
 * list; a bad bzImage is one line on stderr and exit status 2.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunArgs, runCommand, RUN_USAGE } from '../../src/cli/commands/run.js';
import { UsageError } from '../../src/cli/failure.js';
import { fixture } from './run-capture.js';
import { bzImage } from '../support/synthetic-bzimage.js';

const dir = mkdtempSync(join(tmpdir(), 'btvm-flags-'));
const linux = join(dir, 'bzImage');
writeFileSync(linux, bzImage());
const initrd = join(dir, 'initrd.gz');
writeFileSync(initrd, 'ramdisk');
const hello = fixture('kernels/hello.elf');

function image(argv: string[]) {
  const parsed = parseRunArgs(argv);
  if (typeof parsed === 'string') throw new Error(`parsed as ${parsed}`);
  return parsed.image;
}

async function run(argv: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const status = await runCommand(argv, { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
  return { status, stderr };
}

describe('btvm run -kernel -initrd -append', () => {
  it('takes QEMU\'s one-dash spelling and the two-dash one, for a Linux bzImage', () => {
    for (const argv of [
      ['-kernel', linux, '-initrd', initrd, '-append', 'console=ttyS0 quiet'],
      ['--kernel', linux, '--initrd', initrd, '--append', 'console=ttyS0 quiet'],
      ['--kernel=' + linux, '--initrd=' + initrd, '--append=console=ttyS0 quiet'],
      [linux, '-initrd', initrd, '--append', 'console=ttyS0 quiet'],
    ]) {
      const got = image(argv);
      expect(got.kind, argv.join(' ')).toBe('linux');
      if (got.kind !== 'linux') continue;
      expect(got.cmdline).toBe('console=ttyS0 quiet');
      expect(new TextDecoder().decode(got.initrd)).toBe('ramdisk');
    }
  });

  it('passes -initrd to a Multiboot kernel as modules named by their items', () => {
    const got = image(['-kernel', hello, '-initrd', `${initrd} a=1,${linux}`, '-append', 'x']);
    expect(got.kind).toBe('multiboot');
    if (got.kind !== 'multiboot') return;
    expect(got.modules!.map((m) => [m.cmdline, m.bytes.length])).toEqual([[`${initrd} a=1`, 7], [linux, bzImage().length]]);
    const plain = image([hello, '--append', 'y']);
    expect(plain.kind === 'multiboot' && plain.cmdline === 'y' && plain.modules === undefined).toBe(true);
  });

  it('refuses two kernels, -initrd with --flat, and a flag without its value', () => {
    for (const argv of [[hello, '-kernel', linux], ['-kernel', hello, hello], ['--flat', initrd, '--load', '1', '--entry', '1', '-initrd', initrd], ['-kernel'], [hello, '-initrd'], [hello, '-append']]) {
      expect(() => parseRunArgs(argv), argv.join(' ')).toThrow(UsageError);
    }
  });

  it('says so in --help', () => {
    expect(RUN_USAGE).toMatch(/-kernel KERNEL/);
    expect(RUN_USAGE).toMatch(/-initrd FILE/);
    expect(RUN_USAGE).toMatch(/-append CMDLINE/);
  });

  it('reports a bad bzImage in one line with exit status 2', async () => {
    const cases: [string, Uint8Array, RegExp][] = [
      ['old', bzImage({ version: 0x0201 }), /boot protocol 2\.01 at file offset 0x206/],
      ['truncated', bzImage().subarray(0, 0x900), /truncated.*file offset 0x800/],
      ['small', bzImage({ initSize: 0x7000000 }), /too small: use -m \d+M or more/],
    ];
    for (const [name, bytes, message] of cases) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const r = await run(['-kernel', path]);
      expect(r.status, name).toBe(2);
      expect(r.stderr).toMatch(/^btvm: [^\n]*\n$/);
      expect(r.stderr).toMatch(message);
    }
  });
});
