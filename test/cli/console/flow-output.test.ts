/**
 * FlowOutput (src/cli/console/flow-output.ts) against a stand-in for a
 * host stream that holds what it is given until the test drains it, as
 * stdout into a pipe nobody reads does.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BLOCK_BYTES, BUSY_BYTES, CHUNK_BYTES, FlowOutput } from '../../../src/cli/console/flow-output.js';

class HeldStream extends EventEmitter {
  writableLength = 0;
  get writableNeedDrain(): boolean {
    return this.writableLength >= 16 << 10;
  }
  take(bytes: Uint8Array | string): void {
    this.writableLength += bytes.length;
  }
  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }
}

function held() {
  const stream = new HeldStream();
  const out = new FlowOutput((b) => stream.take(b), stream);
  const changes: string[] = [];
  out.onChange = () => void changes.push(`${out.busy ? 'busy' : 'idle'}${out.blocked ? '+blocked' : ''}`);
  const send = (n: number): void => {
    for (let i = 0; i < n; i++) out.send(0x41);
  };
  return { stream, out, changes, send };
}

describe('FlowOutput', () => {
  it('gathers bytes into chunks and hands them over at the next turn of the event loop', async () => {
    const written: number[] = [];
    const out = new FlowOutput((b) => void written.push(b.length), null);
    for (let i = 0; i < CHUNK_BYTES + 10; i++) out.send(i);
    expect(written).toEqual([CHUNK_BYTES]);
    await new Promise<void>((r) => setImmediate(r));
    expect(written).toEqual([CHUNK_BYTES, 10]);
  });

  it('is busy from BUSY_BYTES pending, blocked from BLOCK_BYTES, and both clear on drain', () => {
    const { stream, out, changes, send } = held();
    send(BUSY_BYTES - CHUNK_BYTES);
    expect(out.busy).toBe(false);
    send(CHUNK_BYTES);
    expect([out.busy, out.blocked]).toEqual([true, false]);
    send(BLOCK_BYTES - BUSY_BYTES);
    expect([out.busy, out.blocked]).toEqual([true, true]);
    expect(out.pending).toBe(BLOCK_BYTES);
    stream.drain();
    expect([out.busy, out.blocked]).toEqual([false, false]);
    expect(changes).toEqual(['busy', 'busy+blocked', 'idle']);
  });

  it('a stream that failed (EPIPE) holds nothing back any more and takes no more writes', () => {
    const { stream, out, send } = held();
    send(BLOCK_BYTES);
    expect(out.blocked).toBe(true);
    stream.emit('error', new Error('EPIPE'));
    expect([out.busy, out.blocked]).toEqual([false, false]);
    send(BLOCK_BYTES);
    expect(stream.writableLength).toBe(BLOCK_BYTES);
  });

  it('gathers log text as well, and counts it in what is pending', async () => {
    const written: (string | Uint8Array)[] = [];
    const stream = new HeldStream();
    const log = new FlowOutput((t) => { written.push(t); stream.take(new Uint8Array(t.length)); }, stream);
    log.sendText('one\n');
    log.sendText('two\n');
    expect(log.pending).toBe(8);
    await new Promise<void>((r) => setImmediate(r));
    expect(written).toEqual(['one\ntwo\n']);
    log.sendText('x'.repeat(BLOCK_BYTES));
    expect(log.blocked).toBe(true);
  });
});
