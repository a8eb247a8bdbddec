/**
 * QEMU's isa-debug-exit device, as configured with iobase=0xf4,iosize=0x04.
 *
 * Test kernels end a run by writing a value V to port 0xf4; QEMU then exits
 * with status (V << 1) | 1, so a guest can report success or failure to the
 * harness without a real power-off path. We do the same through VmControl.
 * QEMU passes the whole written value to exit(), and the host truncates the
 * status to 8 bits; the status reported here is that truncated one, i.e.
 * what a script running QEMU would see. Any offset within the 4 ports and
 * any access width triggers it, as in QEMU. The device has no readable
 * state; reads return 0, as QEMU's do (checked with qemu-system-i386 in
 * test/vmm/devices/qemu-differential.test.ts).
 */
import type { PortDevice } from './port-bus.js';
import type { VmControl } from './vm-control.js';

export const DEBUG_EXIT_PORT = 0xf4;
export const DEBUG_EXIT_SIZE = 4;

export class DebugExit implements PortDevice {
  readonly accessWidth = 4;

  constructor(private readonly vm: VmControl) {}

  readPort(_port: number, _size: 1 | 2 | 4): number {
    return 0;
  }

  writePort(_port: number, _size: 1 | 2 | 4, value: number): void {
    this.vm.requestStop({ kind: 'exit', status: ((value << 1) | 1) & 0xff });
  }
}
