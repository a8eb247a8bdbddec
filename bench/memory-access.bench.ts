/**
 * Guest memory access from generated code: a compiled loop that loads,
 * adds and stores one dword per iteration, with aligned addresses (the
 * typed-array fast path), unaligned ones (the out-of-line slow path) and
 * stores into a page that holds translated code (the self-modifying-code
 * check, which must stay cheap when nothing overlaps).
 */
import b from 'benny';
import { IrBuilder } from '../src/ir/builder.js';
import type { Block } from '../src/ir/types.js';
import { microMachine, reportPerOp } from './micro-setup.js';

const EAX = 0, ECX = 1, ESI = 6, EDI = 7;
const ITER = 10_000;

/** 0x1000: l: mov edx,[esi]; add eax,edx; mov [edi],eax; add esi,4; add edi,4; dec ecx; jnz l */
function copyLoop(address: number): Block {
  const ir = new IrBuilder(address, 0);
  ir.insn(0x1000, 2, 'mov edx,[esi]');
  const v = ir.load(4, ir.gpr(ESI));
  ir.insn(0x1002, 2, 'add eax,edx');
  const s = ir.bin('add', ir.gpr(EAX), v);
  ir.putGpr(EAX, s);
  ir.insn(0x1004, 2, 'mov [edi],eax');
  ir.store(4, ir.gpr(EDI), s);
  ir.insn(0x1006, 3, 'add esi,4');
  ir.putGpr(ESI, ir.bin('add', ir.gpr(ESI), ir.c(4)));
  ir.insn(0x1009, 3, 'add edi,4');
  ir.putGpr(EDI, ir.bin('add', ir.gpr(EDI), ir.c(4)));
  ir.insn(0x100c, 1, 'dec ecx');
  const c = ir.bin('sub', ir.gpr(ECX), ir.c(1));
  ir.setFlags('dec', 4, c, ir.gpr(ECX), ir.c(1), ir.c(0));
  ir.putGpr(ECX, c);
  ir.insn(0x100d, 2, 'jnz l');
  return ir.finish({ kind: 'branch', cond: ir.flag('ne'), taken: 0x1000, fallthrough: 0x100f });
}

function loop(src: number, dst: number): () => void {
  // One block per region: the loop's exit to 0x100f leaves the region.
  const m = microMachine(copyLoop, { translator: { region: { maxBlocks: 1 } } });
  return () => {
    m.cpu.regs.set([0, ITER, 0, 0, 0, 0, src, dst]);
    runUntil(m, 0x100f);
  };
}

function runUntil(m: ReturnType<typeof microMachine>, end: number): void {
  // The loop exits to `end` (outside the region): one region run does the whole loop.
  const cache = m.runtime.cache;
  let r = cache.lookup(0x1000, 0x1000, modeOf(m));
  if (r === null) r = m.runtime.translator.translate(0x1000, modeOf(m), { codeSize: 4, flatSegments: true, mode: modeOf(m) });
  m.cpu.budget = 1 << 30;
  r.run();
  if (m.cpu.eip !== end) throw new Error(`loop did not finish: eip ${m.cpu.eip.toString(16)} ecx ${m.cpu.regs[ECX]}`);
}
const modeOf = (_m: ReturnType<typeof microMachine>): number => 0x17;

void b.suite(
  'memory access',
  b.add('aligned load+store', loop(0x10000, 0x40000), { maxTime: 1 }),
  b.add('unaligned load+store', loop(0x10001, 0x40003), { maxTime: 1 }),
  b.add('stores into a code page (no overlap)', loop(0x10000, 0x1100), { maxTime: 1 }),
  b.complete(reportPerOp('loop iteration,', ITER, 'iteration (7 guest insns)')),
);
