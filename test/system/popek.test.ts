/**
 * The Popek–Goldberg point made runnable: fixtures/system/popek.elf prints
 * what ring-0 code sees through pushf, popf, smsw, sgdt, sidt, str and sldt.
 * Under --virt=bt (binary translation, the default) btvm must print exactly
 * QEMU's transcript. Under --virt=trap (classic trap-and-emulate: only
 * instructions that fault when deprivileged reach the VMM) the guest must go
 * wrong, and only where a deprivileged CPU would make it go wrong: each
 * differing line is listed below with the reason, everything else must
 * still match QEMU.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { TRAP_HOST_VIEW } from '../../src/vmm/privileged.js';
import { root } from './mmu-run.js';

const elf = join(root, 'fixtures/system/popek.elf');
const qemuLines = readFileSync(elf.replace(/\.elf$/, '.expected'), 'latin1').split('\n');
const qemuStatus = Number(readFileSync(elf.replace(/\.elf$/, '.status'), 'latin1').trim());

async function run(virt: 'bt' | 'trap'): Promise<{ lines: string[]; status: number; stderr: string }> {
  const out: Uint8Array[] = [];
  let stderr = '';
  const status = await runCommand([elf, `--virt=${virt}`, '--icount', '--max-insns', '10000000'], {
    io: { stdout: (b) => out.push(b), stderr: (t) => void (stderr += t) },
  });
  return { lines: Buffer.concat(out).toString('latin1').split('\n'), status, stderr };
}

const hostMsw = TRAP_HOST_VIEW.cr0 & 0xffff;
const bit = (n: number): number => (hostMsw >> n) & 1;

/** Line (by its text under QEMU) -> what trap-and-emulate prints instead, and why. */
const trapDifferences: Record<string, { got: string; why: string }> = {
  'after cli, pushf: IF=0 IOPL=0': { got: 'after cli, pushf: IF=1 IOPL=0', why: 'cli traps and clears the virtual IF, but pushf does not trap and shows the real IF, 1 while a guest runs' },
  'after popf IF=0: IF=0 IOPL=0': { got: 'after popf IF=0: IF=1 IOPL=0', why: 'popf below CPL 0 silently ignores IF: the guest believes interrupts are off, they are not' },
  'after popf IOPL=3: IF=0 IOPL=3': { got: 'after popf IOPL=3: IF=1 IOPL=0', why: 'popf below CPL 0 silently ignores IOPL' },
  'after popf IOPL=0: IF=0 IOPL=0': { got: 'after popf IOPL=0: IF=1 IOPL=0', why: 'IF still the host value' },
  'smsw: 11 (PE=1 MP=0 EM=0 TS=0 ET=1)': {
    got: `smsw: ${hostMsw.toString(16)} (PE=${bit(0)} MP=${bit(1)} EM=${bit(2)} TS=${bit(3)} ET=${bit(4)})`,
    why: 'smsw is unprivileged and reads the host CR0, while mov from cr0 traps and is emulated (next line matches)',
  },
  "sgdt: base = this kernel's GDT limit 7f": { got: `sgdt: base FOREIGN limit ${TRAP_HOST_VIEW.gdtLimit.toString(16)}`, why: 'sgdt is unprivileged and stores the host GDTR' },
  'str: 28 sldt: 0': { got: `str: ${TRAP_HOST_VIEW.trSel.toString(16)} sldt: ${TRAP_HOST_VIEW.ldtSel.toString(16)}`, why: 'str and sldt are unprivileged and show the host TR and LDTR' },
};

describe('popek.elf: binary translation vs trap-and-emulate', () => {
  it('--virt=bt prints exactly what QEMU printed and exits the same way', async () => {
    const bt = await run('bt');
    expect(bt.lines).toEqual(qemuLines);
    expect({ status: bt.status, stderr: bt.stderr }).toEqual({ status: qemuStatus, stderr: '' });
  }, 30_000);

  it('--virt=trap differs from QEMU exactly on the lines deprivileged hardware gets wrong', async () => {
    const trap = await run('trap');
    expect(trap.status).toBe(qemuStatus);
    expect(trap.lines.length).toBe(qemuLines.length);
    const differing: string[] = [];
    qemuLines.forEach((want, i) => {
      const expected = trapDifferences[want]?.got ?? want;
      expect(trap.lines[i], trapDifferences[want]?.why ?? 'not a sensitive instruction: must match QEMU').toBe(expected);
      if (trap.lines[i] !== want) differing.push(want);
    });
    // Every listed difference happened: none is vacuous.
    expect(differing.sort()).toEqual(Object.keys(trapDifferences).sort());
    // sidt also stores the host IDTR, but a 256-gate host IDT has the guest's limit 7ff: same line.
    expect(TRAP_HOST_VIEW.idtLimit).toBe(0x7ff);
    expect(TRAP_HOST_VIEW.gdtBase).not.toBe(0);
  }, 30_000);
});
