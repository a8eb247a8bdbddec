/**
 * The monitor (`-monitor stdio`, gdb's `monitor`, the console's C-a c), the
 * register dump in QEMU's format on abnormal ends, and `-d cpu`. Memory
 * dumps are compared with what qemu-system-i386's monitor printed for the
 * same fixture kernel (hello.elf, whose Multiboot header QEMU and btvm load
 * alike); page mappings with a page directory built in guest memory.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { Machine } from '../../src/machine/machine.js';
import { MachineMonitor, runMonitorCommand } from '../../src/debug/monitor.js';
import { fixture, runKernel } from '../cli/run-capture.js';

const hello = fixture('kernels/hello.elf');

/** `btvm run KERNEL -monitor stdio ARGS` with `lines` typed on stdin, one per event-loop turn. */
async function monitorSession(kernel: string, args: string[], lines: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const status = await runCommand([kernel, '-monitor', 'stdio', ...args], {
    io: {
      stdout: (b) => void (stdout += Buffer.from(b).toString('latin1')),
      stderr: (t) => void (stderr += t),
      stdin: (onData) => {
        let i = 0;
        const timer = setInterval(() => {
          if (i < lines.length) onData(new TextEncoder().encode(lines[i++] + '\n'));
          else clearInterval(timer);
        }, 20);
        return () => clearInterval(timer);
      },
    },
  });
  return { status, stdout, stderr };
}

describe('-monitor stdio', () => {
  it('info registers, x, xp, info mem and info jit while held by -S; cont runs the guest to its exit', async () => {
    const { status, stdout } = await monitorSession(hello, ['-S'], [
      'info registers', 'x /4wx 0x100000', 'xp /2xb 0x100000', 'x /3dh 0x100000', 'info mem', 'info jit', 'cont',
    ]);
    // Multiboot entry state (the loader's), in QEMU's layout.
    expect(stdout).toMatch(/^EAX=2badb002 EBX=00009500 ECX=00000000 EDX=00000000$/m);
    expect(stdout).toMatch(/^EIP=00100010 EFL=00000002 \[-------\] CPL=0 II=0 A20=1 SMM=0 HLT=0$/m);
    expect(stdout).toMatch(/^CS =0008 00000000 ffffffff 00cf9b00 DPL=0 CS32 \[-RA\]$/m);
    // qemu-system-i386 -kernel hello.elf, monitor: x /4wx 0x100000, xp /2xb 0x100000, x /3dh 0x100000.
    expect(stdout).toContain('00100000: 0x1badb002 0x00000000 0xe4524ffe 0x90669066\n');
    expect(stdout).toContain('0000000000100000: 0x02 0xb0\n');
    expect(stdout).toContain('00100000: 45058  7085     0\n');
    expect(stdout).toContain('PG disabled\n');
    expect(stdout).toMatch(/instructions executed\s+0\n/); // info jit before cont: nothing ran yet
    expect(stdout).toContain('Hello from btvm guest');
    expect(status).toBe(1);
  }, 30_000);

  it('xp reads guest-physical memory above 2 GiB, and not past the end of RAM (-m 3584M: 3 GiB below 4 GiB)', async () => {
    const { stdout } = await monitorSession(hello, ['-S', '-m', '3584M'], ['xp /1xw 0x80000000', 'xp /1xw 0xbffffffc', 'xp /1xw 0xc0000000', 'quit']);
    expect(stdout).toContain('0000000080000000: 0x00000000\n');
    expect(stdout).toContain('00000000bffffffc: 0x00000000\n');
    expect(stdout).toContain('(btvm) Cannot access memory\n');
    expect(stdout.match(/Cannot access memory/g)).toHaveLength(1);
  }, 30_000);

  it('quit ends a held run with status 0 before the guest says anything; stop holds a running one', async () => {
    const quit = await monitorSession(hello, ['-S'], ['quit']);
    expect(quit.status).toBe(0);
    expect(quit.stdout).not.toContain('Hello');
    const stopped = await monitorSession(fixture('kernels/intmath.elf'), [], ['stop', 'info registers', 'quit']);
    expect(stopped.status).toBe(0);
    expect(stopped.stdout).toMatch(/^EIP=[0-9a-f]{8} /m);
    expect(stopped.stdout).not.toContain('intmath done');
  }, 30_000);
});

