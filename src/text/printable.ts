/**
 * printable(): the one way text from outside btvm (names read from image
 * files, command-line arguments, guest-provided strings) is made safe to
 * print on a terminal or in a log.
 *
 * A hostile ELF can name a symbol or section with terminal escapes (recolour,
 * clear the screen, set the title) or with `\r` to forge listing lines.
 * objdump prints C0 control characters in caret form (ESC as `^[`); we do the
 * same, and DEL as `^?`. Characters that are invisible or reorder or break
 * lines without being C0 controls — C1 controls (U+0080–U+009F: some
 * terminals take U+009B as CSI), format characters such as the bidirectional
 * overrides (U+202A–U+202E, U+2066–U+2069) and zero-width characters, the
 * line and paragraph separators U+2028/U+2029, lone surrogates — are written
 * as `\uXXXX`. Everything else, UTF-8 names included, passes unchanged.
 * Machine-readable output (`--json`) keeps exact text instead: JSON has its
 * own escaping.
 *
 * Leaf module: it imports nothing, so any folder may use it.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

function escapeOne(ch: string): string {
  const c = ch.codePointAt(0)!;
  if (c < 0x20) return '^' + String.fromCharCode(c + 0x40);
  if (c === 0x7f) return '^?';
  return c > 0xffff ? `\\u{${c.toString(16)}}` : `\\u${c.toString(16).padStart(4, '0')}`;
}

/** `text` with control, format and line-breaking characters in caret or `\u` form. */
export function printable(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeOne) : text;
}
