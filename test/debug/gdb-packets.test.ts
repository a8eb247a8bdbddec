/**
 * The gdb stub's packets that gdb's batch mode cannot easily send: Ctrl-C
 * (0x03) interrupting a running guest, a read watchpoint (Z3), `qRcmd` (gdb's `monitor`) answered by
 * the monitor, `Qqemu.PhyMemMode`, and the target description's register
 * list. Spoken over a raw socket to `btvm run -gdb` in-process.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { fixture } from '../cli/run-capture.js';
import { freePort } from './free-port.js';
import { RawGdb } from './raw-gdb.js';


const hex = (text: string): string => Buffer.from(text).toString('hex');

describe('gdb stub packets', () => {
  it('Ctrl-C stops a running guest, qRcmd runs monitor commands, PhyMemMode switches to physical addresses', async () => {
    const port = await freePort();
    const run = runCommand([fixture('kernels/intmath.elf'), '-gdb', `tcp::${port}`, '-S'], { io: { stdout: () => {}, stderr: () => {} } });
    await new Promise((r) => setTimeout(r, 100));
    const gdb = await RawGdb.open(port);
    expect(await gdb.ask('qSupported:multiprocess+')).toMatch(/PacketSize=[0-9a-f]+;qXfer:features:read\+/);
    const xml = await gdb.ask('qXfer:features:read:target.xml:0,ffff');
    expect(xml).toMatch(/^l<\?xml/);
    expect([...xml.matchAll(/<reg name="([a-z0-9_]+)"/g)].map((m) => m[1]).slice(0, 25).join(' ')).toBe(
      'eax ecx edx ebx esp ebp esi edi eip eflags cs ss ds es fs gs fs_base gs_base k_gs_base cr0 cr2 cr3 cr4 cr8 efer');
    expect(await gdb.ask('?')).toMatch(/^T05/); // held by -S
    // A read watchpoint on input_seed (nm: 0x102bb0), which the guest only reads: the TLB must not serve its reads.
    expect(await gdb.ask('Z3,102bb0,4')).toBe('OK');
    expect(await gdb.ask('c')).toBe('T05rwatch:102bb0;thread:01;');
    expect(await gdb.ask('z3,102bb0,4')).toBe('OK');
    gdb.send('c');
    await new Promise((r) => setTimeout(r, 50));
    gdb.interrupt();
    expect(await gdb.next()).toMatch(/^T02/);
    // The first Multiboot header word, by linear and by physical address (paging is off: the same).
    expect(await gdb.ask('m100000,4')).toBe('02b0ad1b');
    expect(await gdb.ask('Qqemu.PhyMemMode:1')).toBe('OK');
    expect(await gdb.ask('qqemu.PhyMemMode')).toBe('1');
    expect(await gdb.ask('m100000,4')).toBe('02b0ad1b');
    const output = await gdb.ask(`qRcmd,${hex('info registers')}`);
    expect(output[0]).toBe('O');
    const eipLine = /EIP=([0-9a-f]{8})/.exec(Buffer.from(output.slice(1), 'hex').toString())!;
    expect(await gdb.next()).toBe('OK');
    // The monitor's EIP is the stub's register 8.
    const reg8 = await gdb.ask('p8');
    expect(Buffer.from(reg8, 'hex').readUInt32LE(0).toString(16).padStart(8, '0')).toBe(eipLine[1]);
    expect(await gdb.ask('mffffff00,4')).toBe('E14'); // no RAM there
    gdb.send('k');
    expect(await run).toBe(0);
  }, 30_000);
});
