#!/usr/bin/env node
// `npm run scan:electron`: Doyensec's electronegativity over the Electron shell (electron/shell), failing
// on any finding that docs/electron-security.md does not explain. Each explained finding is listed here
// with the section of that document that explains it; a new or moved finding fails the scan until it is
// fixed or explained there and here.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import process from 'node:process';

const ROOT = resolve(import.meta.dirname, '..');
const TARGET = 'electron/shell';

/** issue → file → why it is not a problem (see docs/electron-security.md, "Scan findings"). */
const EXPLAINED = {
  CSP_GLOBAL_CHECK: { 'N/A': 'CSP is an HTTP header on every app:// response (protocol.ts), not a <meta> the scanner can see' },
  CONTEXT_ISOLATION_JS_CHECK: { 'kiosk-shell.ts': 'options come from createKioskWindowOptions (window.ts): contextIsolation: true, asserted by test/shell/window.test.ts' },
  SANDBOX_JS_CHECK: { 'kiosk-shell.ts': 'options come from createKioskWindowOptions (window.ts): sandbox: true and app.enableSandbox()' },
  AUXCLICK_JS_CHECK: { 'kiosk-shell.ts': "disableBlinkFeatures: 'Auxclick' in createKioskWindowOptions; every new window is denied anyway" },
  DANGEROUS_FUNCTIONS_JS_CHECK: { 'window.ts': 'insertCSS of a constant (HIDE_CURSOR_CSS), never of page or user content' },
};

const bin = process.env.ELECTRONEGATIVITY_BIN ?? join(ROOT, 'node_modules/.bin/electronegativity');
if (!existsSync(bin)) {
  console.error(`scan:electron: electronegativity is not installed (${bin}); add the devDependency @doyensec/electronegativity`);
  process.exit(2);
}
const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;
const outDir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
const csv = join(outDir, 'findings.csv');
const r = spawnSync(bin, ['-i', TARGET, '-e', electronVersion, '-r', '-v', 'false', '-o', csv], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
if (!existsSync(csv)) {
  console.error(r.stdout, r.stderr);
  console.error('scan:electron: electronegativity produced no report');
  process.exit(2);
}

/** Minimal CSV reader for electronegativity's report (quoted fields, commas inside quotes). */
const parseCsv = (text) =>
  text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line) => {
      const cells = [];
      let cur = '';
      let quoted = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (ch === '"' && line[i + 1] === '"' && quoted) {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = !quoted;
        else if (ch === ',' && !quoted) {
          cells.push(cur.trim());
          cur = '';
        } else cur += ch;
      }
      cells.push(cur.trim());
      return cells;
    });

const [header, ...rows] = parseCsv(readFileSync(csv, 'utf8'));
rmSync(outDir, { recursive: true, force: true });
const col = (name) => header.findIndex((h) => h.trim() === name);
const findings = rows.map((c) => ({ issue: c[col('issue')], severity: c[col('severity')], file: c[col('filename')], at: c[col('location')] }));
const unexplained = findings.filter((f) => !EXPLAINED[f.issue]?.[f.file]);
for (const f of findings) console.log(`${EXPLAINED[f.issue]?.[f.file] ? 'explained  ' : 'UNEXPLAINED'} ${f.issue} ${f.severity} ${f.file}:${f.at}${EXPLAINED[f.issue]?.[f.file] ? ` (${EXPLAINED[f.issue][f.file]})` : ''}`);
const seen = new Set(findings.map((f) => `${f.issue} ${f.file}`));
for (const [issue, files] of Object.entries(EXPLAINED)) for (const file of Object.keys(files)) if (!seen.has(`${issue} ${file}`)) console.log(`note: ${issue} in ${file} is explained but no longer reported; remove it from the list`);
if (unexplained.length > 0) {
  console.error(`scan:electron: ${unexplained.length} unexplained finding(s); fix them or explain them in docs/electron-security.md and scripts/scan-electron.mjs`);
  process.exit(1);
}
console.log(`scan:electron: ${findings.length} finding(s), all explained in docs/electron-security.md`);
