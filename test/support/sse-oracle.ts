/**
 * The host CPU as the SSE/MMX oracle: runs SIMD instructions natively through
 * fixtures/native/sse_oracle (its header documents the binary records) and
 * returns the registers, MXCSR, EFLAGS and memory window after each, or at
 * the #XM (SIGFPE), #GP (SIGSEGV) or #UD (SIGILL) it raised. For differential
 * tests of src/simd: test/simd/forms-differential.test.ts runs every form
 * row against it.
 *
 * A case is one instruction in its 32-bit encoding without REX (prefixes, 0F,
 * [38|3A], opcode, ModRM, [imm8]); a memory operand is written as [eax]
 * (ModRM mod=00 rm=000) and the oracle points EAX at its buffer plus the
 * case's offset, where the case's 32-byte memory window lies. Registers 4 and
 * 5 are refused (they could be ESP/EBP). Cases are packed into one Buffer
 * (`SseBatch`) and one oracle process runs a whole batch, so a million cases
 * cost a few seconds of host time.
 */
import { execFile, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SSE_ORACLE = join(import.meta.dirname, '../../fixtures/native/sse_oracle');
/** Why SIMD differential tests skip when the oracle cannot run. */
export const SSE_ORACLE_MISSING =
  'SSE oracle not built or not runnable: run sh fixtures/build.sh (needs gcc, Debian package build-essential) on an x86-64 host';

/** Where the oracle maps its buffer: EAX = SSE_MEM_ADDR + memOffset for a memory operand. */
export const SSE_MEM_ADDR = 0x10000000;
/** Bytes of memory a case sets and gets back, at SSE_MEM_ADDR + memOffset. */
export const SSE_WINDOW = 32;
/** Largest memOffset (the window stays inside the oracle's 4 KiB page). */
export const SSE_MAX_OFFSET = 4096 - SSE_WINDOW;
const REC = 288;
const OFF = { code: 1, status: 0, why: 4, mxcsr: 16, eflags: 20, memOffset: 24, gpr: 32, xmm: 64, mm: 192, mem: 256 } as const;

/** Result status of a case: 0 ran to completion; else the signal it raised; REFUSED when the oracle would not run it. */
export const SIGILL = 4;
export const SIGFPE = 8;
export const SIGSEGV = 11;
export const REFUSED = 255;
/** Why the oracle refused a case (the result's `why`). */
export const REFUSAL: Record<number, string> = {
  1: 'bad code length',
  2: 'prefix other than 66/F2/F3 before 0F',
  3: 'not a SIMD opcode',
  4: 'memory operand other than [eax]',
  5: 'register 4 or 5 (ESP/EBP)',
  6: 'wrong immediate count',
  7: 'memory offset out of range',
  8: 'MXCSR bits above 15 set',
};

/** Fixed-size binary records: one per case going in, one per result coming out. */
class Records {
  readonly buf: Buffer;
  constructor(readonly length: number, buf?: Buffer) {
    this.buf = buf ?? Buffer.alloc(length * REC);
  }
  protected at(i: number, field: number): number {
    return i * REC + field;
  }
  mxcsr(i: number): number {
    return this.buf.readUInt32LE(this.at(i, OFF.mxcsr));
  }
  eflags(i: number): number {
    return this.buf.readUInt32LE(this.at(i, OFF.eflags));
  }
  /** GPR r (0 EAX … 7 EDI), low 32 bits. */
  gpr(i: number, r: number): number {
    return this.buf.readUInt32LE(this.at(i, OFF.gpr + 4 * r));
  }
  /** XMM r's 16 bytes (a view: writing it sets the case). */
  xmm(i: number, r: number): Uint8Array {
    const o = this.at(i, OFF.xmm + 16 * r);
    return this.buf.subarray(o, o + 16);
  }
  /** MM r's 8 bytes (a view). */
  mm(i: number, r: number): Uint8Array {
    const o = this.at(i, OFF.mm + 8 * r);
    return this.buf.subarray(o, o + 8);
  }
  /** The 32-byte memory window (a view). */
  mem(i: number): Uint8Array {
    const o = this.at(i, OFF.mem);
    return this.buf.subarray(o, o + SSE_WINDOW);
  }
}

/** Cases to run: set each one's fields; registers and memory default to zero, MXCSR to 0. */
export class SseBatch extends Records {
  constructor(length: number) {
    super(length);
  }
  setCode(i: number, code: ArrayLike<number>): void {
    if (code.length < 1 || code.length > 15) throw new Error(`sse oracle: code of ${code.length} bytes`);
    const o = this.at(i, 0);
    this.buf[o] = code.length;
    for (let k = 0; k < code.length; k++) this.buf[o + OFF.code + k] = code[k]!;
  }
  /** The instruction bytes of case i. */
  code(i: number): Uint8Array {
    const o = this.at(i, 0);
    return this.buf.subarray(o + OFF.code, o + OFF.code + this.buf[o]!);
  }
  setMxcsr(i: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, this.at(i, OFF.mxcsr));
  }
  /** OF SF ZF AF PF CF are loaded; other bits are ignored. */
  setEflags(i: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, this.at(i, OFF.eflags));
  }
  /** EAX = SSE_MEM_ADDR + offset when the instruction has a memory operand; the window lies there. */
  setMemOffset(i: number, offset: number): void {
    if (offset < 0 || offset > SSE_MAX_OFFSET) throw new Error(`sse oracle: memory offset ${offset}`);
    this.buf.writeUInt32LE(offset, this.at(i, OFF.memOffset));
  }
  setGpr(i: number, r: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, this.at(i, OFF.gpr + 4 * r));
  }
}

