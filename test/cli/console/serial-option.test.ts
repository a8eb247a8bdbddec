/**
 * `-serial` as QEMU spells it (src/cli/console/serial-console.ts), and the
 * QEMU options btvm accepts without change: run in-process on the hello
 * fixture, output captured.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import { parseSerialBackend } from '../../../src/cli/console/serial-console.js';
import { fixture } from '../run-capture.js';

const HELLO = fixture('kernels/hello.elf');
const dir = mkdtempSync(join(tmpdir(), 'btvm-serial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], input?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const status = await runCommand(args, {
    io: {
      stdout: (b) => void (stdout += Buffer.from(b).toString('latin1')),
      stderr: (t) => void (stderr += t),
      stdin: input === undefined ? undefined : (onData, onEnd) => {
        setTimeout(() => { onData(new Uint8Array(Buffer.from(input, 'latin1'))); onEnd(); }, 5);
        return () => {};
      },
    },
  });
  return { status, stdout, stderr };
}

describe('-serial', () => {
  it('parses stdio, null and file:PATH (tcp: serial-tcp.test.ts), and refuses the rest in one line', () => {
    expect(parseSerialBackend('stdio')).toEqual({ kind: 'stdio' });
    expect(parseSerialBackend('null')).toEqual({ kind: 'null' });
    expect(parseSerialBackend('file:/tmp/x')).toEqual({ kind: 'file', path: '/tmp/x' });
    expect(() => parseSerialBackend('udp::4444')).toThrow(/stdio, null, file:PATH and tcp:HOST:PORT/);
    expect(() => parseSerialBackend('file:')).toThrow();
  });

  it('stdio (the default) writes COM1 to stdout; -nographic, -no-reboot and -display none change nothing', async () => {
    const plain = await run([HELLO]);
    const qemuish = await run([HELLO, '-nographic', '-no-reboot', '-display', 'none', '-serial', 'stdio']);
    expect(plain).toEqual({ status: 1, stdout: 'Hello from btvm guest\n', stderr: '' });
    expect(qemuish).toEqual(plain);
  });

  it('file:PATH writes COM1 to the file, null drops it; neither prints to stdout', async () => {
    const path = join(dir, 'com1.txt');
    expect(await run([HELLO, '-serial', `file:${path}`])).toEqual({ status: 1, stdout: '', stderr: '' });
    expect(readFileSync(path, 'latin1')).toBe('Hello from btvm guest\n');
    expect(await run([HELLO, '--serial=null'])).toEqual({ status: 1, stdout: '', stderr: '' });
  });

  it('a bad -serial or -display is a usage error (status 2)', async () => {
    expect((await run([HELLO, '-serial', 'pty'])).status).toBe(2);
    expect((await run([HELLO, '-display', 'gtk'])).status).toBe(2);
  });

  it('stdin from a pipe feeds COM1 without raw mode, and its end closes the input', async () => {
    const r = await run([fixture('kernels/reverse.elf')], 'hello\nabc\n');
    expect(r.stdout).toBe('rev> hello\r\nolleh\r\nrev> abc\r\ncba\r\nrev> ');
    // With the input closed and no timer, the halted guest can never wake: the run ends (status 4).
    expect(r.status).toBe(4);
  });
});
