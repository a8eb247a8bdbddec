/**
 * `-serial tcp:…` (src/cli/console/tcp-serial.ts), as QEMU's socket chardev:
 * fixtures/kernels/reverse.elf runs in-process with COM1 on a socket; the
 * test is the peer. It reads the guest's prompt, types a line and reads the
 * guest's echo and reversal back. A waiting server must hold the guest until
 * the client comes (so the first prompt arrives), a `nowait` server drops
 * what the guest wrote before anyone connected, a server takes the next
 * client after one leaves, and a client's peer closing ends COM1's input
 * (the guest then halts with nothing to wake it: exit status 4). A flood
 * of output into a client that does not read pauses the guest, as a stdout
 * nobody reads does, and loses nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import { parseSerialBackend } from '../../../src/cli/console/serial-console.js';
import { EXIT_STATUS_HALTED } from '../../../src/vmm/run-end.js';
import { fixture } from '../run-capture.js';
import { toolsFor } from '../../support/external-tools.js';

const REVERSE = fixture('kernels/reverse.elf');

/** A btvm run in-process; `monitor` sends lines to its -monitor stdio (to quit it). */
function start(args: string[]) {
  let stderr = '', stdout = '';
  const stderrWaiters: (() => void)[] = [];
  let sendMonitor: ((bytes: Uint8Array) => void) | null = null;
  const done = runCommand(args, {
    io: {
      stdout: (b) => void (stdout += Buffer.from(b).toString('latin1')),
      stderr: (t) => {
        stderr += t;
        for (const w of stderrWaiters.splice(0)) w();
      },
      stdin: (onData) => {
        sendMonitor = onData;
        return () => {};
      },
    },
  });
  return {
    done,
    get stderr() { return stderr; },
    /** stdout: the monitor's answers (-monitor stdio). */
    get stdout() { return stdout; },
    /** The port a waiting server announces on stderr, as QEMU's "waiting for connection" line. */
    async announcedPort(): Promise<number> {
      for (;;) {
        const m = /waiting for connection on: disconnected:tcp:127\.0\.0\.1:(\d+),server=on/.exec(stderr);
        if (m) return Number(m[1]);
        await new Promise<void>((resolve) => stderrWaiters.push(resolve));
      }
    },
    quit(): void {
      this.monitor('quit');
    },
    /** A monitor command line (the monitor reads stdin once the guest may start). */
    monitor(line: string): void {
      if (sendMonitor === null) throw new Error('the monitor is not reading yet');
      sendMonitor(new TextEncoder().encode(`${line}\n`));
    },
    async monitorReady(): Promise<void> {
      while (sendMonitor === null) await new Promise((resolve) => setTimeout(resolve, 10));
    },
  };
}

/** A socket whose received text can be awaited. */
function peer(socket: Socket) {
  let text = '';
  const waiters: (() => void)[] = [];
  socket.on('data', (b: Buffer) => {
    text += b.toString('latin1');
    for (const w of waiters.splice(0)) w();
  });
  return {
    socket,
    get text() { return text; },
    /** Waits (up to 10 s) until `s` has arrived. */
    async until(s: string): Promise<void> {
      let late = false;
      const deadline = setTimeout(() => { late = true; for (const w of waiters.splice(0)) w(); }, 10_000);
      while (!text.includes(s) && !late) await new Promise<void>((resolve) => waiters.push(resolve));
      clearTimeout(deadline);
      expect(text).toContain(s);
    },
  };
}

const dial = (port: number) => new Promise<ReturnType<typeof peer>>((resolve, reject) => {
  const s = connect(port, '127.0.0.1', () => resolve(peer(s)));
  s.once('error', reject);
});

/** A port nothing listens on now (the OS's pick, released). */
const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});

