/** isa-debug-exit, the POST port and the assembled machine device set. */
import { describe, expect, it } from 'vitest';
import { DebugExit } from '../../../src/vmm/devices/debug-exit.js';
import { PostPort } from '../../../src/vmm/devices/post-port.js';
import { createMachineDevices } from '../../../src/vmm/devices/machine-devices.js';
import type { StopReason } from '../../../src/vmm/devices/vm-control.js';
import { ManualClock } from './fakes.js';

describe('DebugExit', () => {
  it('turns a write of V into exit status (V<<1)|1 truncated to 8 bits, like QEMU', () => {
    const stops: StopReason[] = [];
    const dev = new DebugExit({ requestStop: (r) => stops.push(r) });
    dev.writePort(0xf4, 1, 0);
    dev.writePort(0xf4, 1, 0x10);
    dev.writePort(0xf6, 4, 0x1234_5681);
    expect(stops).toEqual([
      { kind: 'exit', status: 1 },
      { kind: 'exit', status: 0x21 },
      { kind: 'exit', status: 0x03 },
    ]);
  });
});

describe('PostPort', () => {
  it('records codes, reads all ones', () => {
    const post = new PostPort();
    expect(post.lastCode).toBe(-1);
    for (let i = 0; i < 100; i++) post.writePort(0x80, 1, i);
    expect(post.lastCode).toBe(99);
    expect(post.writes).toBe(100);
    expect(post.recentCodes()).toEqual(Array.from({ length: 64 }, (_, i) => 36 + i));
    expect(post.readPort(0x80, 1)).toBe(0xff);
  });
});

describe('createMachineDevices', () => {
  it('wires the UART to IRQ4 and the PIT to IRQ0 through the PIC, all reachable on the bus', () => {
    const out: number[] = [];
    const stops: StopReason[] = [];
    const clock = new ManualClock();
    const m = createMachineDevices({
      serialOutput: (b) => out.push(b),
      clock,
      vm: { requestStop: (r) => stops.push(r) },
      ramSize: 64 * 1024 * 1024,
      rtcStart: new Date(0),
    });
    const { bus, pic, pit } = m;
    for (const [p, v] of [[0x20, 0x11], [0x21, 0x20], [0x21, 4], [0x21, 1], [0xa0, 0x11], [0xa1, 0x28], [0xa1, 2], [0xa1, 1], [0x21, 0], [0xa1, 0]]) {
      bus.write(p!, 1, v!);
    }
    bus.write(0x3f9, 1, 0x01); // COM1 IER: received data
    m.uart.receive([0x41]);
    expect(pic.pendingVector()).toBe(0x24);
    expect(pic.acknowledge()).toBe(0x24);
    expect(bus.read(0x3f8, 1)).toBe(0x41);
    bus.write(0x20, 1, 0x20);
    bus.write(0x43, 1, 0x34);
    bus.write(0x40, 1, 0x9c);
    bus.write(0x40, 1, 0x2e); // 11932: 100 Hz
    clock.ns = pit.nextEventNs();
    pit.update();
    expect(pic.acknowledge()).toBe(0x20);
    bus.write(0x3f8, 1, 0x4f);
    expect(out).toEqual([0x4f]);
    bus.write(0x70, 1, 0x15);
    expect(bus.read(0x71, 1)).toBe(0x80);
    bus.write(0x80, 1, 0x12);
    expect(m.post.lastCode).toBe(0x12);
    bus.write(0xf4, 4, 0);
    expect(stops).toEqual([{ kind: 'exit', status: 1 }]);
  });
});
