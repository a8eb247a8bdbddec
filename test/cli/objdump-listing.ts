/**
 * objdump's view of a fixture kernel, for tests that derive what a run must
 * do independently of btvm's decoder: the instructions under each symbol
 * label of `objdump -d` (binutils, installed on every test machine).
 */
import { execFileSync } from 'node:child_process';

export interface ListedInsn {
  readonly address: number;
  readonly mnemonic: string;
  readonly operands: string;
}

/** Label (as objdump prints it, e.g. `serial_putc.wait`) → its instructions up to the next label. */
export function objdumpLabels(file: string): Map<string, ListedInsn[]> {
  const text = execFileSync('objdump', ['-d', '--no-show-raw-insn', '-M', 'intel', file], { encoding: 'utf8' });
  const labels = new Map<string, ListedInsn[]>();
  let current: ListedInsn[] | null = null;
  for (const line of text.split('\n')) {
    const label = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (label) {
      current = [];
      labels.set(label[1]!, current);
      continue;
    }
    const insn = /^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$/.exec(line);
    if (insn && current) current.push({ address: parseInt(insn[1]!, 16), mnemonic: insn[2]!, operands: insn[3]!.trim() });
  }
  return labels;
}

/** The instructions of `label`; throws when objdump shows no such label (the fixture changed). */
export function insnsAt(labels: Map<string, ListedInsn[]>, label: string): ListedInsn[] {
  const l = labels.get(label);
  if (!l) throw new Error(`objdump shows no label <${label}>`);
  return l;
}

export const countMnemonic = (insns: readonly ListedInsn[], mnemonic: string): number =>
  insns.filter((i) => i.mnemonic === mnemonic).length;

/** 1 + the index of the first instruction with `mnemonic`: how many run up to and including it. */
export function throughFirst(insns: readonly ListedInsn[], mnemonic: string): number {
  const i = insns.findIndex((x) => x.mnemonic === mnemonic);
  if (i < 0) throw new Error(`no ${mnemonic} in the listing`);
  return i + 1;
}
