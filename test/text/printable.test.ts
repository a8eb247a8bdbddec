/**
 * printable(): C0 controls in caret form as objdump prints them (ESC as
 * ^[; test/cli/hostile-images.test.ts checks btvm disasm's listing), DEL as ^?,
 * invisible and line-breaking characters as \u escapes, everything else
 * (UTF-8 names, emoji) unchanged.
 */
import { describe, expect, it } from 'vitest';
import { printable } from '../../src/text/printable.js';

describe('printable', () => {
  it('writes C0 controls in caret form and DEL as ^?', () => {
    expect(printable('a\x1b[31mb')).toBe('a^[[31mb');
    expect(printable('\x00\x07\r\n\t\x1f')).toBe('^@^G^M^J^I^_');
    expect(printable('x\x7fy')).toBe('x^?y');
  });

  it('writes C1 controls, line and paragraph separators, bidi and zero-width characters as \\u escapes', () => {
    expect(printable('\u009b2J')).toBe('\\u009b2J');
    expect(printable('a\u2028b\u2029c')).toBe('a\\u2028b\\u2029c');
    expect(printable('\u202eevil\u2066\u200b')).toBe('\\u202eevil\\u2066\\u200b');
    expect(printable('\ud800')).toBe('\\ud800');
    expect(printable('tag\u{e0001}')).toBe('tag\\u{e0001}');
  });

  it('leaves printable text, UTF-8 and astral characters as they are', () => {
    for (const s of ['main', '_ZN3foo3barEv', 'été', '日本語', '😀', '<sym+0x10>', 'a\\b']) expect(printable(s)).toBe(s);
  });
});
