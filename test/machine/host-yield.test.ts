/**
 * The machine's run loop gives the host's event loop a turn every few tens
 * of milliseconds whatever the guest does (src/vmm/events.ts), so console
 * output is written and keys arrive while the guest runs. The hard case is
 * a guest with interrupts off whose every instruction is a VMM call: it
 * reaches the event check only at each end of a time slice, and slices of
 * slow instructions are long. A host timer set while such a guest spins
 * must still fire nearly on time, and the run must end when asked.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.js';

describe('the run loop yields to the host', () => {
  it('a host timer fires on time while an IF=0 guest spins on port reads', async () => {
    const spin = new Uint8Array([0xe4, 0x80, 0xeb, 0xfc]); // l: in al, 0x80; jmp l
    const m = new Machine({
      image: { kind: 'flat', bytes: spin, loadAddress: 0x100000, entry: 0x100000 },
      memoryBytes: 2 << 20,
      serialOutput: () => {},
    });
    const running = m.run();
    const lateness: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await new Promise<void>((r) => setTimeout(r, 20));
      lateness.push(performance.now() - t0 - 20);
    }
    m.stop({ kind: 'quit', detail: 'test over' });
    const result = await running;
    expect(result.reason.kind).toBe('quit');
    expect(result.stats.routineCalls.in).toBeGreaterThan(1000);
    // Each turn waits for at most one host slice (20 ms) plus the instruction slice it falls in.
    expect(Math.max(...lateness), `timer lateness in ms: ${lateness.map((l) => l.toFixed(1)).join(', ')}`).toBeLessThan(250);
  });
});
