/**
 * Every subcommand's --help lists every option its parser accepts on a line of
 * its own (not only in the usage line): the
 * option names are read from the command's source (each quoted '-x' or
 * '--name' literal in src/cli/commands/NAME.ts), so an option added without
 * a line in the help text fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../../src/cli/commands.js';
import { repoRoot } from '../run-capture.js';

/** Spellings accepted for QEMU command lines or as aliases, listed under their main spelling. */
const ALIASES = new Set(['--cpu', '--singlestep']);

function optionsIn(name: string): string[] {
  const source = readFileSync(join(repoRoot, 'src/cli/commands', `${name}.ts`), 'utf8');
  const found = new Set<string>();
  for (const m of source.matchAll(/'(--?[a-zA-Z][a-zA-Z0-9-]*)'/g)) if (!ALIASES.has(m[1]!)) found.add(m[1]!);
  return [...found];
}

async function helpOf(name: string): Promise<{ status: number; text: string }> {
  let text = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  });
  try {
    const status = await COMMANDS.find((c) => c.name === name)!.run(['--help']);
    return { status, text };
  } finally {
    out.mockRestore();
  }
}

describe('btvm COMMAND --help', () => {
  for (const { name } of COMMANDS) {
    it(`${name}: exits 0 and names every option`, async () => {
      const { status, text } = await helpOf(name);
      expect(status).toBe(0);
      const options = optionsIn(name);
      expect(options.length).toBeGreaterThan(1);
      // An option's own line in the list: "  -o FILE  …", or after other spellings ("  -h, --help").
      const missing = options.filter((o) => !new RegExp(`^ {2}(?:-[^\\n]*?, )?${o}(?=[\\s=[,]|$)`, 'm').test(text));
      expect(missing, `${name} --help:\n${text}`).toEqual([]);
    });
  }
});
