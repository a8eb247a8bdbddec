/**
 * GDB remote serial protocol framing: `$payload#xx` packets with a modulo-256
 * checksum, `}`-escaping of the four bytes the framing reserves, the `+`/`-`
 * acknowledgements, and the bare 0x03 byte gdb sends to interrupt a running
 * target. The stub (gdb-stub.ts) deals only in payload strings.
 */

export type RspEvent = { readonly kind: 'packet'; readonly payload: string } | { readonly kind: 'interrupt' };

const INTERRUPT = 0x03;

function checksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) sum = (sum + text.charCodeAt(i)) & 0xff;
  return sum;
}

/** `$payload#xx`, with `$ # } *` escaped as `}` followed by the byte xor 0x20. */
export function framePacket(payload: string): string {
  const body = payload.replace(/[$#}*]/g, (c) => '}' + String.fromCharCode(c.charCodeAt(0) ^ 0x20));
  return `$${body}#${checksum(body).toString(16).padStart(2, '0')}`;
}

/** Bytes from gdb in, packets and interrupts out; partial packets wait for the rest. */
export class RspReader {
  private pending = '';

  feed(chunk: Uint8Array): RspEvent[] {
    const events: RspEvent[] = [];
    for (const byte of chunk) {
      if (this.pending === '') {
        if (byte === INTERRUPT) events.push({ kind: 'interrupt' });
        else if (byte === 0x24) this.pending = '$';
        // '+' and '-' acknowledgements and noise between packets are ignored.
        continue;
      }
      this.pending += String.fromCharCode(byte);
      const hash = this.pending.length - 3;
      if (hash > 0 && this.pending[hash] === '#') {
        const body = this.pending.slice(1, hash);
        const sum = parseInt(this.pending.slice(hash + 1), 16);
        this.pending = '';
        if (sum === checksum(body)) events.push({ kind: 'packet', payload: body.replace(/}(.)/gs, (_m, c: string) => String.fromCharCode(c.charCodeAt(0) ^ 0x20)) });
      }
    }
    return events;
  }
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

export function fromHex(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'hex'));
}
