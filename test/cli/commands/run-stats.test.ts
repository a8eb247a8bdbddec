/**
 * `btvm run --stats` / `--stats-json` on real fixture kernels. The numbers
 * are checked against what the kernels must do, derived without btvm:
 * hello.elf's instruction count and port accesses from objdump's listing
 * and the bytes it printed; timer.elf's and usermode.elf's interrupts by
 * vector from the structure of their handlers and from the `-d int` log;
 * and the cache's counters against each other (hits + misses = lookups,
 * every miss is one translation).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countMnemonic, insnsAt, objdumpLabels, throughFirst } from '../objdump-listing.js';
import { toolsFor } from '../../support/external-tools.js';
import { fixture, runKernel, tableValue, type CapturedRun } from '../run-capture.js';

const hello = fixture('kernels/hello.elf');

/** Counter relations every run must satisfy, whatever the guest. */
function expectConsistentCache(r: CapturedRun): void {
  const c = r.report.cache!, t = r.report.translation!;
  expect(c.hits + c.misses).toBe(c.lookups);
  // The dispatcher translates on a miss, again to promote a tier-0 entry that ran often, and again for a hot whole region.
  expect(t.translations).toBe(c.misses + c.promotions + c.hotRecompiles);
  expect(t.regionsExecuted).toBeGreaterThanOrEqual(t.translations);
  expect(c.chainedTransitions).toBeLessThanOrEqual(c.directExits);
  expect(c.hitRate).toBeCloseTo(c.lookups > 0 ? c.hits / c.lookups : 0, 12);
  expect(t.blocksTranslated).toBeGreaterThanOrEqual(t.translations);
  const time = r.report.time;
  expect(time.translateMs!).toBeGreaterThan(0);
  expect(time.executeMs!).toBeGreaterThanOrEqual(0);
  expect(time.translateMs! + time.executeMs!).toBeLessThanOrEqual(time.hostMs);
}

