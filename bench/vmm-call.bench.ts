/**
 * A VMM call from generated code: the round trip of an `emulate` (write
 * the guest registers back to CpuState, call Monitor.emulate, reload them,
 * act on its result), alone and with the real monitor behind it.
 *
 * Three loops of the same length, translated by the real lifter and passes:
 *   in al, 0x80 ; dec ecx ; jnz    with the real monitor (POST port device)
 *   in al, 0x80 ; dec ecx ; jnz    with a monitor that does nothing
 *   xchg ax, ax ; dec ecx ; jnz    no VMM call: the loop's own cost
 * The differences give the round trip itself and the monitor's work.
 *
 * Run: `npx tsc -p tsconfig.json && node dist/bench/vmm-call.bench.js`.
 */
import b from 'benny';
import { createCpuRuntime } from '../src/exec/cpu-runtime.js';
import { VmmResult, type Monitor } from '../src/vmm-interface/interface.js';
import { Machine } from '../src/machine/machine.js';

const ITER = 20_000;
const ECX = 1;
const LOOP_IN = [0xe4, 0x80, 0x49, 0x75, 0xfb];
const LOOP_NOP = [0x66, 0x90, 0x49, 0x75, 0xfb];
const HLT = 0xf4;

/** A loop of ITER iterations at 0x1000, run to exactly its last instruction by the dispatcher's limit. */
function loop(code: number[], monitor: 'real' | 'null'): () => void {
  const machine = new Machine({
    image: { kind: 'flat', bytes: new Uint8Array([...code, HLT]), loadAddress: 0x1000, entry: 0x1000 },
    memoryBytes: 1 << 20,
    time: { kind: 'icount', shift: 0 },
    serialOutput: () => {},
    executor: () => ({ run() {} }),
  });
  const nullMonitor: Monitor = { result: 0xff, emulate: () => VmmResult.Continue, raise: () => {} };
  const cpu = machine.cpu;
  const runtime = createCpuRuntime({
    cpu,
    memory: machine.memory,
    monitor: monitor === 'real' ? machine.monitor : nullMonitor,
    events: { pending: 0, check() {}, idle: () => false },
    stop: { stopRequested: false },
    dispatcher: { maxInsns: ITER * 3, sliceInsns: 1 << 30 },
  });
  return () => {
    cpu.icount = 0;
    cpu.eip = 0x1000;
    cpu.regs[ECX] = ITER;
    const r = runtime.dispatcher.run();
    if (r.kind !== 'max-insns' || cpu.eip !== 0x1005) throw new Error(`loop ended ${r.kind} at eip ${cpu.eip.toString(16)}`);
  };
}

const cases: [string, () => void][] = [
  ['in al,0x80 via the monitor', loop(LOOP_IN, 'real')],
  ['in al,0x80, monitor does nothing', loop(LOOP_IN, 'null')],
  ['no VMM call (xchg ax,ax)', loop(LOOP_NOP, 'real')],
];

const nsPerIteration = new Map<string, number>();
void b.suite(
  'VMM call',
  ...cases.map(([name, fn]) => b.add(name, fn, { maxTime: 1 })),
  b.complete((summary: { results: { name: string; ops: number }[] }) => {
    for (const r of summary.results) {
      const ns = 1e9 / r.ops / ITER;
      nsPerIteration.set(r.name, ns);
      process.stdout.write(`  ${r.name}: ${ns.toFixed(1)} ns per loop iteration\n`);
    }
    const [real, nothing, none] = cases.map(([n]) => nsPerIteration.get(n)!);
    process.stdout.write(`  => emulate round trip from generated code: ${(nothing! - none!).toFixed(1)} ns; ` +
      `monitor's work for in from the POST port: ${(real! - nothing!).toFixed(1)} ns\n`);
  }),
);
