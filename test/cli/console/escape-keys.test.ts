/**
 * The Ctrl-A keys of the interactive console (src/cli/console/escape-keys.ts),
 * fed the way a terminal delivers them: in chunks that may split a command.
 */
import { describe, expect, it } from 'vitest';
import { EscapeKeys, type ConsoleCommand } from '../../../src/cli/console/escape-keys.js';

function feedAll(chunks: string[]): { guest: string; commands: ConsoleCommand[] } {
  let guest = '';
  const commands: ConsoleCommand[] = [];
  const keys = new EscapeKeys((b) => void (guest += Buffer.from(b).toString('latin1')), (c) => void commands.push(c));
  for (const c of chunks) keys.feed(new Uint8Array(Buffer.from(c, 'latin1')));
  return { guest, commands };
}

describe('EscapeKeys', () => {
  it('passes keys through, Ctrl-C and other control keys included', () => {
    expect(feedAll(['ls -l\r', '\u0003\u0004\u001b[A'])).toEqual({ guest: 'ls -l\r\u0003\u0004\u001b[A', commands: [] });
  });

  it('turns C-a x, C-a h, C-a ? and C-a c into commands, in order with the keys around them', () => {
    const seen: string[] = [];
    const keys = new EscapeKeys((b) => void seen.push(`guest:${Buffer.from(b).toString('latin1')}`), (c) => void seen.push(c));
    keys.feed(new Uint8Array(Buffer.from('ab\u0001hcd\u0001?\u0001c\u0001xef', 'latin1')));
    expect(seen).toEqual(['guest:ab', 'help', 'guest:cd', 'help', 'monitor', 'quit', 'guest:ef']);
  });

  it('sends one Ctrl-A for C-a C-a and drops any other key after Ctrl-A', () => {
    expect(feedAll(['a\u0001\u0001b', '\u0001qz'])).toEqual({ guest: 'a\u0001bz', commands: [] });
  });

  it('works when Ctrl-A and its key arrive in different chunks', () => {
    expect(feedAll(['abc\u0001', 'x'])).toEqual({ guest: 'abc', commands: ['quit'] });
    expect(feedAll(['\u0001', '\u0001', '\u0001', 'h'])).toEqual({ guest: '\u0001', commands: ['help'] });
  });
});
