/**
 * The host CPU as the x87 oracle: runs x87 instructions natively through
 * fixtures/native/x87_oracle (protocol in that file's header) and returns the
 * whole FPU state after each, for differential tests of src/fpu.
 *
 * A case is an FPU state (loaded with FRSTOR), the instruction bytes (IA-32
 * encoding; memory operands as [ebx+disp] or [disp32], EBX = the buffer at
 * MEM_ADDR), an optional memory buffer, EAX and EFLAGS. The outcome is the
 * FNSAVE state after the bytes ran (so ST(i) and tags as the hardware left
 * them), EAX, EFLAGS (OF SF ZF AF PF CF) and the buffer. One process runs a
 * whole batch. Registers are carried as in src/fpu/float80.ts: ST(i) at
 * 3*i of a Uint32Array as se, hi, lo.
 *
 * The oracle runs the bytes in 64-bit mode (this host runs no 32-bit
 * processes), so FCS/FDS and FIP/FDP in the outcome are the 64-bit process's;
 * everything else is what the instruction does in any mode.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const X87_ORACLE = join(import.meta.dirname, '../../fixtures/native/x87_oracle');
/** Where the oracle maps the memory buffer (also in EBX when the bytes run). */
export const MEM_ADDR = 0x10000000;
/** Why x87 differential tests skip when the oracle cannot run. */
export const X87_ORACLE_MISSING =
  'x87 oracle not built or not runnable: run sh fixtures/build.sh (needs gcc, Debian package build-essential) on an x86-64 host';

export interface X87State {
  fcw: number;
  /** The full status word, TOP in bits 13..11. */
  fsw: number;
  /** The full 16-bit tag word, two bits per physical register (FNSAVE format). */
  ftw: number;
  fip: number;
  fcs: number;
  /** The last opcode's 11 bits. */
  fop: number;
  fdp: number;
  fds: number;
  /** ST(0)..ST(7) in stack order, three slots each: se, hi, lo. */
  st: Uint32Array;
}

export interface X87Case {
  state: X87State;
  code: Uint8Array;
  mem?: Uint8Array;
  eax?: number;
  eflags?: number;
}

export interface X87Outcome {
  /** The state after the bytes ran, or at the fault when `fault` is set (FXSAVE-derived there: tags abridged to empty/non-empty as 3/0). */
  state: X87State;
  eax: number;
  eflags: number;
  mem: Uint8Array | null;
  /** The signal the bytes raised (8 = SIGFPE for #MF), if any. */
  fault?: number;
}

const IMAGE_BYTES = 108;

/** The state after FNINIT with `fcw` loaded and `values` (flat se,hi,lo triples) as ST(0), ST(1), ...; TOP=`top`. */
export function stackState(fcw: number, values: ArrayLike<number>, top = 0): X87State {
  const n = values.length / 3;
  const st = new Uint32Array(24);
  st.set(values);
  let ftw = 0xffff;
  for (let i = 0; i < n; i++) ftw &= ~(3 << (((top + i) & 7) * 2)); // tag 00: FRSTOR recomputes it from the value
  return { fcw, fsw: (top & 7) << 11, ftw, fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0, st };
}

/** A little-endian field of `bytes` bytes at byteOffset of a hex image (decoded once per image by the callers' Buffer). */
function readLe(b: Buffer, byteOffset: number, bytes: number): number {
  return bytes === 4 ? b.readUInt32LE(byteOffset) : bytes === 2 ? b.readUInt16LE(byteOffset) : b[byteOffset];
}

const image = Buffer.alloc(108);

export function hexBytes(b: Uint8Array | undefined | null): string {
  if (!b || b.length === 0) return '-';
  return Buffer.from(b).toString('hex');
}

/** The 108-byte FNSAVE image (32-bit protected-mode format) of a state, as hex. */
export function encodeImage(s: X87State): string {
  image.fill(0xff, 0, 28);
  image.writeUInt16LE(s.fcw & 0xffff, 0);
  image.writeUInt16LE(s.fsw & 0xffff, 4);
  image.writeUInt16LE(s.ftw & 0xffff, 8);
  image.writeUInt32LE(s.fip >>> 0, 12);
  image.writeUInt16LE(s.fcs & 0xffff, 16);
  image.writeUInt16LE(s.fop & 0x7ff, 18);
  image.writeUInt32LE(s.fdp >>> 0, 20);
  image.writeUInt16LE(s.fds & 0xffff, 24);
  for (let i = 0; i < 8; i++) {
    image.writeUInt32LE(s.st[3 * i + 2] >>> 0, 28 + 10 * i);
    image.writeUInt32LE(s.st[3 * i + 1] >>> 0, 32 + 10 * i);
    image.writeUInt16LE(s.st[3 * i] & 0xffff, 36 + 10 * i);
  }
  return image.toString('hex');
}

