// The decision behind `npm run scan:electron` (scripts/scan-electron.mjs), apart from the scanner so a
// test can feed it crafted findings (test/shell/electron-scan.test.ts). The scanner is Doyensec's
// electronegativity, run through its programmatic API: its CSV report races its header against the rows
// and its SARIF report drops the severity, and the severity is what decides here.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * Findings of MEDIUM severity or below that docs/electron-security.md ("Scan findings") explains:
 * issue → file → why it is not a problem. A HIGH finding cannot be explained away: there is no such
 * list for HIGH, it fails the scan until the code is fixed.
 */
export const EXPLAINED = {
  CSP_GLOBAL_CHECK: {
    'N/A': 'CSP is an HTTP header on every app:// response (protocol.ts), not a <meta> the scanner can see',
  },
  PRELOAD_JS_CHECK: {
    'window.ts':
      'the one bundled preload (preload.ts) exposes kioskBridge through contextBridge, one function per API method; preload.test.ts, security-lint.test.ts',
    'staff-window.ts': 'the same preload as the kiosk window (window.ts)',
  },
  DANGEROUS_FUNCTIONS_JS_CHECK: {
    'window.ts': 'insertCSS of a constant (HIDE_CURSOR_CSS), never of page or user content',
  },
};

/** Severities at or above this fail the scan whatever any list says. */
const BLOCKING = new Set(['HIGH', 'CRITICAL']);

/**
 * electronegativity's issues as plain findings. Its project-wide findings have the file "N/A".
 * @param {readonly { id: string; severity: { name: string }; file: string; location: { line: number; column: number } }[]} issues
 */
export const findingsOf = (issues) =>
  issues.map((i) => ({
    issue: i.id,
    severity: i.severity.name,
    file: i.file,
    at: `${i.location.line}:${i.location.column}`,
  }));

/**
 * Whether the scan passes, and what to print. Fails on any HIGH (or worse) finding, on any finding not
 * in `explained`, and on any file the scanner could not parse (its checks then never ran on it).
 * @param {{ findings: readonly { issue: string; severity: string; file: string; at: string }[];
 *   parseErrors?: readonly { file: string; message: string; tolerable: boolean }[];
 *   explained?: Record<string, Record<string, string>> }} input
 * @returns {{ ok: boolean; lines: string[]; problems: string[] }}
 */
export const judgeScan = ({ findings, parseErrors = [], explained = EXPLAINED }) => {
  const lines = [];
  let high = 0;
  let unexplained = 0;
  for (const f of findings) {
    const why = explained[f.issue]?.[f.file];
    const blocking = BLOCKING.has(f.severity);
    const status = blocking ? 'HIGH       ' : why ? 'explained  ' : 'UNEXPLAINED';
    if (blocking) high++;
    else if (!why) unexplained++;
    lines.push(`${status} ${f.issue} ${f.severity} ${f.file}:${f.at}${why && !blocking ? ` (${why})` : ''}`);
  }
  const unparsed = parseErrors.filter((e) => !e.tolerable);
  for (const e of unparsed) lines.push(`UNSCANNED   ${e.file}: ${e.message}`);
  const seen = new Set(findings.map((f) => `${f.issue} ${f.file}`));
  for (const [issue, files] of Object.entries(explained))
    for (const file of Object.keys(files))
      if (!seen.has(`${issue} ${file}`))
        lines.push(`note: ${issue} in ${file} is explained but no longer reported; remove it from the list`);
  const problems = [
    high > 0 ? `${high} HIGH finding(s): fix them, a HIGH finding cannot be explained away` : '',
    unexplained > 0
      ? `${unexplained} unexplained finding(s): fix them or explain them in docs/electron-security.md and scripts/electron-scan.mjs`
      : '',
    unparsed.length > 0 ? `${unparsed.length} file(s) the scanner could not parse, so could not check` : '',
  ]
    .filter(Boolean)
    .map((p) => `scan:electron: ${p}`);
  if (problems.length === 0)
    lines.push(`scan:electron: ${findings.length} finding(s), none HIGH, all explained in docs/electron-security.md`);
  return { ok: problems.length === 0, lines, problems };
};

/**
 * Runs electronegativity over `input` (a folder of sources) for the given Electron version.
 * @param {{ root: string; input: string; electronVersion: string }} p
 * @returns {Promise<{ findings: ReturnType<typeof findingsOf>; parseErrors: { file: string; message: string; tolerable: boolean }[] }>}
 */
export const scanElectron = async ({ root, input, electronVersion }) => {
  const require = createRequire(join(root, 'package.json'));
  const electronegativity = require('@doyensec/electronegativity');
  const run = electronegativity.default ?? electronegativity;
  const result = await run(
    {
      input,
      electronVersionOverride: electronVersion,
      isRelative: true,
      customScan: [],
      excludeFromScan: [],
    },
    false,
  );
  return { findings: findingsOf(result.issues), parseErrors: result.errors };
};
