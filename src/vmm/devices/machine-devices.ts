/**
 * The standard set of PC devices on the I/O port bus, wired together.
 *
 * The VMM calls createMachineDevices() once when it builds a machine; the CPU
 * then talks to the bus for in/out, to the PIC for interrupt delivery and to
 * the PIT for timer deadlines. What is here is what a serial-console guest
 * (and QEMU's PC machine with -nodefaults -serial) offers:
 *
 *   0x20/0x21, 0xA0/0xA1  8259A pair            (pic8259.ts)
 *   0x40–0x43             8254 PIT → IRQ0        (pit8254.ts)
 *   0x61                  system control port B  (system-control-port.ts)
 *   0x70/0x71             CMOS RTC               (cmos-rtc.ts)
 *   0x80                  POST codes             (post-port.ts)
 *   0xF4–0xF7             isa-debug-exit         (debug-exit.ts)
 *   0x3F8–0x3FF           COM1 16550A → IRQ4     (uart16550.ts)
 *   0x510–0x51B           QEMU fw_cfg            (fw-cfg.ts)
 *   0xFEE00000 (MMIO)     local APIC             (local-apic.ts), which
 *                         takes the 8259's INTR on LINT0
 */
import { CmosRtc, CMOS_INDEX_PORT } from './cmos-rtc.js';
import type { Clock } from './clock.js';
import { DebugExit, DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE } from './debug-exit.js';
import { FwCfg, FW_CFG_PORT_COUNT, FW_CFG_PORT_SELECTOR, type DmaMemory } from './fw-cfg.js';
import { LocalApic } from './local-apic.js';
import type { MmioMap } from '../../memory/mmio.js';
import { SystemControlPort, SYSTEM_CONTROL_PORT } from './system-control-port.js';
import { Pic8259 } from './pic8259.js';
import { Pit8254 } from './pit8254.js';
import { PortBus } from './port-bus.js';
import { PostPort, POST_PORT } from './post-port.js';
import { Uart16550, type ByteSink, type SerialLine } from './uart16550.js';
import type { VmControl } from './vm-control.js';
import type { GuestLog } from '../guest-log.js';

export const COM1_BASE = 0x3f8;
export const COM1_IRQ = 4;

export interface MachineDeviceOptions {
  /** Where COM1 output bytes go (the console): a plain sink, or a line with flow control. */
  serialOutput: ByteSink | SerialLine;
  /** Virtual time for the PIT and RTC. */
  clock: Clock;
  /** Receives stop requests (debug-exit). */
  vm: VmControl;
  /** Guest RAM below 4 GiB in bytes, for the CMOS memory-size registers. */
  ramSize: number;
  /** Guest RAM at 4 GiB and up (-m of 3.5 GiB or more: memory/pc-memory-layout.ts); default none. */
  ramAboveFourGiB?: number;
  /** RTC wall-clock time at clock time "now"; default: the host's current time. */
  rtcStart?: Date;
  /** Bus to populate; default: a new one. */
  bus?: PortBus;
  /** Guest-physical memory: its MMIO windows receive the local APIC, fw_cfg's DMA reads and writes it. */
  memory?: DmaMemory & { readonly mmio: MmioMap };
  /** -d guest_errors / -d unimp: the bus, the MMIO map's open bus and the devices report here; default silent. */
  guestLog?: GuestLog;
}

export interface MachineDevices {
  bus: PortBus;
  pic: Pic8259;
  pit: Pit8254;
  uart: Uart16550;
  cmos: CmosRtc;
  post: PostPort;
  debugExit: DebugExit;
  systemControl: SystemControlPort;
  /** Present when the machine has guest-physical memory to map them in (options.memory). */
  apic: LocalApic | null;
  fwCfg: FwCfg | null;
}

export function createMachineDevices(options: MachineDeviceOptions): MachineDevices {
  const bus = options.bus ?? new PortBus();
  const pic = new Pic8259();
  const pit = new Pit8254(options.clock, pic);
  const uart = new Uart16550(COM1_BASE, COM1_IRQ, pic, options.serialOutput);
  const above = options.ramAboveFourGiB ?? 0;
  const cmos = new CmosRtc(options.ramSize, options.rtcStart ?? new Date(), options.clock, above);
  const post = new PostPort();
  const debugExit = new DebugExit(options.vm);
  const systemControl = new SystemControlPort(pit, options.clock);
  const memory = options.memory;
  const apic = memory ? new LocalApic(options.clock, pic, memory.mmio) : null;
  // fw_cfg's RAM size item is all of -m, as QEMU's (x86ms->ram_size).
  const fwCfg = memory ? new FwCfg(options.ramSize + above, memory) : null;
  bus.register(0x20, 2, pic);
  bus.register(0xa0, 2, pic);
  bus.register(0x40, 4, pit);
  bus.register(CMOS_INDEX_PORT, 2, cmos);
  bus.register(POST_PORT, 1, post);
  bus.register(DEBUG_EXIT_PORT, DEBUG_EXIT_SIZE, debugExit);
  bus.register(COM1_BASE, 8, uart);
  bus.register(SYSTEM_CONTROL_PORT, 1, systemControl);
  if (fwCfg) bus.register(FW_CFG_PORT_SELECTOR, FW_CFG_PORT_COUNT, fwCfg);
  const log = options.guestLog;
  if (log !== undefined) {
    bus.guestLog = uart.guestLog = cmos.guestLog = pic.master.guestLog = pic.slave.guestLog = log;
    if (apic !== null) apic.guestLog = log;
    if (memory !== undefined && log.errors) memory.mmio.openBus = (pa, size, value) => log.openBus(pa, size, value);
  }
  return { bus, pic, pit, uart, cmos, post, debugExit, systemControl, apic, fwCfg };
}
