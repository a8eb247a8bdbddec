/**
 * Parses `readelf -W -h -l -S -s` output into plain records, so the ELF
 * parser can be compared field by field with binutils' reading of the same
 * file.
 */
import { execFileSync } from 'node:child_process';

export interface ReadelfSection {
  index: number;
  name: string;
  type: string;
  addr: number;
  offset: number;
  size: number;
  entsize: number;
  link: number;
  info: number;
  align: number;
}
export interface ReadelfSegment {
  type: string;
  offset: number;
  vaddr: number;
  paddr: number;
  filesz: number;
  memsz: number;
  flags: string;
  align: number;
}
export interface ReadelfSymbol {
  index: number;
  value: number;
  size: number;
  type: string;
  bind: string;
  vis: string;
  ndx: string;
  name: string;
}
export interface ReadelfView {
  header: Record<string, string>;
  sections: ReadelfSection[];
  segments: ReadelfSegment[];
  symbolTables: Map<string, ReadelfSymbol[]>;
}

const hex = (s: string) => parseInt(s, 16);
const num = (s: string) => (s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10));

export function readelf(path: string): ReadelfView {
  const text = execFileSync('readelf', ['-W', '-h', '-l', '-S', '-s', path], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LC_ALL: 'C' },
  });
  const header: Record<string, string> = {};
  const sections: ReadelfSection[] = [];
  const segments: ReadelfSegment[] = [];
  const symbolTables = new Map<string, ReadelfSymbol[]>();
  let part: 'header' | 'sections' | 'segments' | 'symbols' | 'other' = 'other';
  let symbols: ReadelfSymbol[] = [];
  let dynamic = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('ELF Header:')) part = 'header';
    else if (line.startsWith('Section Headers:')) part = 'sections';
    else if (line.startsWith('Program Headers:')) part = 'segments';
    else if (line.startsWith('Key to Flags:') || line.startsWith(' Section to Segment')) part = 'other';
    const symHead = /^Symbol table '([^']+)' contains/.exec(line);
    if (symHead) {
      part = 'symbols';
      symbols = [];
      dynamic = symHead[1] === '.dynsym';
      symbolTables.set(symHead[1]!, symbols);
      continue;
    }
    let m: RegExpExecArray | null;
    if (part === 'header' && (m = /^\s+([^:]+):\s+(.*?)\s*$/.exec(line))) {
      header[m[1]!] = m[2]!;
    } else if (
      part === 'sections' &&
      (m = /^\s+\[\s*(\d+)\]\s(.*?)\s+(\S+)\s+([0-9a-f]{8})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]{2})\s+(\S*)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line))
    ) {
      sections.push({
        index: +m[1]!,
        name: m[2]!.trim(),
        type: m[3]!,
        addr: hex(m[4]!),
        offset: hex(m[5]!),
        size: hex(m[6]!),
        entsize: hex(m[7]!),
        link: +m[9]!,
        info: +m[10]!,
        align: +m[11]!,
      });
    } else if (
      part === 'segments' &&
      (m = /^\s+(\S+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s(.{3})\s0x([0-9a-f]+)\s*$/.exec(line))
    ) {
      segments.push({
        type: m[1]!,
        offset: hex(m[2]!),
        vaddr: hex(m[3]!),
        paddr: hex(m[4]!),
        filesz: hex(m[5]!),
        memsz: hex(m[6]!),
        flags: m[7]!,
        align: hex(m[8]!),
      });
    } else if (
      part === 'symbols' &&
      (m = /^\s+(\d+):\s+([0-9a-f]{8})\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s?(.*)$/.exec(line))
    ) {
      // In .dynsym readelf appends versions from .gnu.version ("name@GLIBC_2.0 (2)");
      // the string table has only the name. (.symtab names are shown as stored.)
      const name = dynamic ? m[8]!.replace(/@.*$/, '') : m[8]!;
      symbols.push({ index: +m[1]!, value: hex(m[2]!), size: num(m[3]!), type: m[4]!, bind: m[5]!, vis: m[6]!, ndx: m[7]!, name });
    }
  }
  return { header, sections, segments, symbolTables };
}
