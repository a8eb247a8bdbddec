/**
 * objdump as the oracle for the decoder tests: run it once per file or per
 * batch of raw bytes and index its listing by address.
 *
 * Normalisation (only objdump's annotations, never instruction text):
 *  - `# 0x…` / `# sym` comments objdump appends to RIP-free memory operands,
 *  - ` <sym+off>` after direct branch targets,
 *  - runs of whitespace (objdump pads the mnemonic to a column) → one space.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RefInsn {
  readonly address: number;
  readonly length: number;
  /** Normalised text: 'mov eax,DWORD PTR [ebp+0x8]', 'rep stos DWORD PTR es:[edi],eax'. */
  readonly text: string;
}

const LINE = /^ *([0-9a-f]+):\t([0-9a-f ]+?)\s*\t(.*)$/;
/** Lines objdump prints when one instruction's bytes wrap (not with -w, but be safe). */
const CONT = /^ *([0-9a-f]+):\t([0-9a-f ]+?)\s*$/;

export function normalise(text: string): string {
  return text.replace(/\s+#.*$/, '').replace(/ <[^>]*>$/, '').replace(/\s+/g, ' ').trim();
}

export function parseListing(out: string): RefInsn[] {
  const res: RefInsn[] = [];
  for (const line of out.split('\n')) {
    const m = LINE.exec(line);
    if (m !== null) {
      res.push({ address: parseInt(m[1]!, 16), length: m[2]!.trim().split(/\s+/).length, text: normalise(m[3]!) });
      continue;
    }
    const c = CONT.exec(line);
    if (c !== null && res.length > 0) {
      const last = res[res.length - 1]!;
      res[res.length - 1] = { ...last, length: last.length + c[2]!.trim().split(/\s+/).length };
    }
  }
  return res;
}

/** objdump's listing of every executable section of an ELF file. */
export function objdumpElf(file: string): RefInsn[] {
  const out = execFileSync('objdump', ['-d', '-z', '-w', '-M', 'intel', file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  return parseListing(out);
}

/** objdump's listing of a flat i386 image at address 0. */
export function objdumpRaw(bytes: Uint8Array): RefInsn[] {
  const dir = mkdtempSync(join(tmpdir(), 'btvm-od-'));
  try {
    const f = join(dir, 'code.bin');
    writeFileSync(f, bytes);
    const out = execFileSync('objdump', ['-D', '-z', '-w', '-b', 'binary', '-m', 'i386', '-M', 'intel', f], {
      maxBuffer: 1 << 30, encoding: 'utf8',
    });
    return parseListing(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
