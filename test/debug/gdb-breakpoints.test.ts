/**
 * gdb breakpoints over raw packets (test/debug/gdb-packets.test.ts's
 * RawGdb): hardware breakpoints (Z1, gdb's `hbreak`) stop the guest like
 * software ones (Z0), each kind is removed by its own z packet and leaves
 * the other in place, and a breakpoint set does not make the whole run go
 * one instruction per region: only regions holding a breakpoint address do
 * (src/exec/dispatcher.ts), so the guest elsewhere runs translated as usual.
 * Addresses are intmath.elf's (nm): kmain 0x1014f0 (push ebp, one byte), rt_putchar 0x1000b0
 * (called for every character printed), memcmp 0x1008c0 (never called).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import type { RunReport } from '../../src/cli/run-stats.js';
import { fixture } from '../cli/run-capture.js';
import { freePort } from './free-port.js';
import { RawGdb } from './raw-gdb.js';

const kernel = fixture('kernels/intmath.elf');
const KMAIN = 0x1014f0, RT_PUTCHAR = 0x1000b0, MEMCMP = 0x1008c0;
const quiet = { io: { stdout: () => {}, stderr: () => {} } };

async function attach(extra: string[] = []): Promise<{ gdb: RawGdb; run: Promise<number> }> {
  const port = await freePort();
  const run = runCommand([kernel, '-gdb', `tcp::${port}`, '-S', ...extra], quiet);
  await new Promise((r) => setTimeout(r, 100));
  return { gdb: await RawGdb.open(port), run };
}

/** EIP (register 8 of QEMU's i386 layout) as a number. */
const eipOf = async (gdb: RawGdb): Promise<number> => Buffer.from(await gdb.ask('p8'), 'hex').readUInt32LE(0);

describe('gdb breakpoints', () => {
  it('Z1 (hbreak) stops at its address and z1 removes it; Z0 and Z1 on one address are removed kind by kind', async () => {
    const { gdb, run } = await attach();
    // kmain's second instruction: inside the region that starts at kmain, not at its entry.
    const inKmain = (KMAIN + 1).toString(16);
    expect(await gdb.ask(`Z1,${inKmain},1`)).toBe('OK');
    expect(await gdb.ask('c')).toBe('T05thread:01;');
    expect(await eipOf(gdb)).toBe(KMAIN + 1);
    expect(await gdb.ask(`z1,${inKmain},1`)).toBe('OK');
    // Both kinds on rt_putchar: removing the software one leaves the hardware one, which stops the guest again.
    expect(await gdb.ask(`Z0,${RT_PUTCHAR.toString(16)},1`)).toBe('OK');
    expect(await gdb.ask(`Z1,${RT_PUTCHAR.toString(16)},1`)).toBe('OK');
    expect(await gdb.ask('c')).toBe('T05thread:01;');
    expect(await eipOf(gdb)).toBe(RT_PUTCHAR);
    expect(await gdb.ask(`z0,${RT_PUTCHAR.toString(16)},1`)).toBe('OK');
    expect(await gdb.ask('c')).toBe('T05thread:01;');
    expect(await eipOf(gdb)).toBe(RT_PUTCHAR);
    expect(await gdb.ask(`z1,${RT_PUTCHAR.toString(16)},1`)).toBe('OK');
    // None left: the guest runs to its exit (isa-debug-exit 0: status 1).
    expect(await gdb.ask('c')).toMatch(/^W01/);
    expect(await run).toBe(1);
  }, 60_000);

  it('a breakpoint the guest never reaches leaves the rest of the run in whole regions, not one instruction each', async () => {
    const stats = join(mkdtempSync(join(tmpdir(), 'btvm-bp-')), 'stats.json');
    const { gdb, run } = await attach(['--max-insns', '400000', '--stats-json', stats]);
    expect(await gdb.ask(`Z0,${MEMCMP.toString(16)},1`)).toBe('OK');
    gdb.send('c');
    await run;
    const report = JSON.parse(readFileSync(stats, 'utf8')) as RunReport;
    expect(report.guest.instructions).toBe(400_000);
    // One instruction per region would make these equal; intmath's regions run ~68 instructions each.
    expect(report.translation!.regionsExecuted).toBeLessThan(report.guest.instructions / 10);
  }, 60_000);
});
