/**
 * Build step (`npm run build`, after tsc): parse isa/ and write the table
 * snapshot next to the compiled isa-tables.js, so CLI start-up loads the
 * tables instead of lexing and parsing them (isa-snapshot.ts says when a
 * snapshot is used). Prints where it wrote and how many forms.
 *
 * Run: `node dist/src/decoder/build-tables.js`
 */
import { writeFileSync } from 'node:fs';
import { buildTables, findIsaDir, readIsaDir } from './isa-tables.js';
import { makeSnapshot, readCodeFiles, snapshotPath } from './isa-snapshot.js';

const sources = readIsaDir(findIsaDir());
const code = readCodeFiles();
if (code === null) throw new Error('build-tables: run the compiled script (dist/src/decoder/build-tables.js) after tsc');
const tables = buildTables(sources);
const path = snapshotPath();
writeFileSync(path, JSON.stringify(makeSnapshot(sources, code, tables)));
console.log(`isa table snapshot: ${tables.forms.length} forms from ${sources.length} files → ${path}`);
