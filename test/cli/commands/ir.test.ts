/*
 * `btvm ir` on the committed fixture kernel hello.elf: serial_init
 * (0x10002b) writes seven constant bytes to UART ports. objdump's listing of
 * hello.asm says which (port, value) pairs; after the passes every one of
 * them must be a constant argument of its `emulate out`, and the command
 * must show every stage and mark the seven VMM calls. Bad input: one line
 * on stderr, exit 2.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { irCommand } from '../../../src/cli/commands/ir.js';
import { runKernel } from '../run-capture.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const hello = join(root, 'fixtures', 'kernels', 'hello.elf');

async function run(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '', err = '';
  const status = await irCommand(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { status, out, err };
}

/** The IR after the last pass that changed it: the last `== after` section with a block. */
function finalIr(out: string): string {
  return out.split('\n== ').filter((p) => p.startsWith('after ') && !/^after [\w-]+: unchanged/.test(p)).at(-1) ?? '';
}

/** The section of the output that starts with `== title`. */
function section(out: string, title: string, nth = 0): string {
  const parts = out.split('\n== ').filter((p) => p.startsWith(title));
  return parts[nth] ?? '';
}

describe('btvm ir', () => {
  it('shows serial_init of hello.elf through every stage, with the port writes folded to constants', async () => {
    const r = await run([hello, '--at', '0x10002b']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^== guest code at 0x0010002b: 26 instructions, 54 bytes/);
    expect(r.out.match(/<- VMM call: emulate out/g)).toHaveLength(7);
    expect(r.out).toContain('  00100033:  ee                    out    dx,al    <- VMM call: emulate out');
    for (const title of ['lifted IR', 'after const-fold', 'after get-put', 'after dead-code', 'after flag-liveness', 'generated JavaScript']) {
      expect(r.out).toContain(`\n== ${title}`);
    }
    // (port, value) of each `out dx,al`, as objdump -d shows hello.elf's serial_init.
    const expected = [[0x3f9, 0], [0x3fb, 0x80], [0x3f8, 1], [0x3f9, 0], [0x3fb, 3], [0x3fa, 0xc7], [0x3fc, 0xb]];
    const optimised = finalIr(r.out);
    const outs = [...optimised.matchAll(/emulate out\((\w+), (\w+), 1\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(outs).toEqual(expected);
    expect(section(r.out, 'generated JavaScript')).toMatch(/^generated JavaScript \(registers in JS locals\)\nreturn \(function region_0010002b/);
  });

  it('prints a pass\'s block only when the pass changed it', async () => {
    const r = await run([hello, '--at', '0x10002b']);
    const titles = [...r.out.matchAll(/^== after ([\w-]+)(: unchanged)?$/gm)];
    expect(titles.length).toBeGreaterThan(1);
    let previous = section(r.out, 'lifted IR').replace(/^lifted IR\n/, '');
    for (const t of titles) {
      const body = section(r.out, `after ${t[1]}`, titles.filter((u) => u.index! < t.index! && u[1] === t[1]).length).replace(/^.*\n/, '');
      if (t[2] === undefined) {
        expect(body, `after ${t[1]} is printed, so it must differ`).not.toBe(previous);
        previous = body;
      } else expect(body).toBe('');
    }
    expect(titles.some((t) => t[2] !== undefined)).toBe(true);
  });

  it('gives a block the mode word btvm run -d ir gives it', async () => {
    const ir = await run([hello, '--at', '0x10002b']);
    const header = /^block 0x0010002b mode=0x[0-9a-f]+ /m.exec(ir.out)?.[0];
    const traced = await runKernel(hello, ['-d', 'ir', '--trace-filter', '0x10002b'], { logFile: true });
    expect(header).toBeDefined();
    expect(traced.logFile).toContain(header);
  });

  it('--at SYMBOL starts at an ELF symbol', async () => {
    const bySymbol = await run([hello, '--at', 'serial_init']);
    expect(bySymbol.status).toBe(0);
    expect(bySymbol.out).toBe((await run([hello, '--at', '0x10002b'])).out);
  });

  it('--no-opt=all shows the lifted IR only and registers in CpuState', async () => {
    const r = await run([hello, '--at', '0x10002b', '--no-opt=all']);
    expect(r.status).toBe(0);
    expect(r.out).not.toContain('== after');
    expect(r.out).toContain('(passes off: const-fold, get-put, dead-code, flag-liveness)');
    expect(r.out).toContain('== generated JavaScript (registers in CpuState)');
    expect(section(r.out, 'lifted IR')).toMatch(/emulate out\(t\d+, t\d+, 1\)/);
  });

  it('reads flat images with --raw --base', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-ir-'));
    const file = join(dir, 'code.bin');
    writeFileSync(file, Uint8Array.from([0xb8, 0x05, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x03, 0xfa, 0xc3])); // mov eax,5; add eax,3; cli; ret
    const r = await run([file, '--raw', '--base', '0x7c00', '--at', '0x7c00']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('  00007c08:  fa                    cli    <- VMM call: emulate cli');
    expect(finalIr(r.out)).toContain('put eax, 8');
  });

  it.each([
    [['/nonexistent/k.elf', '--at', '0x100000'], /no such file/i],
    [[join(root, 'fixtures', 'README.md'), '--at', '0x100000'], /ELF/],
    [[hello, '--at', '0x5000'], /not in a loaded segment/],
    [[hello, '--at', '0xzz'], /--at needs an address/],
    [[hello, '--at', 'zz'], /no symbol 'zz' in /],
    [[hello], /missing --at/],
    [[hello, '--at', '0x10002b', '--no-opt=cse'], /unknown pass 'cse'/],
    [[hello, '--at', '0x10002b', '--base', '0x1000'], /--raw and --base/],
  ])('rejects bad input %j with exit 2 and one line', async (argv, message) => {
    const r = await run(argv as string[]);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toMatch(message);
    expect(r.err.split('\n')[0]).toMatch(/^btvm ir: /);
  });
});