describe('info tlb and info mem', () => {
  it('list the guest page directory as QEMU does, per page and merged by rights', () => {
    const machine = new Machine({ image: { kind: 'flat', bytes: new Uint8Array(16), loadAddress: 0x1000, entry: 0x1000 }, serialOutput: () => {} });
    const view = new DataView(machine.memory.bytes.buffer);
    const PD = 0x10000, PT = 0x11000;
    view.setUint32(PD, PT | 7, true); // P RW US
    view.setUint32(PT + 0x100 * 4, 0x200000 | 0x67, true); // P RW US A D
    view.setUint32(PT + 0x101 * 4, 0x201000 | 0x27, true); // P RW US A
    view.setUint32(PT + 0x102 * 4, 0x202000 | 0x101, true); // P G, read-only supervisor
    view.setUint32(PD + 0x300 * 4, 0x00400000 | 0x83, true); // 4 MiB page, P RW PS
    machine.cpu.cr3 = PD;
    machine.cpu.cr4 |= 1 << 4;
    machine.cpu.cr0 |= 1 << 31;
    const monitor = new MachineMonitor(machine);
    expect(monitor.run('info mem')).toBe(
      '00100000-00102000 00002000 urw\n' +
      '00102000-00103000 00001000 -r-\n' +
      'c0000000-c0400000 00400000 -rw\n');
    expect(monitor.run('info tlb')).toBe(
      '0000000000100000: 0000000000200000 ---DA--UW\n' +
      '0000000000101000: 0000000000201000 ----A--UW\n' +
      '0000000000102000: 0000000000202000 -G-------\n' +
      '00000000c0000000: 0000000000400000 --P-----W\n');
    // Linear addresses go through these tables, physical ones do not.
    view.setUint32(0x200000, 0xcafef00d, true);
    expect(monitor.run('x /1wx 0x100000')).toBe('00100000: 0xcafef00d\n');
    expect(monitor.run('xp /1wx 0x200000')).toBe('0000000000200000: 0xcafef00d\n');
    expect(runMonitorCommand(machine, 'x /1wx 0x500000')).toBe('Cannot access memory\n');
  });
});

describe('register dumps', () => {
  it('an abnormal end (--max-insns) prints the registers in QEMU\'s format, with EIP inside the kernel', async () => {
    let stderr = '';
    const status = await runCommand([fixture('kernels/intmath.elf'), '--max-insns', '1000'], { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
    expect(status).toBe(6);
    expect(stderr).toMatch(/instruction limit reached[^\n]*\nEAX=[0-9a-f]{8} EBX=[0-9a-f]{8} ECX=[0-9a-f]{8} EDX=[0-9a-f]{8}\n/);
    const eip = parseInt(/^EIP=([0-9a-f]{8})/m.exec(stderr)![1]!, 16);
    expect(eip).toBeGreaterThanOrEqual(0x10000c);
    expect(eip).toBeLessThan(0x1026c0);
    expect(stderr).toMatch(/^GDT=     001026c0 00000017$/m); // intmath's own GDT (nm: gdt at 0x1026c0)
  }, 30_000);

  it('a triple fault names the chain of exceptions that led to it, then dumps the registers; -d int dumps at each event', async () => {
    const image = join(mkdtempSync(join(tmpdir(), 'btvm-tf-')), 'ud2.bin');
    writeFileSync(image, Uint8Array.of(0x0f, 0x0b)); // ud2, with no IDT to deliver #UD through
    const log = join(dirname(image), 'int.log');
    let stderr = '';
    const status = await runCommand(['--flat', image, '--load', '0x1000', '--entry', '0x1000', '-d', 'int', '-D', log], { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
    expect(status).toBe(0);
    expect(stderr).toMatch(/triple fault.*\(exceptions: #UD -> #GP\(0x33\) -> #DF\(0x0\) -> #GP\(0x43\)\)\nEAX=/);
    expect(stderr).toMatch(/^EIP=00001000 /m);
    const events = readFileSync(log, 'utf8');
    expect(events).toMatch(/^ +0: v=06 e=0000 i=0 cpl=0 IP=0008:00001000 SP=0010:00007000 EAX=00000000 #UD\nEAX=00000000 EBX=/);
    expect(events.match(/^CCS=/gm)).toHaveLength(events.match(/ v=[0-9a-f]{2} /g)!.length);
  }, 30_000);

  it('-d int names CR2 for a page fault, as QEMU', async () => {
    const run = await runKernel(fixture('system/paging.elf'), ['--icount', '-d', 'int'], { logFile: true });
    const faults = run.logFile!.match(/ v=0e .*$/gm) ?? [];
    expect(faults.length).toBeGreaterThan(0);
    for (const line of faults) expect(line).toMatch(/ CR2=[0-9a-f]{8} #PF$/);
  }, 30_000);

  it('a run ending by the guest\'s choice prints none', async () => {
    let stderr = '';
    await runCommand([hello], { io: { stdout: () => {}, stderr: (t) => void (stderr += t) } });
    expect(stderr).not.toContain('EAX=');
  }, 30_000);

  it('-d cpu dumps the state before each region run, the first at the Multiboot entry', async () => {
    const run = await runKernel(hello, ['-d', 'cpu'], { logFile: true });
    const dumps = run.logFile!.match(/^EIP=/gm) ?? [];
    expect(dumps.length).toBe(run.report.translation!.regionsExecuted);
    expect(run.logFile).toMatch(/^EAX=2badb002 EBX=00009500 ECX=00000000 EDX=00000000\nESI=00000000 EDI=00000000 EBP=00000000 ESP=00007000\nEIP=00100010 /);
    expect(run.logFile).toMatch(/^CCS=[0-9a-f]{8} CCD=[0-9a-f]{8} CCO=/m);
  }, 30_000);
});