/** The oracle's answers, one per case of the batch. */
export class SseResults extends Records {
  /** 0 completed, SIGFPE (#XM), SIGSEGV (#GP), SIGILL (#UD), or REFUSED. */
  status(i: number): number {
    return this.buf[this.at(i, OFF.status)]!;
  }
  /** The signal's si_code, or the refusal reason (REFUSAL). */
  why(i: number): number {
    return this.buf.readUInt32LE(this.at(i, OFF.why));
  }
}

function results(out: Buffer, n: number): SseResults {
  if (out.length !== n * REC) throw new Error(`sse oracle gave ${out.length} bytes for ${n} cases (${n * REC} expected)`);
  return new SseResults(n, out);
}

/**
 * Runs a batch in one oracle process; blocks until done. The records go
 * through a scratch directory's files, not pipes: a pipe costs a scheduler
 * round trip per 64 KiB, which on a loaded machine makes a batch ten times
 * slower than the oracle itself. A run that ends abnormally is
 * retried twice (as runX87 is), then reported with its signal, status and
 * stderr.
 */
export function runSse(batch: SseBatch): SseResults {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-sse-oracle-'));
  try {
    const input = join(dir, 'cases'), output = join(dir, 'results');
    writeFileSync(input, batch.buf);
    let why = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const fdIn = openSync(input, 'r');
      const fdOut = openSync(output, 'w');
      let r;
      try {
        r = spawnSync(SSE_ORACLE, { stdio: [fdIn, fdOut, 'pipe'] });
      } finally {
        closeSync(fdIn);
        closeSync(fdOut);
      }
      if (r.error === undefined && r.status === 0) return results(readFileSync(output), batch.length);
      why = `${r.error?.message ?? ''} status ${r.status} signal ${r.signal} stderr ${String(r.stderr).slice(0, 200)}`;
    }
    throw new Error(`sse oracle failed three times: ${why}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Same, without blocking, so btvm's side of a batch can run meanwhile (no retry). */
export function runSseAsync(batch: SseBatch): Promise<SseResults> {
  return new Promise((resolve, reject) => {
    const child = execFile(SSE_ORACLE, { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout) => {
      if (err) return reject(err);
      try {
        resolve(results(stdout, batch.length));
      } catch (e) {
        reject(e);
      }
    });
    child.stdin!.end(batch.buf);
  });
}

/** The oracle is built and runs here: paddb mm0, mm1 on two known values gives their byte sums. */
export function haveSseOracle(): boolean {
  if (!existsSync(SSE_ORACLE)) return false;
  const b = new SseBatch(1);
  b.setCode(0, [0x0f, 0xfc, 0xc1]);
  b.setMxcsr(0, 0x1f80);
  b.mm(0, 0).set([1, 2, 3, 4, 5, 6, 7, 0xff]);
  b.mm(0, 1).set([1, 1, 1, 1, 1, 1, 1, 2]);
  try {
    const r = spawnSync(SSE_ORACLE, { input: b.buf });
    if (r.status !== 0 || r.stdout.length !== REC) return false;
    const out = new SseResults(1, r.stdout);
    return out.status(0) === 0 && Buffer.from(out.mm(0, 0)).toString('hex') === '0203040506070801';
  } catch {
    return false;
  }
}
