/**
 * The 16550 driven the way Linux's 8250 driver and xv6 drive it, checking the
 * register values the PC16550D datasheet specifies.
 */
import { describe, expect, it } from 'vitest';
import { Uart16550 } from '../../../src/vmm/devices/uart16550.js';
import { RecordingLines } from './fakes.js';

const BASE = 0x3f8;
const [THR, IER, IIR, LCR, MCR, LSR, MSR, SCR] = [0, 1, 2, 3, 4, 5, 6, 7].map((o) => BASE + o) as number[] as [
  number, number, number, number, number, number, number, number,
];
const FCR = IIR;

function setup() {
  const lines = new RecordingLines();
  const out: number[] = [];
  const uart = new Uart16550(BASE, 4, lines, (b) => out.push(b));
  const rd = (p: number) => uart.readPort(p, 1);
  const wr = (p: number, v: number) => uart.writePort(p, 1, v);
  return { uart, lines, out, rd, wr };
}

describe('Uart16550', () => {
  it('has the power-on register values of the datasheet', () => {
    const { rd } = setup();
    expect(rd(IER)).toBe(0);
    expect(rd(IIR)).toBe(0x01); // no interrupt pending, FIFOs off
    expect(rd(LCR)).toBe(0);
    expect(rd(MCR)).toBe(0);
    expect(rd(LSR)).toBe(0x60); // THRE | TEMT
  });

  it('passes the Linux 8250 autoconfig probes as a 16550A', () => {
    const { rd, wr } = setup();
    // IER probe: all four enable bits stick, upper nibble reads 0.
    wr(IER, 0);
    expect(rd(IER) & 0x0f).toBe(0);
    wr(IER, 0xff);
    expect(rd(IER)).toBe(0x0f);
    wr(IER, 0);
    // Loopback probe: MCR = LOOP|OUT2|RTS must read back DCD|CTS in MSR.
    wr(MCR, 0x10 | 0x0a);
    expect(rd(MSR) & 0xf0).toBe(0x90);
    wr(MCR, 0);
    // Scratch register.
    wr(SCR, 0xa5);
    expect(rd(SCR)).toBe(0xa5);
    // FIFO probe: IIR bits 7:6 = 11 identify a 16550A with working FIFOs.
    wr(FCR, 0x01);
    expect(rd(IIR) >> 6).toBe(3);
    wr(FCR, 0x00);
    expect(rd(IIR) >> 6).toBe(0);
  });

  it('latches the divisor under DLAB without disturbing THR/IER', () => {
    const { uart, rd, wr, out } = setup();
    wr(IER, 0x05);
    wr(LCR, 0x80);
    wr(THR, 0x0c); // DLL
    wr(IER, 0x00); // DLM
    expect(rd(THR)).toBe(0x0c);
    expect(rd(IER)).toBe(0x00);
    wr(LCR, 0x03); // 8N1, DLAB off
    expect(uart.divisorLatch).toBe(12); // 9600 baud
    expect(rd(IER)).toBe(0x05);
    expect(out).toEqual([]);
    expect(rd(LCR)).toBe(0x03);
  });

  it('sends THR bytes to the sink at once, THRE and TEMT staying set', () => {
    const { rd, wr, out } = setup();
    for (const c of 'hi\n') {
      expect(rd(LSR) & 0x20).toBe(0x20);
      wr(THR, c.charCodeAt(0));
    }
    expect(String.fromCharCode(...out)).toBe('hi\n');
    expect(rd(LSR)).toBe(0x60);
  });

  it('raises THR-empty when ETBEI is enabled, clears it on IIR read, re-arms after a write', () => {
    const { rd, wr, lines, out } = setup();
    wr(MCR, 0x0b);
    wr(IER, 0x02);
    expect(lines.isHigh(4)).toBe(true);
    expect(rd(IIR)).toBe(0x02);
    expect(lines.isHigh(4)).toBe(false);
    expect(rd(IIR)).toBe(0x01);
    wr(THR, 0x41);
    expect(out).toEqual([0x41]);
    expect(lines.isHigh(4)).toBe(true);
    wr(IER, 0);
    expect(lines.isHigh(4)).toBe(false);
    expect(lines.events).toEqual(['+4', '-4', '+4', '-4']);
  });

  it('receives queued input, flags DR, and orders IIR causes by datasheet priority', () => {
    const { uart, rd, wr, lines } = setup();
    wr(IER, 0x03); // received data + THR empty
    expect(rd(IIR)).toBe(0x02); // only THRE so far; reading clears it
    uart.receive([0x61, 0x62]);
    expect(lines.isHigh(4)).toBe(true);
    expect(rd(LSR) & 0x01).toBe(1);
    wr(THR, 0x20); // re-arms THRE; received data still outranks it
    expect(rd(IIR)).toBe(0x04);
    expect(rd(THR)).toBe(0x61);
    expect(rd(THR)).toBe(0x62);
    expect(rd(LSR) & 0x01).toBe(0);
    expect(rd(IIR)).toBe(0x02);
    expect(rd(IIR)).toBe(0x01);
    expect(lines.isHigh(4)).toBe(false);
  });

  it('reports character timeout below the FIFO trigger level and data available at it', () => {
    const { uart, rd, wr } = setup();
    wr(FCR, 0x47); // enable, clear, trigger 4
    wr(IER, 0x01);
    uart.receive([1, 2, 3]);
    expect(rd(IIR)).toBe(0xcc);
    uart.receive([4]);
    expect(rd(IIR)).toBe(0xc4);
    rd(THR);
    expect(rd(IIR)).toBe(0xcc);
  });

  it('loops THR back to RBR in loopback mode and reports modem deltas', () => {
    const { uart, rd, wr, out, lines } = setup();
    wr(MCR, 0x10);
    expect(rd(MSR)).toBe(0x0b); // CTS, DSR, DCD dropped: their delta bits set
    expect(rd(MSR)).toBe(0x00); // deltas clear on read
    wr(IER, 0x08);
    wr(MCR, 0x10 | 0x01); // DTR → DSR
    expect(lines.isHigh(4)).toBe(true);
    expect(rd(IIR)).toBe(0x00); // modem status interrupt
    expect(rd(MSR)).toBe(0x22);
    expect(lines.isHigh(4)).toBe(false);
    wr(MCR, 0x10 | 0x04); // OUT1 → RI
    rd(MSR);
    wr(MCR, 0x10); // RI trailing edge sets TERI
    expect(rd(MSR) & 0x04).toBe(0x04);
    wr(THR, 0x55);
    expect(out).toEqual([]);
    expect(uart.pendingInput).toBe(1);
    expect(rd(THR)).toBe(0x55);
    wr(MCR, 0x03);
    expect(rd(MSR) & 0xf0).toBe(0xb0);
  });

  describe('on a line the host cannot keep up with (flow control)', () => {
    function slowLine() {
      const lines = new RecordingLines();
      const out: number[] = [];
      const line = { busy: false, send: (b: number) => void out.push(b) };
      const uart = new Uart16550(BASE, 4, lines, line);
      const rd = (p: number) => uart.readPort(p, 1);
      const wr = (p: number, v: number) => uart.writePort(p, 1, v);
      return { uart, lines, out, line, rd, wr };
    }

    it('reads THRE and TEMT clear after a byte the host could not take, and set again once it can', () => {
      const { uart, out, line, rd, wr } = slowLine();
      wr(THR, 0x41);
      expect(rd(LSR) & 0x60).toBe(0x60);
      line.busy = true;
      wr(THR, 0x42);
      expect(rd(LSR) & 0x60).toBe(0);
      expect(uart.transmitterBusy).toBe(true);
      // A guest that ignores LSR loses nothing: the byte still reaches the host.
      wr(THR, 0x43);
      expect(out).toEqual([0x41, 0x42, 0x43]);
      line.busy = false;
      uart.lineIdle();
      expect(rd(LSR) & 0x60).toBe(0x60);
    });

    it('holds the THR-empty interrupt back while busy and raises it when the line goes idle', () => {
      const { uart, lines, line, rd, wr } = slowLine();
      wr(IER, 0x02);
      expect(rd(IIR)).toBe(0x02); // enabling ETBEI with THR empty raises it; the read clears it
      line.busy = true;
      wr(THR, 0x41);
      expect(rd(IIR)).toBe(0x01);
      expect(lines.isHigh(4)).toBe(false);
      // Re-enabling ETBEI while busy does not raise it either.
      wr(IER, 0);
      wr(IER, 0x02);
      expect(rd(IIR)).toBe(0x01);
      line.busy = false;
      uart.lineIdle();
      expect(lines.isHigh(4)).toBe(true);
      expect(rd(IIR)).toBe(0x02);
      expect(lines.isHigh(4)).toBe(false);
    });
  });
});

