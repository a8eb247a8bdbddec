import { describe, expect, it } from 'vitest';
import { PortBus, PortConflictError, type PortDevice } from '../../../src/vmm/devices/port-bus.js';

/** A device that records accesses and answers (port & 0xff) + size for reads. */
function recorder(accessWidth?: 1 | 2 | 4): PortDevice & { log: string[] } {
  const log: string[] = [];
  return {
    accessWidth,
    log,
    readPort(port, size) {
      log.push(`r${size}@${port.toString(16)}`);
      return size === 1 ? port & 0xff : size === 2 ? 0x1000 | (port & 0xff) : 0x10000000 | (port & 0xff);
    },
    writePort(port, size, value) {
      log.push(`w${size}@${port.toString(16)}=${value.toString(16)}`);
    },
  };
}

describe('PortBus', () => {
  it('reads all ones of the access size from unassigned ports and ignores writes', () => {
    const bus = new PortBus();
    expect(bus.read(0x1234, 1)).toBe(0xff);
    expect(bus.read(0x1234, 2)).toBe(0xffff);
    expect(bus.read(0x1234, 4)).toBe(0xffffffff);
    bus.write(0x1234, 4, 0);
    expect(bus.read(0x1234, 4)).toBe(0xffffffff);
  });

  it('routes byte accesses and splits wider ones into bytes, low port first', () => {
    const bus = new PortBus();
    const dev = recorder();
    bus.register(0x40, 3, dev);
    expect(bus.read(0x41, 1)).toBe(0x41);
    // dword at 0x40: bytes 0x40, 0x41, 0x42 from the device, 0x43 unassigned.
    expect(bus.read(0x40, 4)).toBe(0xff424140);
    bus.write(0x41, 2, 0xbeef);
    expect(dev.log).toEqual(['r1@41', 'r1@40', 'r1@41', 'r1@42', 'w1@41=ef', 'w1@42=be']);
  });

  it('passes accesses up to the device width through whole and splits wider ones to that width', () => {
    const bus = new PortBus();
    const wide = recorder(2);
    bus.register(0x1f0, 8, wide);
    expect(bus.read(0x1f0, 2)).toBe(0x10f0);
    expect(bus.read(0x1f0, 4)).toBe(0x10f210f0);
    bus.write(0x1f0, 4, 0x12345678);
    expect(wide.log).toEqual(['r2@1f0', 'r2@1f0', 'r2@1f2', 'w2@1f0=5678', 'w2@1f2=1234']);
    const dword = recorder(4);
    bus.register(0xf4, 4, dword);
    bus.write(0xf4, 4, 0xabcdef01 | 0);
    bus.write(0xf4, 1, 0x1210);
    bus.write(0xf4, 2, -1);
    expect(dword.log).toEqual(['w4@f4=abcdef01', 'w1@f4=10', 'w2@f4=ffff']);
  });

  it('wraps at port 0xFFFF', () => {
    const bus = new PortBus();
    const dev = recorder();
    bus.register(0, 1, dev);
    expect(bus.read(0xffff, 2)).toBe(0x00ff);
  });

  it('refuses overlapping registrations', () => {
    const bus = new PortBus();
    bus.register(0x20, 2, recorder());
    expect(() => bus.register(0x21, 1, recorder())).toThrow(PortConflictError);
    expect(() => bus.register(0xffff, 2, recorder())).toThrow(RangeError);
  });
});
