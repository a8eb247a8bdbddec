/**
 * `btvm run -d ...` on fixture kernels: every logged guest instruction is
 * the one objdump shows at that address; the exec, tc and in_asm logs count
 * exactly what --stats counts (region runs, translations, blocks,
 * invalidations); --trace-filter keeps per-block logs inside the range; -D
 * sends everything to a file; -d help and bad filters behave as a CLI should.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/commands/run.js';
import { objdumpLabels } from '../objdump-listing.js';
import { toolsFor } from '../../support/external-tools.js';
import { fixture, runKernel } from '../run-capture.js';

const hello = fixture('kernels/hello.elf');

/** Guest addresses of the `IN:` headers and of every listed instruction in a -d in_asm log. */
function inAsm(log: string): { blocks: number[]; insns: { address: number; mnemonic: string }[] } {
  const blocks = [...log.matchAll(/^IN: 0x([0-9a-f]{8})$/gm)].map((m) => parseInt(m[1]!, 16));
  const insns = [...log.matchAll(/^0x([0-9a-f]{8}): {2}(\S+)/gm)].map((m) => ({ address: parseInt(m[1]!, 16), mnemonic: m[2]! }));
  return { blocks, insns };
}

describe('btvm run -d', () => {
  it.skipIf(!toolsFor('-d in_asm vs objdump', 'objdump'))('in_asm, exec and tc log exactly what --stats counts, and in_asm agrees with objdump', async () => {
    const r = await runKernel(hello, ['--icount', '-d', 'in_asm,exec,tc'], { logFile: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('');
    const log = r.logFile!, t = r.report.translation!;
    const { blocks, insns } = inAsm(log);
    expect(blocks).toHaveLength(t.blocksTranslated);
    expect(insns).toHaveLength(t.guestInsnsTranslated);
    expect(log.match(/^tc: translated /gm)).toHaveLength(t.translations);
    expect(log.match(/^Trace 0x/gm)).toHaveLength(t.regionsExecuted);
    // The first region runs at the Multiboot entry with no instruction retired yet.
    expect(log).toMatch(/^Trace 0x00100010 \[mode=0x[0-9a-f]+ icount=0\]$/m);

    const byAddress = new Map<number, string>();
    for (const list of objdumpLabels(hello).values()) for (const i of list) byAddress.set(i.address, i.mnemonic);
    for (const i of insns) expect([i.address.toString(16), i.mnemonic]).toEqual([i.address.toString(16), byAddress.get(i.address)]);
  });

  it('--trace-filter keeps in_asm, ir, opt, js, exec and tc inside the range', async () => {
    // serial_putc and its .wait loop (objdump: 0x100061..0x100073).
    const r = await runKernel(hello, ['--icount', '-d', 'in_asm,ir,opt,js,exec,tc', '--trace-filter', '0x100061-0x100073'], { logFile: true });
    const log = r.logFile!;
    const { blocks, insns } = inAsm(log);
    expect(blocks.length).toBeGreaterThan(0);
    expect(blocks.length).toBeLessThan(r.report.translation!.blocksTranslated);
    for (const a of blocks) expect(a >= 0x100061 && a <= 0x100073).toBe(true);
    for (const i of insns) expect(i.address >= 0x100061 && i.address <= 0x100073).toBe(true);
    // ir and opt print one `block` header per traced block each.
    expect(log.match(/^block 0x/gm)).toHaveLength(2 * blocks.length);
    // Each names its stage, the lifted block first.
    expect(log.match(/^IR after lifting \(-d ir\):\nblock 0x/gm)).toHaveLength(blocks.length);
    expect(log.match(/^IR after the passes \(-d opt\):\nblock 0x/gm)).toHaveLength(blocks.length);
    // Each translated region shown (tc, js) contains one of those blocks, and so runs them.
    const tc = log.match(/^tc: translated /gm)!.length;
    expect(tc).toBeGreaterThan(0);
    expect(tc).toBeLessThanOrEqual(r.report.translation!.translations);
    expect(log.match(/^\/\/ region 0x/gm)).toHaveLength(tc);
    // Only those regions' runs are traced.
    const shown = new Set([...log.matchAll(/^tc: translated (0x[0-9a-f]{8}) /gm)].map((m) => m[1]));
    const traces = [...log.matchAll(/^Trace (0x[0-9a-f]{8}) /gm)].map((m) => m[1]);
    expect(traces.length).toBeGreaterThan(0);
    expect(traces.length).toBeLessThanOrEqual(r.report.translation!.regionsExecuted);
    for (const t of traces) expect(shown.has(t)).toBe(true);
  });

  it('--trace-filter on an address range no code touches logs no block at all', async () => {
    const r = await runKernel(hello, ['--icount', '-d', 'in_asm,ir,opt,js,exec,tc', '--trace-filter', '0x200000-0x200fff'], { logFile: true });
    expect(r.status).toBe(1);
    expect(r.report.translation!.translations).toBeGreaterThan(0);
    expect(r.logFile).toBe('');
  });

  it('tc logs every self-modifying-code invalidation that --stats counts', async () => {
    const r = await runKernel(fixture('kernels/smc.elf'), ['--icount', '-d', 'tc'], { logFile: true });
    expect(r.status).toBe(1);
    const invalidations = r.report.cache!.invalidations;
    expect(invalidations).toBeGreaterThan(0);
    expect(r.logFile!.match(/^tc: invalidated 0x/gm)).toHaveLength(invalidations);
    expect((r.logFile!.match(/^tc: flush /gm) ?? []).length).toBe(r.report.cache!.flushes);
  }, 20_000);

  it('-d mmu logs only mmu: lines (or one line saying why there are none); -d int logs nothing for hello', async () => {
    const r = await runKernel(hello, ['--icount', '-d', 'mmu,int']);
    for (const line of r.stderr.split('\n').filter((l) => l !== '')) expect(line).toMatch(/^mmu: /);
    expect(r.stderr).not.toMatch(/v=[0-9a-f]{2} e=/);
  });

  it('-d mmu on the paging kernel: one line per TLB miss, each guest #PF followed by its delivery in -d int', async () => {
    const r = await runKernel(fixture('system/paging.elf'), ['--icount', '-d', 'mmu,int'], { logFile: true });
    expect(r.status).toBe(1);
    const log = r.logFile!, mmu = r.report.mmu!;
    expect(log.match(/^mmu: miss (read |write) /gm)).toHaveLength(mmu.tlbMisses);
    const faults = [...log.matchAll(/^mmu: (?:miss|store probe).* -> #PF error=([0-9a-f]+) cr2=(0x[0-9a-f]{8}).*\n(.*)$/gm)];
    expect(faults.length).toBeGreaterThan(0);
    expect(faults).toHaveLength(r.report.exceptions.byVector[14] ?? 0);
    for (const [, error, , next] of faults) {
      // The monitor delivers the fault the MMU reported: vector 0x0e with the same error code.
      expect(next).toMatch(new RegExp(`^ *\\d+: v=0e e=${error!.padStart(4, '0')} `));
    }
    expect(log).toMatch(/^mmu: cr0=0x8[0-9a-f]{7} /m); // paging switched on
    expect(log).toMatch(/^mmu: cr3 <- 0x[0-9a-f]{8}/m);
  }, 20_000);

  it('-d help lists the items on stdout and exits 0; --help documents the options', async () => {
    let out = '';
    const io = { stdout: (b: Uint8Array) => void (out += Buffer.from(b).toString()), stderr: () => {} };
    expect(await runCommand(['-d', 'help'], { io })).toBe(0);
    expect(out).toMatch(/^Log items/);
    expect(out).toMatch(/\ntc +translation cache/);
    out = '';
    expect(await runCommand(['--help'], { io })).toBe(0);
    for (const opt of ['-d ITEM', '-D FILE', '--trace-filter', '--stats ', '--stats-json FILE']) expect(out).toContain(opt);
  });

  for (const [args, msg] of [
    [['--trace-filter', '0x200-0x100', hello], /bad --trace-filter range '0x200-0x100'/],
    [['--trace-filter'], /--trace-filter needs address ranges/],
    [['-d', 'in_asm,bogus', hello], /unknown -d item 'bogus'/],
    [['--stats-json'], /--stats-json needs a file name/],
  ] as const) {
    it(`${args.slice(0, 2).join(' ')}: one line on stderr, exit 2`, async () => {
      let err = '';
      const status = await runCommand([...args], { io: { stdout: () => {}, stderr: (t) => void (err += t) } });
      expect(status).toBe(2);
      expect(err).toMatch(msg);
      expect(err.trimEnd().split('\n')).toHaveLength(1);
    });
  }
});
