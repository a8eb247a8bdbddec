/**
 * Events between translated regions: timer updates, PIC interrupt delivery,
 * the interrupt shadow, and what a halted CPU waits for.
 *
 * The dispatcher calls service() between regions. It lets the PIT raise IRQ0
 * and the local APIC's timer fire when their deadlines have passed, and
 * delivers the pending vector through the IDT when the virtual IF is set —
 * the local APIC's (local-apic.ts), which passes the 8259's on through LINT0,
 * or the 8259's alone on a machine built without one — except at the one instruction after an
 * sti that set IF or after a load of SS (MonitorCore.shadowEip), which must
 * run first. A halted CPU leaves the dispatcher; the machine then asks
 * idle() what it should wait for:
 *
 *   - hlt with IF=0: nothing can wake it (no NMIs here) — the run ends;
 *   - IF=1 and a timer (PIT, APIC) that can interrupt has a deadline: skip
 *     (icount) or sleep (host time) until the first;
 *   - IF=1, no deadline, console input still open: wait for input;
 *   - otherwise nothing can wake it — the run ends with a clear message
 *     instead of hanging (QEMU would hang).
 */
import type { LocalApic } from './devices/local-apic.js';
import type { Pic8259 } from './devices/pic8259.js';
import type { Pit8254 } from './devices/pit8254.js';
import { deliverExternal } from './exceptions.js';
import { IF } from './lazy-flags.js';
import type { MonitorCore } from './monitor-core.js';
import type { VirtualClock } from './virtual-clock.js';

export type IdleAction =
  /** An interrupt is deliverable now: run again. */
  | { kind: 'run' }
  /** Wait on the host for this long (host-time mode), or for input. */
  | { kind: 'sleep'; ms: number }
  /** Only console input can wake the guest. */
  | { kind: 'wait-input' }
  /** Nothing can: MonitorCore.end has been set. */
  | { kind: 'never' };

/** How often service() gives the host a chance to run (stdin, timers), in host ms. */
const HOST_SLICE_MS = 20;

export class EventService {
  /** Stop after this many retired instructions (--max-insns); Infinity: no limit. */
  maxInsns = Infinity;
  /** Whether console input may still arrive (stdin open). */
  inputOpen = false;
  private sliceStart = performance.now();
  private calls = 0;

  constructor(
    private readonly m: MonitorCore,
    private readonly pic: Pic8259,
    private readonly pit: Pit8254,
    private readonly clock: VirtualClock,
    private readonly apic: LocalApic | null = null,
  ) {
    this.interrupts = apic ?? pic;
  }

  /** Where the CPU's interrupts come from: the local APIC, or the 8259 on a machine without one. */
  private readonly interrupts: Pick<LocalApic, 'pendingVector' | 'acknowledge'>;

  /** Between regions: returns true if the guest may run on, false to return to the machine loop. */
  service(): boolean {
    const m = this.m;
    const cpu = m.cpu;
    if (m.end !== null) return false;
    if (cpu.icount >= this.maxInsns) {
      m.requestEnd({ kind: 'insn-limit', detail: `${cpu.icount} instructions retired (--max-insns ${this.maxInsns})` });
      return false;
    }
    // One clock read for both timers: in host-time mode it is a performance.now() per region boundary.
    const now = this.clock.nowNs();
    if (now >= this.pit.nextEventNs()) this.pit.update();
    const apic = this.apic;
    if (apic !== null && now >= apic.nextEventNs()) apic.update();
    m.interruptShadowed = false;
    if ((cpu.eflagsSys & IF) !== 0 && this.interrupts.pendingVector() >= 0) {
      const shadowed = m.shadowEip === cpu.eip && !m.cpu.halted;
      if (shadowed) {
        // The instruction in the shadow runs first; the executor runs just it and asks again.
        m.interruptShadowed = true;
      } else {
        const cpl = cpu.cpl;
        deliverExternal(m, this.interrupts.acknowledge());
        if (cpu.cpl !== cpl) m.mmu?.onCplChange();
      }
    }
    m.shadowEip = -1;
    if (m.cpu.halted || m.end !== null) return false;
    // Return to the machine every HOST_SLICE_MS so the host event loop runs (console output and input,
    // host timers), whatever the guest does. The clock is read at each end of an instruction slice
    // (budget spent: cheap, at most every slice's worth of instructions, however slow they were) and
    // every 256th call otherwise (a guest with IF=1 comes here after every region).
    if ((cpu.budget <= 0 || (++this.calls & 255) === 0) && performance.now() - this.sliceStart > HOST_SLICE_MS) return false;
    return true;
  }

  /** Called by the machine loop after service() returned false, to start a new host slice. */
  newSlice(): void {
    this.sliceStart = performance.now();
  }

  /** What a halted CPU waits for; updates virtual time in icount mode. */
  idle(): IdleAction {
    const m = this.m;
    const cpu = m.cpu;
    if ((cpu.eflagsSys & IF) === 0) {
      m.requestEnd({ kind: 'halted', detail: `hlt with interrupts disabled (IF=0) at eip=0x${hex(cpu.eip - 1)}` });
      return { kind: 'never' };
    }
    this.service();
    if (!m.cpu.halted) return { kind: 'run' };
    if (m.end !== null) return { kind: 'never' };
    const apicDeadline = this.apic?.nextEventNs() ?? Infinity;
    const deadline = Math.min(this.timerCanWake() ? this.pit.nextEventNs() : Infinity, apicDeadline);
    if (deadline !== Infinity) {
      if (this.clock.mode.kind === 'icount') {
        this.clock.skipTo(deadline);
        this.pit.update();
        this.apic?.update();
        return { kind: 'run' };
      }
      const ms = Math.max(0, (deadline - this.clock.nowNs()) / 1e6);
      return { kind: 'sleep', ms };
    }
    if (this.inputOpen) return { kind: 'wait-input' };
    m.requestEnd({
      kind: 'halted',
      detail: `hlt at eip=0x${hex(cpu.eip - 1)} with IF=1 but no timer interrupt pending and no input to wait for`,
    });
    return { kind: 'never' };
  }

  /** The PIT can wake the CPU only if IRQ0 (and so the cascade-free master input 0) is unmasked and reaches the CPU. */
  private timerCanWake(): boolean {
    return (this.pic.master.imr & 1) === 0 && this.pit.nextEventNs() !== Infinity && (this.apic?.acceptsPic() ?? true);
  }
}

const hex = (v: number): string => (v >>> 0).toString(16);
