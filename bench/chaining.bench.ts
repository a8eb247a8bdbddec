/**
 * A transition between regions, chained versus looked up: two one-block
 * regions on different pages jump to each other, so every guest block is a
 * region exit. With chaining the dispatcher follows a patched link; without
 * it, each transition is a cache lookup.
 */
import b from 'benny';
import { IrBuilder } from '../src/ir/builder.js';
import type { Block } from '../src/ir/types.js';
import { microMachine, reportPerOp } from './micro-setup.js';

/** 0x1000: inc eax; jmp 0x3000   0x3000: inc ebx; jmp 0x1000 */
function pingPong(address: number): Block {
  const other = address === 0x1000 ? 0x3000 : 0x1000;
  const reg = address === 0x1000 ? 0 : 3;
  const ir = new IrBuilder(address, 0);
  ir.insn(address, 1, 'inc');
  ir.putGpr(reg, ir.bin('add', ir.gpr(reg), ir.c(1)));
  ir.insn(address + 1, 5, 'jmp');
  return ir.finish({ kind: 'jump', target: other });
}

const TRANSITIONS = 10_000;
function machine(chain: boolean): () => void {
  const m = microMachine(pingPong, { dispatcher: { chain, maxInsns: TRANSITIONS * 2, sliceInsns: 1 << 30 } });
  m.cpu.eip = 0x1000;
  return () => {
    m.cpu.icount = 0;
    m.runtime.dispatcher.run();
  };
}

void b.suite(
  'region transitions',
  b.add('chained', machine(true), { maxTime: 1 }),
  b.add('unchained (cache lookup)', machine(false), { maxTime: 1 }),
  b.complete(reportPerOp('transition', TRANSITIONS, 'transition')),
);
