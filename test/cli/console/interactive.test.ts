/**
 * The interactive console end to end: `btvm run` in a pseudo-terminal
 * (Python's pty module drives it: test/support/pty-drive.py), the way a
 * person uses `qemu-system-i386 -nographic`. fixtures/kernels/reverse.elf
 * prints a prompt and reverses each line it reads from COM1 by IRQ4; the
 * test waits for the prompt, types, reads the answer, uses the Ctrl-A keys
 * (C-a c: the monitor prompt, a command with a correction, back to the
 * guest) and quits with C-a x, then checks the exit status and that the terminal
 * was raw while the guest ran and is as it was afterwards, also when the
 * run ends by itself or by a signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, type CliBundle } from '../../support/cli-bundle.js';
import { fixture } from '../run-capture.js';
import { ptySession, type PtySession, type PtyStep } from '../../support/pty-session.js';
import { toolsFor } from '../../support/external-tools.js';

const havePython = toolsFor('pseudo-terminal console tests', 'python3');

const CTRL_A = '\u0001';
let cli: CliBundle;

/** One session in a pseudo-terminal; sessions run side by side (they mostly wait). */
function session(steps: PtyStep[], args: string[]): Promise<PtySession> {
  return ptySession(steps, process.execPath, [cli.main, 'run', ...args], 60_000);
}

describe.skipIf(!havePython)('btvm run in a terminal, as qemu -nographic', () => {
  let typed: PtySession, signalled: PtySession, ended: PtySession, bad: PtySession, monitorQuit: PtySession;
  beforeAll(async () => {
    cli = await bundleCli();
    [typed, signalled, ended, bad, monitorQuit] = await Promise.all([
      session([
        { expect: 'rev> ' },
        { mode: 'running' },
        { send: 'hello, world\r' },
        { expect: 'dlrow ,olleh' },
        { send: `${CTRL_A}h` },
        { expect: 'C-a x' },
        // C-a c: the monitor takes the keys (with line editing) until the next C-a c.
        { send: `${CTRL_A}c` },
        { expect: '(btvm) ' },
        { send: 'info regx\u007fisters\r' },
        { expect: 'EIP=' },
        { send: 'x /2xb 0x100000\r' },
        { expect: '00100000: 0x' },
        { send: `${CTRL_A}c` },
        { send: 'back\r' },
        { expect: 'kcab' },
        // C-a C-a gives the guest one Ctrl-A; Ctrl-C is a key for the guest too, not a signal.
        { send: `${CTRL_A}${CTRL_A}z\u0003\r` },
        { expect: `\u0003z${CTRL_A}` },
        { send: `${CTRL_A}x` },
      ], [fixture('kernels/reverse.elf')]),
      session([{ expect: 'rev> ' }, { mode: 'running' }, { signal: 'SIGTERM' }], [fixture('kernels/reverse.elf')]),
      session([{ expect: 'Hello from btvm guest' }], [fixture('kernels/hello.elf')]),
      session([{ expect: 'btvm:' }], [fixture('kernels/hello.elf'), '-serial', 'tcp:1234']),
      session([{ expect: 'rev> ' }, { send: `${CTRL_A}c` }, { expect: '(btvm) ' }, { send: 'quit\r' }], [fixture('kernels/reverse.elf')]),
    ]);
  });
  afterAll(() => cli?.remove());

  it('takes keys while the guest runs, answers, obeys the Ctrl-A keys and quits with C-a x (status 0)', () => {
    const s = typed;
    expect(s.failed, s.output).toBeNull();
    expect(s.status, s.output).toBe(0);
    expect(s.output).toContain('btvm: terminated (C-a x)');
    // What the guest got is what was typed, the Ctrl-A keys excepted: its echo shows it.
    expect(s.output).not.toContain(`${CTRL_A}h`);
    expect(s.modes.running).toEqual({ icanon: false, echo: false, same_as_before: false });
    expect(s.modes.after).toEqual({ icanon: true, echo: true, same_as_before: true });
    // The monitor answered at its prompt, the guest saw none of the monitor's keys, and only one banner showed.
    // The typed x was rubbed out on the screen too (backspace, space, backspace).
    expect(s.output).toMatch(/\(btvm\) info regx\x08 \x08isters\r+\nCPU#0\r+\nEAX=[0-9a-f]{8} /);
    expect(s.output).not.toContain('dcab'); // the guest's reversal of "back", had it got the keys before C-a c
    expect(s.output).not.toContain('sretsi');
    expect(s.output.split("type 'help' for more information")).toHaveLength(2);
  });

  it('quit at the C-a c monitor prompt ends the run with status 0 and restores the terminal', () => {
    const s = monitorQuit;
    expect(s.failed, s.output).toBeNull();
    expect(s.status, s.output).toBe(0);
    expect(s.modes.after!.same_as_before).toBe(true);
  });

  it('restores the terminal when a signal ends the run', () => {
    const s = signalled;
    expect(s.status, s.output).toBe(0);
    expect(s.output).toContain('terminating on signal SIGTERM');
    expect(s.modes.running!.icanon).toBe(false);
    expect(s.modes.after!.same_as_before).toBe(true);
  });

  it('restores the terminal when the guest ends the run itself, and when the command line is bad', () => {
    expect(ended.status).toBe(1);
    expect(ended.modes.after!.same_as_before).toBe(true);
    expect(bad.status).toBe(2);
    expect(bad.modes.after!.same_as_before).toBe(true);
  });
});
