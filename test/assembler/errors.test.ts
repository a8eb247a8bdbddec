/**
 * Bad input: every malformed source must come back as an AssemblyError
 * naming the right line (and a column inside it), never as a TypeError or
 * other host exception.
 */
import { describe, expect, it } from 'vitest';
import { assemble, AssemblyError } from '../../src/assembler/index.js';

const CASES: readonly { src: string; line: number; message: RegExp }[] = [
  { src: 'bits 32\nmov eax, ebx\nfrobnicate eax\n', line: 3, message: /unknown instruction 'frobnicate'/ },
  { src: 'bits 32\nnop\nmov eax, bl\n', line: 3, message: /invalid combination/ },
  { src: 'bits 32\ninc [eax]\n', line: 2, message: /operation size not specified/ },
  { src: 'bits 32\njmp nowhere\n', line: 2, message: /symbol 'nowhere' is not defined/ },
  { src: 'bits 32\nx: nop\nx: nop\n', line: 3, message: /label 'x' redefined/ },
  { src: 'bits 32\nmov eax, [eax+ebx+ecx]\n', line: 2, message: /more than two registers/ },
  { src: 'bits 32\nmov eax, [esp*2]\n', line: 2, message: /esp cannot be an index/ },
  { src: 'bits 16\nmov ax, [ax]\n', line: 2, message: /invalid 16-bit effective address/ },
  { src: 'bits 32\nmov eax, [eax*3+ebx]\n', line: 2, message: /scale 3/ },
  { src: 'bits 32\njmp short far_away\ntimes 200 nop\nfar_away:\n', line: 2, message: /short jump is out of range/ },
  { src: 'bits 32\nloop back\n', line: 2, message: /not defined/ },
  { src: 'bits 32\ndb 1/0\n', line: 2, message: /division by zero/ },
  { src: 'bits 32\nmov eax, 0x12g\n', line: 2, message: /malformed number/ },
  { src: 'bits 32\nmov eax, [ebx\n', line: 2, message: /expected '\]'/ },
  { src: 'bits 64\n', line: 1, message: /bits must be 16 or 32/ },
  { src: 'bits 32\nadd eax,\n', line: 2, message: /unexpected end of line|expected an operand/ },
  { src: 'bits 32\nmov eax, ebx ecx\n', line: 2, message: /unexpected 'ecx'/ },
  { src: 'bits 32\nnop\n  mov eax, #3\n', line: 3, message: /unexpected character '#'/ },
  { src: 'bits 32\ntimes -1 nop\n', line: 2, message: /negative/ },
  { src: 'bits 32\n.local: nop\n', line: 2, message: /local label/ },
  { src: 'bits 32\nmov ds, [eax+ebx+ecx*2]\n', line: 2, message: /more than two registers/ },
  { src: 'bits 32\nequ 5\n', line: 2, message: /equ needs a label/ },
  { src: 'bits 32\nlock\n', line: 2, message: /without an instruction/ },
  { src: "bits 32\ndb 'unterminated\n", line: 2, message: /unexpected character/ },
];

describe('malformed sources raise AssemblyError at the right line', () => {
  for (const c of CASES) {
    it(JSON.stringify(c.src.split('\n')[c.line - 1]), () => {
      let caught: unknown;
      try {
        assemble(c.src, { file: 'bad.s' });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(AssemblyError);
      const e = caught as AssemblyError;
      expect(e.line).toBe(c.line);
      expect(e.column).toBeGreaterThanOrEqual(1);
      expect(e.detail).toMatch(c.message);
      expect(e.message.startsWith(`bad.s:${c.line}:`)).toBe(true);
    });
  }

  it('never lets a host exception escape on random junk', () => {
    const alphabet = ['mov', 'eax', ',', '[', ']', '+', '*', '4', 'dword', ':', 'es', '$', 'db', "'x'", 'jmp', 'times', '(', ')', 'st0', '\n', ' '];
    let seed = 7;
    for (let k = 0; k < 400; k++) {
      let src = 'bits 32\n';
      for (let i = 0; i < 12; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        src += alphabet[seed % alphabet.length] + ' ';
      }
      try {
        assemble(src);
      } catch (e) {
        expect(e).toBeInstanceOf(AssemblyError);
        expect((e as AssemblyError).detail).not.toMatch(/internal assembler error/);
      }
    }
  });
});
