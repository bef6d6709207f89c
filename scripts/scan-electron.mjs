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
  CSP_GLOBAL_CHECK: {
    'N/A': 'CSP is an HTTP header on every app:// response (protocol.ts), not a <meta> the scanner can see',
  },
  CONTEXT_ISOLATION_JS_CHECK: {
    'kiosk-shell.ts':
      'both windows take createKioskWindowOptions (window.ts; the staff window spreads it): contextIsolation: true, asserted by window.test.ts and kiosk-shell.test.ts',
  },
  SANDBOX_JS_CHECK: {
    'kiosk-shell.ts': 'both windows take createKioskWindowOptions (window.ts): sandbox: true, and app.enableSandbox()',
  },
  AUXCLICK_JS_CHECK: {
    'kiosk-shell.ts': "disableBlinkFeatures: 'Auxclick' in createKioskWindowOptions; every new window is denied anyway",
  },
  DANGEROUS_FUNCTIONS_JS_CHECK: {
    'window.ts': 'insertCSS of a constant (HIDE_CURSOR_CSS), never of page or user content',
  },
};

const bin = process.env.ELECTRONEGATIVITY_BIN ?? join(ROOT, 'node_modules/.bin/electronegativity');
if (!existsSync(bin)) {
  console.error(
    `scan:electron: electronegativity is not installed (${bin}); add the devDependency @doyensec/electronegativity`,
  );
  process.exit(2);
}
const electronVersion = JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version;
const outDir = mkdtempSync(join(tmpdir(), 'electronegativity-'));
// SARIF, not CSV: electronegativity writes the CSV header and the rows with two unordered async
// writeFile calls, so on a slow disk the header lands over the first row (seen in CI as a finding
// named "ted in the target application"). The SARIF report is one JSON document written at once.
const report = join(outDir, 'findings.sarif');
const r = spawnSync(bin, ['-i', TARGET, '-e', electronVersion, '-r', '-v', 'false', '-o', report], {
  cwd: ROOT,
  encoding: 'utf8',
  timeout: 300_000,
});
const readReport = () => {
  try {
    return JSON.parse(readFileSync(report, 'utf8'));
  } catch (err) {
    console.error(r.stdout, r.stderr);
    console.error(
      `scan:electron: electronegativity produced no readable report (${err instanceof Error ? err.message : String(err)})`,
    );
    process.exit(2);
  }
};
const sarif = readReport();
rmSync(outDir, { recursive: true, force: true });
const results = sarif?.runs?.[0]?.results;
if (!Array.isArray(results)) {
  console.error('scan:electron: the SARIF report has no runs[0].results array');
  process.exit(2);
}
const findings = results.map((res) => {
  const loc = res.locations?.[0]?.physicalLocation;
  const uri = loc?.artifactLocation?.uri;
  return {
    issue: res.ruleId,
    severity: res.level,
    // electronegativity writes "file:///" for project-wide findings (its CSV says "N/A").
    file: uri === undefined || uri === 'file:///' ? 'N/A' : uri,
    at: `${loc?.region?.startLine ?? 0}:${loc?.region?.startColumn ?? 0}`,
  };
});
const unexplained = findings.filter((f) => !EXPLAINED[f.issue]?.[f.file]);
for (const f of findings)
  console.log(
    `${EXPLAINED[f.issue]?.[f.file] ? 'explained  ' : 'UNEXPLAINED'} ${f.issue} ${f.severity} ${f.file}:${f.at}${EXPLAINED[f.issue]?.[f.file] ? ` (${EXPLAINED[f.issue][f.file]})` : ''}`,
  );
const seen = new Set(findings.map((f) => `${f.issue} ${f.file}`));
for (const [issue, files] of Object.entries(EXPLAINED))
  for (const file of Object.keys(files))
    if (!seen.has(`${issue} ${file}`))
      console.log(`note: ${issue} in ${file} is explained but no longer reported; remove it from the list`);
if (unexplained.length > 0) {
  console.error(
    `scan:electron: ${unexplained.length} unexplained finding(s); fix them or explain them in docs/electron-security.md and scripts/scan-electron.mjs`,
  );
  process.exit(1);
}
console.log(`scan:electron: ${findings.length} finding(s), all explained in docs/electron-security.md`);
