/**
 * Guest output on its way to a host stream (stdout, stderr, a file), with
 * flow control, so that nothing the guest writes can grow the host without
 * bound.
 *
 * Console bytes and log lines are gathered into chunks (a write per byte
 * would dominate a run, and each queued write costs the host far more than
 * its bytes) and handed to the host at the next turn of the event loop, which the
 * machine's run loop gives every time slice (src/vmm/events.ts): so output
 * appears as the guest writes it. A host stream that cannot keep up (a pipe
 * nobody reads: Node queues what `write` could not pass on) makes the
 * output *busy* once BUSY_BYTES are pending, which the UART shows the guest
 * as a busy transmitter (SerialLine), and *blocked* at BLOCK_BYTES, which
 * pauses the whole guest (Machine.setHostBlocked) for guests that write
 * without looking at LSR, and for the -d log. Both clear on the stream's
 * 'drain'. A synchronous sink (a terminal, a -D file) never has anything
 * pending, so it is never busy: its writes simply take their time.
 */
import type { SerialLine } from '../../vmm/devices/uart16550.js';

/** As much of Node's Writable as flow control needs. */
export interface HostStream {
  readonly writableLength: number;
  readonly writableNeedDrain?: boolean;
  once(event: 'drain', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** Console bytes gathered before a host write. */
export const CHUNK_BYTES = 4096;
/** Pending host output at which the UART reads busy (LSR.THRE clear). */
export const BUSY_BYTES = 64 << 10;
/** Pending host output at which the guest is paused until the host drains. */
export const BLOCK_BYTES = 2 << 20;

export class FlowOutput implements SerialLine {
  private readonly chunk = new Uint8Array(CHUNK_BYTES);
  private used = 0;
  /** Log text gathered (sendText). */
  private text = '';
  private flushQueued = false;
  private waitingForDrain = false;
  private isBusy = false;
  private isBlocked = false;
  /** The stream failed (EPIPE: the reader went away): output is dropped from now on. */
  private failed = false;
  /** Called when busy or blocked changed. */
  onChange: () => void = () => {};
  /** Called once when the stream fails (its reader went away). */
  onFail: () => void = () => {};

  /**
   * `write` passes one chunk to the host (bytes from send(), text from
   * sendText()); `stream` is what it writes to, when that can hold output
   * back (absent: every write is taken at once).
   */
  constructor(
    private readonly write: (chunk: Uint8Array | string) => void,
    private readonly stream: HostStream | null,
  ) {
    stream?.on('error', () => {
      if (this.failed) return;
      // Nothing will drain any more: stop holding the guest back, and stop writing.
      this.failed = true;
      this.used = 0;
      this.text = '';
      this.isBusy = false;
      this.isBlocked = false;
      this.onChange();
      this.onFail();
    });
  }

  /** True while at least BUSY_BYTES wait on the host. */
  get busy(): boolean {
    return this.isBusy;
  }

  /** True while at least BLOCK_BYTES wait on the host: the guest must not run. */
  get blocked(): boolean {
    return this.isBlocked;
  }

  /** Bytes given to this output that the host has not taken yet. */
  get pending(): number {
    return this.used + this.text.length + (this.stream?.writableLength ?? 0);
  }

  /** One console byte (SerialLine). */
  send(byte: number): void {
    this.chunk[this.used++] = byte;
    if (this.used === CHUNK_BYTES) this.flush();
    else this.flushLater();
  }

  /** Log text (one line or dump). */
  sendText(text: string): void {
    this.text += text;
    if (this.text.length >= CHUNK_BYTES) this.flush();
    else this.flushLater();
  }

  /** Hands what was gathered to the host now. */
  flush(): void {
    if (this.used !== 0) {
      const bytes = this.chunk.slice(0, this.used);
      this.used = 0;
      if (!this.failed) this.write(bytes);
    }
    if (this.text.length !== 0) {
      const text = this.text;
      this.text = '';
      if (!this.failed) this.write(text);
    }
    this.check();
  }

  private flushLater(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(this.flushSoon);
  }

  private readonly flushSoon = (): void => {
    this.flushQueued = false;
    this.flush();
  };

  private check(): void {
    const stream = this.stream;
    if (stream === null || this.failed) return;
    const pending = stream.writableLength;
    if (pending < BUSY_BYTES) return;
    const blocked = pending >= BLOCK_BYTES;
    const changed = !this.isBusy || blocked !== this.isBlocked;
    this.isBusy = true;
    this.isBlocked ||= blocked;
    if (!this.waitingForDrain) {
      this.waitingForDrain = true;
      if (stream.writableNeedDrain === false) setTimeout(this.drained, 10); // nothing will emit 'drain': look again soon
      else stream.once('drain', this.drained);
    }
    if (changed) this.onChange();
  }

  private readonly drained = (): void => {
    this.waitingForDrain = false;
    this.isBusy = false;
    this.isBlocked = false;
    this.check(); // still over the bound (a sink without 'drain'): stays busy and waits again
    if (!this.isBusy) this.onChange();
  };
}
