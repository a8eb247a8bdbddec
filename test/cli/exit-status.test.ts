/**
 * Every exit status `btvm run --help` documents, each produced by a real
 * guest run through the translator (or, for 2 and 70, by the input or the
 * executor failure that documents them): the list is read from the help
 * text itself, so a status added to the help without a test here fails the
 * last test. The expected numbers come from the help text, and the guests
 * are built so that only one way of ending is possible.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import type { ExecutorFactory } from '../../src/exec/executor.js';
import { toolsFor } from '../support/external-tools.js';

const dir = mkdtempSync(join(tmpdir(), 'btvm-exit-'));
let guests = 0;

interface Ended {
  status: number;
  out: string;
  err: string;
}

async function run(args: string[], executor?: ExecutorFactory): Promise<Ended> {
  const out: Uint8Array[] = [];
  let err = '';
  const status = await runCommand(args, { io: { stdout: (b) => out.push(b), stderr: (t) => void (err += t) }, executor });
  return { status, out: Buffer.concat(out).toString('latin1'), err };
}

/** Assembles a flat 32-bit guest at 0x100000 and runs it. */
async function runGuest(body: string, extra: string[] = []): Promise<Ended> {
  const src = join(dir, `g${guests}.asm`), bin = join(dir, `g${guests++}.bin`);
  writeFileSync(src, `bits 32\norg 0x100000\n${body}\n`);
  const nasm = spawnSync('nasm', ['-f', 'bin', '-o', bin, src], { encoding: 'utf8' });
  if (nasm.status !== 0) throw new Error(`nasm: ${nasm.stderr}`);
  return run(['--flat', bin, '--load', '0x100000', '--entry', '0x100000', '--icount', ...extra]);
}

/** The statuses `btvm run --help` lists, as written there (numbers, or the isa-debug-exit formula). */
async function documentedStatuses(): Promise<string[]> {
  const help = (await run(['--help'])).out;
  const section = help.slice(help.indexOf('exit status:'));
  return [...section.matchAll(/^ {2}(\S+) {2,}/gm)].map((m) => m[1]!);
}

const tested = new Set<string>();
function statusTest(documented: string, name: string, body: () => Promise<void>): void {
  tested.add(documented);
  it(`${documented}: ${name}`, body, 30_000);
}

describe.skipIf(!toolsFor('btvm run exit statuses', 'nasm'))('btvm run exit statuses', () => {
  statusTest('(V<<1)|1', 'the guest wrote V to isa-debug-exit', async () => {
    for (const v of [0, 0x21, 0x7f]) {
      const r = await runGuest(`mov al, ${v}\nout 0xf4, al\njmp $`);
      expect(r.status, `V=${v}`).toBe((v << 1) | 1);
      expect(r.err).toBe('');
    }
  });

  statusTest('0', 'triple fault: a fault with an empty IDT', async () => {
    const r = await runGuest(`lidt [idtr]\nint3\njmp $\nidtr: dw 0\ndd 0`);
    expect(r.status).toBe(0);
    expect(r.err).toMatch(/^btvm: guest triple fault/);
  });

  statusTest('2', 'bad command line or kernel image', async () => {
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, Buffer.from('\x7fELF\x01\x01\x01 this is not a kernel'));
    for (const args of [['--no-such-option', junk], ['--max-insns', 'lots', junk], [junk], [join(dir, 'absent.elf')]]) {
      const r = await run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.err.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.err).toMatch(/^btvm: /);
    }
  });

  statusTest('4', 'the guest halted with interrupts off', async () => {
    const r = await runGuest('cli\nhlt\njmp $');
    expect(r.status).toBe(4);
  });

  statusTest('6', '--max-insns reached', async () => {
    const r = await runGuest('l: inc eax\njmp l', ['--max-insns', '5000']);
    expect(r.status).toBe(6);
    const enough = await runGuest('mov ecx, 100\nl: loop l\nmov al, 1\nout 0xf4, al\njmp $', ['--max-insns', '5000']);
    expect(enough.status).toBe(3);
  });

  statusTest('8', 'a feature btvm does not model (real mode)', async () => {
    const real = await runGuest('mov eax, cr0\nand eax, ~1\nmov cr0, eax\njmp $');
    expect(real.status).toBe(8);
    expect(real.err).toMatch(/real mode/);
  });

  statusTest('70', 'internal error in btvm (an executor that throws)', async () => {
    const bin = join(dir, 'tiny.bin');
    writeFileSync(bin, Buffer.from([0xeb, 0xfe]));
    const broken: ExecutorFactory = () => ({
      run() {
        throw new TypeError('this executor is broken on purpose');
      },
    });
    const r = await run(['--flat', bin, '--load', '0x100000', '--entry', '0x100000'], broken);
    expect(r.status).toBe(70);
    expect(r.err).toMatch(/internal error/);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('every status the help documents has a test above', async () => {
    expect((await documentedStatuses()).sort()).toEqual([...tested].sort());
  });
});