/** ST(0)..ST(7) from an image whose register slots start at byte `first`, `stride` bytes apart. */
function readRegisters(h: Buffer, first: number, stride: number): Uint32Array {
  const st = new Uint32Array(24);
  for (let i = 0; i < 8; i++) {
    const b = first + stride * i;
    st[3 * i + 2] = readLe(h, b, 4);
    st[3 * i + 1] = readLe(h, b + 4, 4);
    st[3 * i] = readLe(h, b + 8, 2);
  }
  return st;
}

export function decodeImage(hex: string): X87State {
  const h = Buffer.from(hex, 'hex');
  const st = readRegisters(h, 28, 10);
  return {
    fcw: readLe(h, 0, 2),
    fsw: readLe(h, 4, 2),
    ftw: readLe(h, 8, 2),
    fip: readLe(h, 12, 4),
    fcs: readLe(h, 16, 2),
    fop: readLe(h, 18, 2) & 0x7ff,
    fdp: readLe(h, 20, 4),
    fds: readLe(h, 24, 2),
    st,
  };
}

/** The FPU part of a 512-byte FXSAVE image (what the kernel reports at a fault); ST(i) in stack order, 16-byte slots. */
function decodeFxsave(hex: string): X87State {
  const h = Buffer.from(hex, 'hex');
  const st = readRegisters(h, 32, 16);
  const abridged = readLe(h, 4, 1);
  let ftw = 0;
  for (let r = 0; r < 8; r++) ftw |= ((abridged >>> r) & 1 ? 0 : 3) << (2 * r);
  return {
    fcw: readLe(h, 0, 2),
    fsw: readLe(h, 2, 2),
    ftw,
    fop: readLe(h, 6, 2) & 0x7ff,
    fip: readLe(h, 8, 4),
    fcs: readLe(h, 12, 2),
    fdp: readLe(h, 16, 4),
    fds: readLe(h, 20, 2),
    st,
  };
}

export function formatX87Case(c: X87Case): string {
  return `${encodeImage(c.state)} ${((c.eflags ?? 0) >>> 0).toString(16)} ${((c.eax ?? 0) >>> 0).toString(16)} ${hexBytes(c.code)} ${hexBytes(c.mem)}`;
}

export function parseX87Line(line: string): X87Outcome {
  const f = line.split(' ');
  if (f[0] === 'FAULT') {
    const state = f[2] === '-' ? decodeImage('0'.repeat(2 * IMAGE_BYTES)) : decodeFxsave(f[2]);
    return { state, eax: 0, eflags: 0, mem: null, fault: parseInt(f[1], 10) };
  }
  if (f[0] === 'ERROR' || f.length !== 4) throw new Error(`x87 oracle: ${line}`);
  return {
    state: decodeImage(f[0]),
    eflags: parseInt(f[1], 16),
    eax: parseInt(f[2], 16) >>> 0,
    mem: f[3] === '-' ? null : new Uint8Array(Buffer.from(f[3], 'hex')),
  };
}

/** The oracle is built and runs on this host. */
export function haveX87Oracle(): boolean {
  if (!existsSync(X87_ORACLE)) return false;
  const r = spawnSync(X87_ORACLE, { input: formatX87Case({ state: stackState(0x37f, []), code: new Uint8Array([0x90]) }) + '\n' });
  return r.status === 0 && r.stdout.toString().split(' ').length === 4;
}

function parseAll(out: string, n: number): X87Outcome[] {
  const lines = out.trimEnd().split('\n');
  if (n === 0) return [];
  if (lines.length !== n) throw new Error(`x87 oracle gave ${lines.length} lines for ${n} cases`);
  return lines.map(parseX87Line);
}

/**
 * Run cases natively in one oracle process; blocks until done. A run that
 * ends abnormally (seen once in a CI-sized run: the process gone before it
 * read its input, EPIPE, and not again on the same cases) is retried twice;
 * the third failure is reported with the signal, status and stderr.
 */
export function runX87(cases: readonly X87Case[]): X87Outcome[] {
  const input = cases.map(formatX87Case).join('\n') + '\n';
  let why = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = spawnSync(X87_ORACLE, { input, maxBuffer: 1 << 30 });
    if (r.error === undefined && r.status === 0) return parseAll(r.stdout.toString(), cases.length);
    why = `${r.error?.message ?? ''} status ${r.status} signal ${r.signal} stderr ${String(r.stderr).slice(0, 200)}`;
  }
  throw new Error(`x87 oracle failed three times: ${why}`);
}

/** Same, without blocking, so btvm's side of a batch can run meanwhile. */
export function runX87Async(cases: readonly X87Case[]): Promise<X87Outcome[]> {
  const input = cases.map(formatX87Case).join('\n') + '\n';
  return new Promise((resolve, reject) => {
    const child = execFile(X87_ORACLE, { maxBuffer: 1 << 30 }, (err, stdout) => {
      if (err) return reject(err);
      try {
        resolve(parseAll(stdout, cases.length));
      } catch (e) {
        reject(e);
      }
    });
    child.stdin!.end(input);
  });
}
