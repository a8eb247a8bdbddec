/**
 * An interactive shell on the Debian guest, end to end, as a person uses
 * `qemu-system-i386 -nographic -kernel … -initrd … -append …`: btvm runs in
 * a pseudo-terminal (test/support/pty-drive.py) in real time (no --icount),
 * the kernel boots with busybox's shell as its init (`rdinit=/bin/busybox
 * -- sh`: the kernel passes what follows `--` to init, so the packed
 * initramfs serves unchanged), and the test waits for the prompt, types
 * commands, reads their output — one of them reads a line typed at the
 * terminal — and quits with Ctrl-A x.
 *
 * The boot takes about 90 s of wall time on this kind of machine with the
 * suite idle; the time-outs leave room for a loaded CI machine. Skips with
 * one line without the guest (fixtures/linux/fetch.sh) or python3.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../support/cli-bundle.js';
import { toolsFor } from '../support/external-tools.js';
import { ptySession, type PtySession, type PtyStep } from '../support/pty-session.js';
import { repoRoot } from '../cli/run-capture.js';

const cache = join(repoRoot, 'fixtures/linux/cache');
const haveGuest = existsSync(join(cache, 'vmlinuz')) && existsSync(join(cache, 'initrd.gz'));
if (!haveGuest) console.log('linux-shell: skipped, no Debian guest in fixtures/linux/cache (run fixtures/linux/fetch.sh; needs apt-get, cpio)');
const havePython = toolsFor('the Linux shell session in a pseudo-terminal', 'python3');

const CTRL_A = '\u0001';
const BOOT_S = 900;

describe.skipIf(!haveGuest || !havePython)('the Debian guest at an interactive shell in a terminal', () => {
  let cli: CliBundle;
  let s: PtySession;
  beforeAll(async () => {
    cli = await bundleCli();
    const steps: PtyStep[] = [
      { expect: '/ # ', timeout: BOOT_S },
      { send: 'echo $((6*7)) $(uname -m)\r' },
      { expect: '42 i686', timeout: 120 },
      { send: 'read line; echo "got [$line]"\r' },
      { send: 'typed at the terminal\r' },
      { expect: 'got [typed at the terminal]', timeout: 120 },
      { send: `${CTRL_A}x` },
    ];
    const args = ['run', '-kernel', join(cache, 'vmlinuz'), '-initrd', join(cache, 'initrd.gz'), '-append', 'console=ttyS0 rdinit=/bin/busybox -- sh'];
    s = await ptySession(steps, process.execPath, [cli.main, ...args], (BOOT_S + 300) * 1000);
  }, (BOOT_S + 360) * 1000);
  afterAll(() => cli?.remove());

  it('boots to busybox\'s prompt, runs what is typed, reads a typed line, and quits with C-a x (status 0)', () => {
    expect(s.failed, s.output.slice(-2000)).toBeNull();
    expect(s.output).toContain('Run /bin/busybox as init process');
    expect(s.output).toContain('BusyBox v1.35.0');
    // The echo of what was typed came back from the guest's tty, then each answer.
    expect(s.output).toMatch(/echo \$\(\(6\*7\)\) \$\(uname -m\)\r*\n42 i686/);
    // `read` got the line typed at the terminal (sent at once, while ash's line editor still had the tty without echo).
    expect(s.output).toMatch(/read line; echo "got \[\$line\]"\r*\n(typed at the terminal\r*\n)?got \[typed at the terminal\]/);
    expect(s.output).toContain('btvm: terminated (C-a x)');
    expect(s.status).toBe(0);
    expect(s.output).not.toMatch(/Kernel panic|Oops|BUG:|WARNING:/);
  });
});
