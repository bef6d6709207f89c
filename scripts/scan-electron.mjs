#!/usr/bin/env node
// `npm run scan:electron`: Doyensec's electronegativity over the Electron shell (electron/shell). Fails on
// any HIGH finding (no exception list for those), on any other finding docs/electron-security.md does not
// explain (the list is in scripts/electron-scan.mjs), and on any file the scanner could not parse.
import console from 'node:console';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';
import { judgeScan, scanElectron } from './electron-scan.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET = join(ROOT, 'electron/shell');

if (!existsSync(join(ROOT, 'node_modules/@doyensec/electronegativity'))) {
  console.error('scan:electron: electronegativity is not installed; add the devDependency @doyensec/electronegativity');
  process.exit(2);
}
const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;
let scanned;
try {
  scanned = await scanElectron({ root: ROOT, input: TARGET, electronVersion });
} catch (err) {
  console.error(`scan:electron: electronegativity failed (${err instanceof Error ? err.message : String(err)})`);
  process.exit(2);
}
const verdict = judgeScan(scanned);
for (const line of verdict.lines) console.log(line);
for (const line of verdict.problems) console.error(line);
process.exit(verdict.ok ? 0 : 1);