describe('btvm run --stats on hello.elf', () => {
  it.skipIf(!toolsFor('--stats vs objdump\'s listing', 'objdump'))('counts what objdump says the kernel executes for the bytes it printed', async () => {
    const r = await runKernel(hello, ['--icount', '--stats']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(readFileSync(fixture('kernels/hello.expected'), 'latin1'));
    const bytes = r.stdout.length;

    const l = objdumpLabels(hello);
    const start = insnsAt(l, '_start'), init = insnsAt(l, 'serial_init'), exit = insnsAt(l, 'debug_exit');
    const putc = [...insnsAt(l, 'serial_putc'), ...insnsAt(l, 'serial_putc.wait')];
    const next = insnsAt(l, 'print_str.next');
    // The UART's LSR reports the transmitter empty at every poll (QEMU's does too), so .wait runs once per byte.
    const outs = countMnemonic(init, 'out') + bytes * countMnemonic(putc, 'out') + countMnemonic(exit, 'out');
    const ins = bytes * countMnemonic(putc, 'in');
    expect(r.report.vmmCalls.byRoutine).toEqual({ in: ins, out: outs });
    expect(r.report.vmmCalls.total).toBe(ins + outs);
    // _start; serial_init; print_str: prologue, a full .next per byte, lods/test/je on the NUL, .done;
    // serial_putc per byte; debug_exit up to its out (isa-debug-exit ends the run there).
    const insns = start.length + init.length + insnsAt(l, 'print_str').length + bytes * next.length + throughFirst(next, 'je') +
      insnsAt(l, 'print_str.done').length + bytes * putc.length + throughFirst(exit, 'out');
    expect(r.report.guest.instructions).toBe(insns);

    expectConsistentCache(r);
    expect(r.report.exceptions.total + r.report.softwareInterrupts.total + r.report.externalInterrupts.total).toBe(0);
    expect(r.report.cache!.invalidations).toBe(0);
    expect(r.report.cache!.flushes).toBe(0);
    // hello never turns paging on: an MMU, when the machine has one, has nothing to count but misses.
    if (r.report.mmu !== null) {
      expect(r.report.mmu.guestPageFaults).toBe(0);
      expect(r.report.mmu.walks).toBe(0);
      expect(r.report.mmu.hiddenPageFaults).toBe(0);
    }
    expect(r.report.exit).toEqual({ kind: 'exit', status: 1, detail: null });
  });

  it('prints the same numbers in the table as in the JSON', async () => {
    const r = await runKernel(hello, ['--icount', '--stats']);
    const table = r.stderr;
    expect(table).toMatch(/^btvm: run statistics\n/);
    const j = r.report;
    expect(tableValue(table, 'instructions executed')).toBe(j.guest.instructions);
    expect(tableValue(table, 'regions executed')).toBe(j.translation!.regionsExecuted);
    expect(tableValue(table, 'translations made')).toBe(j.translation!.translations);
    expect(tableValue(table, 'lookups')).toBe(j.cache!.lookups);
    expect(tableValue(table, 'chained transitions')).toBe(j.cache!.chainedTransitions);
    expect(tableValue(table, 'invalidations')).toBe(j.cache!.invalidations);
    expect(tableValue(table, 'flushes')).toBe(j.cache!.flushes);
    expect(tableValue(table, 'in')).toBe(j.vmmCalls.byRoutine.in);
    expect(tableValue(table, 'out')).toBe(j.vmmCalls.byRoutine.out);
    expect(tableValue(table, 'exit status')).toBe(1);
    for (const section of ['guest', 'time', 'translation', 'translation cache', 'region exits', 'VMM calls', 'exceptions and interrupts', 'MMU']) {
      expect(table).toContain(`\n  ${section}\n`);
    }
    expect(table).toMatch(/\n {6}translating +[\d.]+ ms +[\d.]+%\n(?: {8}.*\n){4} {6}executing \(code \+ VMM\) +[\d.]+ ms/);
    const p = j.time.translatePhasesMs!;
    expect(p.lift + p.passes + p.codegen + p.compile).toBeLessThanOrEqual(j.time.translateMs! + 1e-6);
    expect(tableValue(table, 'V8 compiling it')).toBeCloseTo(p.compile, 0);
    if (j.mmu === null) expect(table).toMatch(/\n {4}\(none\) +- +this machine has no MMU/);
    else for (const [k, v] of Object.entries(j.mmu)) expect(tableValue(table, k)).toBe(v);
  });

  it('--stats-json alone prints nothing on stderr', async () => {
    const r = await runKernel(hello, ['--icount']);
    expect(r.stderr).toBe('');
    expect(r.report.guest.instructions).toBeGreaterThan(0);
  });
});

/** -d int lines (`N: v=VV e=EEEE i=S ...`) per vector, split by i= (software) and the external tag. */
function intLogByVector(log: string): { exception: Map<number, number>; software: Map<number, number>; external: Map<number, number> } {
  const maps = { exception: new Map<number, number>(), software: new Map<number, number>(), external: new Map<number, number>() };
  for (const m of log.matchAll(/^ *\d+: v=([0-9a-f]{2}) e=[0-9a-f]{4} i=([01]) .* (\S+)$/gm)) {
    const kind = m[2] === '1' ? 'software' : m[3] === 'external' ? 'external' : 'exception';
    const v = parseInt(m[1]!, 16);
    maps[kind].set(v, (maps[kind].get(v) ?? 0) + 1);
  }
  return maps;
}

const asRecord = (m: Map<number, number>): Record<string, number> => Object.fromEntries([...m].map(([k, v]) => [String(k), v]));

describe('btvm run --stats on interrupt-driven kernels', () => {
  it('timer.elf: every external interrupt is IRQ0 at vector 0x20 and ends in one iret; -d int agrees', async () => {
    const r = await runKernel(fixture('system/timer.elf'), ['--icount', '-d', 'int'], { logFile: true });
    expect(r.status).toBe(1);
    expect(r.stdout.replace(/\r\n/g, '\n')).toBe(readFileSync(fixture('system/timer.expected'), 'latin1').replace(/\r\n/g, '\n'));
    const ext = r.report.externalInterrupts;
    // pic_init(0x20, 0x28, 0xFE, 0xFF): IRQ0 is the only unmasked line; two loops wait for >= 10 ticks each.
    expect(Object.keys(ext.byVector)).toEqual(['32']);
    expect(ext.byVector[32]).toBe(ext.total);
    expect(ext.total).toBeGreaterThanOrEqual(20);
    // No exceptions or int n here, so each iret returns from one IRQ0 handler.
    expect(r.report.vmmCalls.byRoutine.iret).toBe(ext.total);
    expect(r.report.exceptions.total + r.report.softwareInterrupts.total).toBe(0);
    const log = intLogByVector(r.logFile!);
    expect(asRecord(log.external)).toEqual({ '32': ext.total });
    expect(log.exception.size + log.software.size).toBe(0);
    expectConsistentCache(r);
  }, 20_000);

  it('usermode.elf: exceptions and int 0x80 by vector match the -d int log line for line', async () => {
    const r = await runKernel(fixture('system/usermode.elf'), ['--icount', '--stats', '-d', 'int'], { logFile: true });
    expect(r.status).toBe(1);
    const log = intLogByVector(r.logFile!);
    expect(r.report.exceptions.byVector).toEqual(asRecord(log.exception));
    expect(r.report.softwareInterrupts.byVector).toEqual(asRecord(log.software));
    expect(r.report.externalInterrupts.total).toBe(log.external.size);
    expect(r.report.softwareInterrupts.byVector[0x80]).toBeGreaterThan(0);
    expect(r.report.exceptions.byVector[13]).toBeGreaterThan(0);
    expect(r.report.exceptions.total).toBe(Object.values(r.report.exceptions.byVector).reduce((a, b) => a + b, 0));
    expect(r.report.softwareInterrupts.total).toBe(Object.values(r.report.softwareInterrupts.byVector).reduce((a, b) => a + b, 0));
    expect(r.stderr).toMatch(/\n {6}vector 0x0d #GP +\d+\n/);
    expectConsistentCache(r);
  }, 20_000);
});

describe('tiering', () => {
  it('intmath.elf: first translations are single blocks; its hot loops are promoted to whole regions, with the same output', async () => {
    const r = await runKernel(fixture('kernels/intmath.elf'), ['--icount', '--stats']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(readFileSync(fixture('kernels/intmath.expected'), 'latin1'));
    const c = r.report.cache!, t = r.report.translation!;
    expect(c.promotions).toBeGreaterThan(0);
    // Every translation that is not a promotion is one block; promotions gather more.
    expect(t.blocksTranslated).toBeGreaterThan(t.translations);
    expect(t.blocksTranslated).toBeLessThan(t.translations - c.promotions + c.promotions * 12 + 1);
    expect(tableValue(r.stderr, 'promoted to whole regions')).toBe(c.promotions);
    // Every first translation is compiled as a template, found or new (codegen/region-template.ts).
    expect(c.templateHits + c.templateMisses).toBe(t.translations - c.promotions);
    expect(c.templateHits).toBeGreaterThan(0);
    expect(tableValue(r.stderr, 'shared templates')).toBe(c.templateHits);
    // Paging off: memory access is inline from the start, so no region is recompiled for heat.
    expect(c.hotRecompiles).toBe(0);
    expectConsistentCache(r);
  }, 20_000);

  it('intmath.elf through the MMU (--scatter-memory): whole regions start with memory access as calls and the hot ones are recompiled inline, with the same output', async () => {
    const r = await runKernel(fixture('kernels/intmath.elf'), ['--icount', '--stats', '--scatter-memory=3']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(readFileSync(fixture('kernels/intmath.expected'), 'latin1'));
    const c = r.report.cache!;
    expect(c.promotions).toBeGreaterThan(0);
    expect(c.hotRecompiles).toBeGreaterThan(0);
    expect(c.hotRecompiles).toBeLessThanOrEqual(c.promotions); // only promoted regions have a second step
    expect(tableValue(r.stderr, 'recompiled hot')).toBe(c.hotRecompiles);
    expectConsistentCache(r);
  }, 20_000);

  it('a loop entered once that runs for many time slices is recompiled hot too (each slice run to its end counts as many entries)', async () => {
    // mov ecx,5000000; l: add [0x2000],ecx; dec ecx; jnz l; mov al,0; out 0xf4,al; hlt — one region, entered once.
    const loop = join(mkdtempSync(join(tmpdir(), 'btvm-hotloop-')), 'loop.bin');
    writeFileSync(loop, Uint8Array.from([0xb9, 0x40, 0x4b, 0x4c, 0x00, 0x01, 0x0d, 0x00, 0x20, 0x00, 0x00, 0x49, 0x75, 0xf7,
      0xb0, 0x00, 0xe6, 0xf4, 0xf4]));
    const r = await runKernel('--flat', [loop, '--load', '0x100000', '--entry', '0x100000', '--scatter-memory=1', '--icount', '--stats']);
    expect(r.status).toBe(1);
    expect(r.report.guest.instructions).toBe(15_000_003);
    const c = r.report.cache!;
    // 229 slices of 65,536 instructions: without the weight the region would count 229 entries, short of HOT_AFTER.
    expect(c.hotRecompiles).toBe(1);
    expectConsistentCache(r);
  }, 20_000);
});
