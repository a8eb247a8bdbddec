/**
 * `btvm run` as a user meets it: option errors are one line and exit 2, the
 * exit status follows the guest, console output reaches stdout. The guest
 * here is scripted (see machine.test.ts) so this runs without the translator.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMemorySize, runCommand, type RunIo } from '../../src/cli/commands/run.js';
import type { ExecutorFactory } from '../../src/exec/executor.js';
import { routineIndex } from '../../src/vmm-interface/interface.js';

function capture(): { io: RunIo; out: () => string; err: () => string } {
  const out: Uint8Array[] = [];
  let err = '';
  return {
    io: { stdout: (b) => out.push(b), stderr: (t) => void (err += t) },
    out: () => Buffer.concat(out).toString('latin1'),
    err: () => err,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'btvm-run-'));
const flatFile = join(dir, 'guest.bin');
writeFileSync(flatFile, Buffer.from('hi!\n'));

/** A guest that writes the 4 bytes of its image to COM1 and exits with V=7. */
const printer: ExecutorFactory = (p) => ({
  run() {
    for (let i = 0; i < 4; i++) p.monitor.emulate(routineIndex('out'), 0, 0x3f8, p.memory.read8(0x2000 + i), 1);
    p.monitor.emulate(routineIndex('out'), 0, 0xf4, 7, 1);
    p.cpu.icount += 5;
    p.events();
  },
});

describe('btvm run', () => {
  it('prints guest serial output and exits with the isa-debug-exit status', async () => {
    const c = capture();
    const status = await runCommand(['--flat', flatFile, '--load', '0x2000', '--entry', '0x2000', '-m', '4'], { io: c.io, executor: printer });
    expect(c.out()).toBe('hi!\n');
    expect(status).toBe(15);
    expect(c.err()).toBe('');
  });

  it('--stats reports counts on stderr (the table itself is tested in test/cli/)', async () => {
    const c = capture();
    await runCommand(['--flat', flatFile, '--load', '0x2000', '--entry', '0x2000', '--stats', '--icount'], { io: c.io, executor: printer });
    expect(c.err()).toMatch(/^btvm: run statistics\n/);
    expect(c.err()).toMatch(/\n {4}instructions executed +5\n/);
    expect(c.err()).toMatch(/\n {6}out +5\n/);
  });

  for (const [args, msg] of [
    [[], /no kernel given/],
    [['--bogus', 'k'], /unknown option '--bogus'/],
    [['-m', '3x', 'k'], /bad memory size/],
    [['-d', 'nope', 'k'], /unknown -d item 'nope'/],
    [['--virt=vmx', 'k'], /--virt must be bt or trap/],
    [['--flat', flatFile, '--load', '0'], /--flat needs --load ADDR and --entry ADDR/],
    [[join(dir, 'missing.elf')], /ENOENT|no such file/],
    [[flatFile], /no Multiboot header/],
  ] as const) {
    it(`bad input ${JSON.stringify(args)} is one line on stderr and exit 2`, async () => {
      const c = capture();
      const status = await runCommand([...args], { io: c.io, executor: printer });
      expect(status).toBe(2);
      expect(c.err()).toMatch(msg);
      expect(c.err().trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('--help documents the exit statuses', async () => {
    const c = capture();
    expect(await runCommand(['--help'], { io: c.io })).toBe(0);
    expect(c.out()).toMatch(/exit status:[\s\S]*\(V<<1\)\|1[\s\S]*halted/);
  });

  it('parses QEMU-style memory sizes', () => {
    expect(parseMemorySize('128')).toBe(128 << 20);
    expect(parseMemorySize('64M')).toBe(64 << 20);
    expect(parseMemorySize('1G')).toBe(1 << 30);
    expect(parseMemorySize('2048K')).toBe(2 << 20);
  });
});
