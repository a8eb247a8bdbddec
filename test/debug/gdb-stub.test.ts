/**
 * The gdb stub driven by Debian's gdb in batch mode, against a fixture
 * kernel with symbols (intmath.elf): -S holds the guest at its entry, a
 * breakpoint on kmain, `info registers`, `x/4wx $esp`, `stepi`, a write
 * watchpoint that triggers, and `continue` to the guest's exit — under both
 * MMUs. The same script against `qemu-system-i386 -S -gdb` must show the
 * same register values at the breakpoint.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand, parseRunArgs } from '../../src/cli/commands/run.js';
import { fixture } from '../cli/run-capture.js';
import { freePort } from './free-port.js';
import { toolsFor } from '../support/external-tools.js';

const haveGdb = toolsFor('gdb stub driven by gdb', 'gdb');
const haveQemu = haveGdb && toolsFor('gdb stub vs QEMU', 'qemu-system-i386');

const kernel = fixture('kernels/intmath.elf');
const scratch = mkdtempSync(join(tmpdir(), 'btvm-gdb-'));


const UNTIL_BREAKPOINT = ['set pagination off', 'set confirm off', 'break kmain', 'continue', 'info registers'];
const TO_WATCHPOINT = [...UNTIL_BREAKPOINT, 'x/4wx $esp', 'stepi', 'print/x $eip', 'watch *(int*)&lcg_state', 'continue', 'print/x $eip'];


function gdb(port: number, commands: string[]): Promise<string> {
  const script = join(scratch, `script-${port}.gdb`);
  writeFileSync(script, [`target remote 127.0.0.1:${port}`, ...commands].join('\n') + '\n');
  return new Promise((resolve) => {
    execFile('gdb', ['-nx', '-batch', '-x', script, kernel], { timeout: 30_000 }, (_e, stdout, stderr) => resolve(stdout + stderr));
  });
}

/** `name  0xVALUE` lines of `info registers`, for the registers both sides have. */
function registers(output: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of output.matchAll(/^(eflags|e[a-z]{2}|[c-gs]s|cr[0234])\s+(0x[0-9a-f]+)/gm)) out[m[1]!] ??= m[2]!;
  return out;
}

/** Under the nested MMU the script kills the guest after the watchpoint instead of running it to its end (the long part). */
async function btvmUnderGdb(mmu: string): Promise<{ status: number; output: string; stderr: string }> {
  const port = await freePort();
  let stderr = '';
  const run = runCommand([kernel, '--mmu', mmu, '-gdb', `tcp::${port}`, '-S'], { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
  const output = await gdb(port, [...TO_WATCHPOINT, ...(mmu === 'shadow' ? ['delete', 'continue'] : ['kill'])]);
  return { status: await run, output, stderr };
}

describe.skipIf(!haveGdb)('btvm -gdb, driven by gdb', () => {
  for (const mmu of ['shadow', 'nested']) {
    it(`breakpoint, registers, memory, stepi, watchpoint and continue to the exit (--mmu ${mmu})`, async () => {
      const { status, output, stderr } = await btvmUnderGdb(mmu);
      expect(stderr).toBe(mmu === 'shadow' ? '' : 'btvm: terminated by gdb (kill)\n');
      expect(output).toMatch(/0x0010000c in _start/); // -S: held before the first instruction
      expect(output).toMatch(/Breakpoint 1, 0x001014f0 in kmain/);
      const regs = registers(output);
      expect(regs.eip).toBe('0x1014f0');
      expect(regs.esp).toBe('0x112bbc');
      // The return address _start's call pushed, read through x/4wx.
      expect(output).toMatch(/0x112bbc:\s+0x0010004c\s+0x00000000/);
      expect(output).toMatch(/\$1 = 0x1014f1/); // stepi: one instruction
      expect(output).toMatch(/Old value = 0\s+New value = 625341585/);
      expect(output).toMatch(/\$2 = 0x101513/); // stopped after the store to lcg_state
      if (mmu === 'shadow') {
        expect(output).toMatch(/exited with code 01/);
        expect(status).toBe(1);
      } else {
        expect(output).toMatch(/\[Inferior 1 \(Remote target\) killed\]/);
        expect(status).toBe(0);
      }
    }, 60_000);
  }

  it.skipIf(!haveQemu)('shows the same registers at the breakpoint as qemu-system-i386 -S -gdb', async () => {
    const [qport, bport] = [await freePort(), await freePort()];
    const qemu = spawn('qemu-system-i386', ['-display', 'none', '-serial', 'null', '-S', '-gdb', `tcp:127.0.0.1:${qport}`, '-kernel', kernel]);
    try {
      await new Promise((r) => setTimeout(r, 500));
      const qemuOutput = await gdb(qport, [...UNTIL_BREAKPOINT, 'monitor info registers']);
      const run = runCommand([kernel, '-gdb', `tcp::${bport}`, '-S'], { io: { stdout: () => {}, stderr: () => {} } });
      const btvmOutput = await gdb(bport, [...UNTIL_BREAKPOINT, 'monitor info registers', 'kill']);
      await run;
      const fromQemu = registers(qemuOutput);
      expect(Object.keys(fromQemu).length).toBe(20);
      expect(registers(btvmOutput)).toEqual(fromQemu);
      // `monitor info registers`: QEMU's dump, line for line, where the two machines hold the same state. They
      // differ in CS's accessed bit, the LDT/TR/IDT caches and DR6/DR7 after loading a Multiboot kernel.
      const dump = (out: string) => out.replace(/\r/g, '').split('\n').filter((l) => /^([A-Z]{2,4}\d? ?=|FPR|XMM)/.test(l) && !/^(CS |LDT|TR |IDT|DR6)/.test(l));
      expect(dump(qemuOutput).length).toBe(21);
      expect(dump(btvmOutput)).toEqual(dump(qemuOutput));
    } finally {
      qemu.kill();
    }
  }, 60_000);
});

describe('-s, -S and -gdb on the command line', () => {
  it('-s is -gdb tcp::1234; -gdb takes a port on 127.0.0.1 only', () => {
    const parsed = (args: string[]) => parseRunArgs([kernel, ...args]);
    expect(parsed(['-s'])).toMatchObject({ gdbPort: 1234, waitForGdb: false });
    expect(parsed(['-gdb', 'tcp::4321', '-S'])).toMatchObject({ gdbPort: 4321, waitForGdb: true });
    expect(() => parsed(['-gdb', 'tcp:example.com:1234'])).toThrow(/127\.0\.0\.1 only/);
  });

  it('-S without a stub is refused (nothing could start the guest)', async () => {
    let stderr = '';
    const status = await runCommand([kernel, '-S'], { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
    expect(status).toBe(2);
    expect(stderr).toMatch(/-S needs -s, -gdb tcp::PORT or -monitor stdio/);
  });
});