describe('-serial tcp', () => {
  it('parses QEMU\'s spellings; refuses the rest in one usage error', () => {
    expect(parseSerialBackend('tcp::4444,server,nowait')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4444, server: true, wait: false });
    expect(parseSerialBackend('tcp:0.0.0.0:4444,server=on')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 4444, server: true, wait: true });
    expect(parseSerialBackend('tcp:localhost:4444,server,wait=off,nodelay')).toMatchObject({ host: 'localhost', server: true, wait: false });
    expect(parseSerialBackend('tcp:example.org:23')).toEqual({ kind: 'tcp', host: 'example.org', port: 23, server: false, wait: false });
    for (const bad of ['tcp:4444', 'tcp::x', 'tcp::70000', 'tcp::1,telnet', 'tcp::1,wait', 'tcp::1,server=maybe']) {
      expect(() => parseSerialBackend(bad), bad).toThrow(expect.objectContaining({ name: 'UsageError' }));
    }
  });

  it('server (wait): the guest starts when a client connects; it echoes input; the next client is served after one leaves', async () => {
    const run = start([REVERSE, '-serial', 'tcp:127.0.0.1:0,server', '-monitor', 'stdio']);
    const port = await run.announcedPort();
    const first = await dial(port);
    await first.until('rev> '); // written once, at the start: the guest waited for us
    first.socket.write('abc\r');
    await first.until('cba');
    expect(first.text.startsWith('rev> abc')).toBe(true);
    first.socket.end();
    await new Promise((resolve) => first.socket.once('close', resolve));
    const second = await dial(port);
    second.socket.write('xyz\r');
    await second.until('zyx');
    expect(first.text).not.toContain('zyx');
    run.quit();
    expect(await run.done).toBe(0);
    second.socket.destroy();
  }, 30_000);

  it('server,nowait: the guest runs at once and its output before a client is dropped', async () => {
    const port = await freePort();
    const run = start([REVERSE, '-serial', `tcp::${port},server,nowait`, '-monitor', 'stdio']);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the prompt goes out to nobody
    const client = await dial(port);
    client.socket.write('ab\r');
    await client.until('ba');
    expect(client.text.startsWith('ab')).toBe(true); // no 'rev> ' before the echo
    expect(run.stderr).not.toMatch(/waiting for connection/);
    run.quit();
    expect(await run.done).toBe(0);
    client.socket.destroy();
  }, 30_000);

  it('client: connects to HOST:PORT; when the peer closes, input ends and the halted guest ends the run', async () => {
    let accepted: ReturnType<typeof peer> | null = null;
    const server = createServer((s) => { accepted = peer(s); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const run = start([REVERSE, '-serial', `tcp:127.0.0.1:${port}`]);
    while (accepted === null) await new Promise((resolve) => setTimeout(resolve, 10));
    const guest = accepted as ReturnType<typeof peer>;
    await guest.until('rev> ');
    guest.socket.write('hello\r');
    await guest.until('olleh');
    guest.socket.end();
    expect(await run.done).toBe(EXIT_STATUS_HALTED);
    server.close();
  }, 30_000);

  it('client: a refused connection is one line and exit status 2', async () => {
    const run = start([REVERSE, '-serial', `tcp:127.0.0.1:${await freePort()}`]);
    expect(await run.done).toBe(2);
    expect(run.stderr).toMatch(/^btvm: -serial tcp:127\.0\.0\.1:\d+: failed to connect: .*\n$/);
  });

  it.skipIf(!toolsFor('-serial tcp back-pressure', 'nasm'))('a client that does not read pauses the guest; nothing is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btvm-serial-tcp-'));
    const FLOOD = 16 << 20; // well past what loopback socket buffers and BLOCK_BYTES hold together, about 1.3 s of guest work
    writeFileSync(join(dir, 'flood.asm'), `bits 32\norg 0x100000\nmov dx, 0x3f8\nxor esi, esi\nmov ecx, ${FLOOD}\ncld\nrep outsb\nmov al, 0\nout 0xf4, al\njmp $\n`);
    const nasm = spawnSync('nasm', ['-f', 'bin', '-o', join(dir, 'flood.bin'), join(dir, 'flood.asm')], { encoding: 'utf8' });
    expect(nasm.stderr).toBe('');
    const run = start(['--flat', join(dir, 'flood.bin'), '--load', '0x100000', '--entry', '0x100000', '-serial', 'tcp::0,server', '-monitor', 'stdio']);
    const port = await run.announcedPort();
    const socket = connect(port, '127.0.0.1');
    socket.pause();
    await run.monitorReady();
    // ECX counts the bytes rep outsb has yet to send: it must come to rest, short of 0, while nobody reads.
    const ecx = async (): Promise<number> => {
      const before = run.stdout.length;
      run.monitor('info registers');
      for (let i = 0; i < 100 && !/ECX=[0-9a-f]{8}/.test(run.stdout.slice(before)); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const m = /ECX=([0-9a-f]{8})/.exec(run.stdout.slice(before));
      return m === null ? -1 : parseInt(m[1]!, 16); // -1: no answer, the run is over
    };
    let last = NaN, now = await ecx();
    for (let i = 0; i < 50 && now !== last; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      last = now;
      now = await ecx();
    }
    expect(now).toBe(last);
    expect(now).toBeGreaterThan(0);
    let received = 0;
    socket.on('data', (b: Buffer) => { received += b.length; });
    socket.resume();
    expect(await run.done).toBe(1);
    await new Promise((resolve) => socket.once('end', resolve));
    expect(received).toBe(FLOOD);
  }, 30_000);
});
