/**
 * The isa/ parser and table builder: positive and negative fixtures
 * (test/isa/fixtures/*.isa) and properties of the real tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IsaSyntaxError } from '../../src/decoder/isa-errors.js';
import { buildTables, findIsaDir, getTables, readIsaDir } from '../../src/decoder/isa-tables.js';

const FIX = join(import.meta.dirname, 'fixtures');
const load = (name: string) => buildTables([{ file: `fixtures/${name}`, text: readFileSync(join(FIX, name), 'utf8') }]);

const EXPECTED_ERRORS: Record<string, RegExp> = {
  'err_duplicate_opcode.isa': /fixtures\/err_duplicate_opcode.isa:3: error: duplicate encoding: .*err_duplicate_opcode.isa:2/,
  'err_unknown_operand.isa': /:1: error: unknown operand 'Qz'/,
  'err_unknown_attribute.isa': /:1: error: unknown attribute 'frobnicate'/,
  'err_plusr_missing.isa': /:1: error: operand 'Zv' needs a \+r opcode/,
  'err_modrm_missing.isa': /:1: error: operand 'Gv' needs a ModRM byte/,
  'err_modrm_mismatch.isa': /:2: error: opcode one-byte 0x8b has ModRM in one row and not in another \(.*:1\)/,
  'err_fixed_modrm_mem.isa': /:1: error: fixed ModRM byte 0x10 must be a register form/,
  'err_bad_character.isa': /:1: error: unexpected character '~'/,
};

describe('isa fixtures', () => {
  const files = readdirSync(FIX);
  it('every negative fixture has an expected message', () => {
    expect(files.filter((f) => f.startsWith('err_')).sort()).toEqual(Object.keys(EXPECTED_ERRORS).sort());
  });
  for (const [name, re] of Object.entries(EXPECTED_ERRORS)) {
    it(`rejects ${name}`, () => {
      let err: unknown;
      try {
        load(name);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(IsaSyntaxError);
      expect((err as Error).message).toMatch(re);
    });
  }
  it('accepts ok_group.isa and resolves its rows', () => {
    const t = load('ok_group.isa');
    const inc = t.cands[0xfe * 8 + 0]![0]!;
    expect(inc).toMatchObject({ mnemonic: 'inc', lockable: true, reg: 0, cls: 'innocuous', line: 3 });
    // The fixed-ModRM row (more specific) is tried before the memory row.
    const [xgetbv, lgdt] = t.cands[2048 + 0x01 * 8 + 2]!;
    expect(xgetbv).toMatchObject({ mnemonic: 'xgetbv', cls: 'sensitive', rm: 0, mod: 2 });
    expect(lgdt).toMatchObject({ mnemonic: 'lgdtd', cls: 'privileged', osz: 4, mod: 1 });
    // d9 /0: memory row and register row share the slot; both constrained by mod.
    expect(t.cands[0xd9 * 8]!.map((f) => [f.mnemonic, f.mod])).toEqual([['fld', 1], ['fld', 2]]);
  });
});

describe('the real isa/ tables', () => {
  // How fast they build is measured by bench/decode.bench.ts, not here: timed tests fail on a busy machine.
  it('are frozen', () => {
    expect(Object.isFrozen(getTables())).toBe(true);
    expect(Object.isFrozen(getTables().cands)).toBe(true);
  });
  it('classify system instructions as the VMM needs', () => {
    const cls = (m: string) => new Set(getTables().forms.filter((f) => f.mnemonic === m).map((f) => f.cls));
    for (const m of ['pushf', 'popf', 'sgdtd', 'sidtd', 'sldt', 'str', 'smsw', 'lar', 'lsl', 'verr', 'verw']) expect(cls(m)).toEqual(new Set(['sensitive']));
    for (const m of ['cli', 'sti', 'hlt', 'lgdtd', 'lidtd', 'lldt', 'ltr', 'invlpg', 'invd', 'wbinvd', 'rdmsr', 'wrmsr', 'clts', 'lmsw']) expect(cls(m)).toEqual(new Set(['privileged']));
    for (const m of ['in', 'out', 'ins', 'outs']) expect(cls(m)).toEqual(new Set(['io']));
    for (const m of ['jmp', 'call', 'ret', 'je', 'loop', 'jecxz', 'int', 'into', 'int3', 'iret', 'retf']) expect(cls(m)).toEqual(new Set(['control']));
    expect(cls('fld')).toEqual(new Set(['fpu']));
    expect(cls('movaps')).toEqual(new Set(['simd']));
  });
});
