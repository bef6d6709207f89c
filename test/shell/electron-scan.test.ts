// The decision of `npm run scan:electron` (scripts/electron-scan.mjs): a HIGH finding fails the scan even
// when an exception list names it; other findings fail unless explained; an unparsable file fails. Then
// the real electronegativity over crafted sources, to show it reports what the decision acts on.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPLAINED, type ScanFinding, judgeScan, scanElectron } from '../../scripts/electron-scan.mjs';
import { tempDir } from '../support/tmp.ts';

const ROOT = join(import.meta.dirname, '../..');

const finding = (over: Partial<ScanFinding> = {}): ScanFinding => ({
  issue: 'CONTEXT_ISOLATION_JS_CHECK',
  severity: 'HIGH',
  file: 'window.ts',
  at: '12:4',
  ...over,
});

describe('judgeScan', () => {
  it('fails on a HIGH finding, even one an exception list names', () => {
    const explained = { CONTEXT_ISOLATION_JS_CHECK: { 'window.ts': 'an excuse' } };
    const verdict = judgeScan({ findings: [finding()], explained });
    expect(verdict.ok).toBe(false);
    expect(verdict.lines[0]).toMatch(/^HIGH +CONTEXT_ISOLATION_JS_CHECK HIGH window\.ts:12:4$/);
    expect(verdict.problems.join('\n')).toContain('1 HIGH finding(s)');
  });

  it('has no exception for HIGH in its own list', () => {
    const high = Object.entries(EXPLAINED).flatMap(([issue, files]) =>
      Object.keys(files).map((file) => finding({ issue, file })),
    );
    expect(high.length).toBeGreaterThan(0);
    expect(judgeScan({ findings: high }).ok).toBe(false);
  });

  it('fails on a finding below HIGH that nobody explained, and passes the explained ones', () => {
    const medium = finding({ issue: 'SANDBOX_JS_CHECK', severity: 'MEDIUM' });
    expect(judgeScan({ findings: [medium], explained: {} }).ok).toBe(false);
    const verdict = judgeScan({ findings: [medium], explained: { SANDBOX_JS_CHECK: { 'window.ts': 'why' } } });
    expect(verdict).toMatchObject({ ok: true, problems: [] });
    expect(verdict.lines[0]).toContain('explained   SANDBOX_JS_CHECK MEDIUM window.ts:12:4 (why)');
  });

  it('fails when the scanner could not parse a file (its checks never ran on it)', () => {
    const verdict = judgeScan({
      findings: [],
      parseErrors: [{ file: 'window.ts', message: 'Unexpected token', tolerable: false }],
      explained: {},
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.lines).toContain('UNSCANNED   window.ts: Unexpected token');
    expect(
      judgeScan({ findings: [], parseErrors: [{ file: 'x.ts', message: 'w', tolerable: true }], explained: {} }).ok,
    ).toBe(true);
  });

  it('notes explained findings that are no longer reported, so the list does not rot', () => {
    const verdict = judgeScan({ findings: [], explained: { SANDBOX_JS_CHECK: { 'gone.ts': 'why' } } });
    expect(verdict.ok).toBe(true);
    expect(verdict.lines).toContain(
      'note: SANDBOX_JS_CHECK in gone.ts is explained but no longer reported; remove it from the list',
    );
  });
});

describe('electronegativity on crafted sources', () => {
  it('reports context isolation turned off as HIGH and an unparsable file, both failing the scan; literal locked-down options pass', async () => {
    const t = tempDir('kiosk-scan-');
    try {
      writeFileSync(
        join(t.dir, 'loose.ts'),
        `import { BrowserWindow } from 'electron';\nexport const w = () => new BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: true } });\n`,
      );
      // The shape window.ts uses: literals inside a checking call inside the constructor.
      writeFileSync(
        join(t.dir, 'locked.ts'),
        `import { BrowserWindow } from 'electron';\nconst check = <T,>(o: T): T => o;\nexport const w = (preload: string) => new BrowserWindow(check({ show: false, webPreferences: { preload, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, disableBlinkFeatures: 'Auxclick' } }));\n`,
      );
      writeFileSync(join(t.dir, 'broken.ts'), 'export const x = (;\n');
      const electronVersion = (
        JSON.parse(readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
      ).version;
      const scanned = await scanElectron({ root: ROOT, input: t.dir, electronVersion });
      expect(scanned.parseErrors.filter((e) => !e.tolerable).map((e) => e.file)).toEqual([join(t.dir, 'broken.ts')]);
      const high = scanned.findings.filter((f) => f.severity === 'HIGH');
      expect(high).toContainEqual(expect.objectContaining({ issue: 'CONTEXT_ISOLATION_JS_CHECK', file: 'loose.ts' }));
      expect(high.filter((f) => f.file === 'locked.ts')).toEqual([]);
      const problems = judgeScan({ ...scanned, explained: {} }).problems.join('\n');
      expect(problems).toContain('HIGH finding(s)');
      expect(problems).toContain('1 file(s) the scanner could not parse');
    } finally {
      t.cleanup();
    }
  }, 120_000);
});
