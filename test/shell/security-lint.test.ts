// A small, always-on lint of the Electron shell for the patterns Electron's security checklist warns
// about. It complements the electronegativity scan (npm run scan:electron) and runs without Electron.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const SHELL = join(ROOT, 'electron/shell');
const sources = readdirSync(SHELL)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => ({ file: relative(ROOT, join(SHELL, f)), text: readFileSync(join(SHELL, f), 'utf8') }));
// Comments may name the dangerous things they avoid; code may not.
const code = (text: string): string => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const FORBIDDEN: [string, RegExp][] = [
  ['nodeIntegration enabled', /nodeIntegration(InWorker|InSubFrames)?\s*:\s*true/],
  ['contextIsolation disabled', /contextIsolation\s*:\s*false/],
  ['sandbox disabled', /sandbox\s*:\s*false/],
  ['webSecurity disabled', /webSecurity\s*:\s*false/],
  ['insecure content allowed', /allowRunningInsecureContent\s*:\s*true/],
  ['experimental features', /experimentalFeatures\s*:\s*true/],
  ['Blink features enabled', /enableBlinkFeatures/],
  ['webview tag enabled', /webviewTag\s*:\s*true/],
  ['remote module', /enableRemoteModule|@electron\/remote/],
  ['shell.openExternal', /openExternal|openPath|\bshell\b\s*[,}]\s*from\s*'electron'|\{\s*shell\s*\}/],
  ['file:// loading', /loadFile\(|['"`]file:\/\//],
  ['CSP bypass for the scheme', /bypassCSP\s*:\s*true/],
  ['eval or new Function', /\beval\(|new Function\(/],
  ['certificate errors ignored', /certificate-error|ignore-certificate-errors|setCertificateVerifyProc/],
  [
    'insecure Chromium switches',
    /appendSwitch\(\s*['"](no-sandbox|disable-web-security|ignore-certificate-errors|remote-debugging-port)/,
  ],
  ['permissions granted', /callback\(\s*true\s*\)/],
  ['window.open allowed', /action\s*:\s*['"]allow['"]/],
  ['insecure http/ws origins', /['"`](http|ws):\/\/(?!127\.0\.0\.1)/],
];

describe('shell security lint', () => {
  it.each(FORBIDDEN)('no %s', (_name, pattern) => {
    const hits = sources.filter((s) => pattern.test(code(s.text))).map((s) => s.file);
    expect(hits).toEqual([]);
  });

  it('the preload exposes one object, through contextBridge, and never the raw ipcRenderer', () => {
    const preload = code(readFileSync(join(SHELL, 'preload.ts'), 'utf8'));
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).not.toMatch(/ipcRenderer\.(send|sendSync|on|once|postMessage|sendTo|sendToHost)\b/);
    expect(preload).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*[,)]/);
    const bridge = code(readFileSync(join(SHELL, 'bridge.ts'), 'utf8'));
    expect(bridge).not.toMatch(/\.\.\.args|arguments/);
  });

  it('only electron/shell imports electron at run time', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (
          /\.(ts|tsx|mjs|js)$/.test(entry.name) &&
          /from\s+['"]electron['"]/.test(readFileSync(p, 'utf8').replace(/import type [^;]+;/g, ''))
        )
          offenders.push(relative(ROOT, p));
      }
    };
    for (const d of ['electron/core', 'electron/host', 'electron/cli', 'shared', 'renderer'])
      if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
    expect(offenders).toEqual([]);
  });

  it('every ipcMain.handle goes through the sender check', () => {
    const all = sources.map((s) => code(s.text)).join('\n');
    const handles = all.match(/ipcMain\.handle\(|\.handle\(channel/g) ?? [];
    expect(handles.length).toBeGreaterThan(0);
    expect(
      sources
        .filter((s) => /\.handle\(/.test(code(s.text)) && !/protocol\.handle/.test(code(s.text)))
        .map((s) => s.file),
    ).toEqual(['electron/shell/ipc.ts']);
    expect(code(readFileSync(join(SHELL, 'ipc.ts'), 'utf8'))).toMatch(/if \(!isTrustedSender\(event\)\)/);
    expect(all).not.toMatch(/ipcMain\.on\(/);
  });

  it('navigation, redirects, new windows and webviews are denied on every webContents', () => {
    const main = code(readFileSync(join(SHELL, 'kiosk-shell.ts'), 'utf8'));
    expect(main).toMatch(
      /app\.on\('web-contents-created', \(_event, contents\) => guardWebContents\(contents, log\)\)/,
    );
    const win = code(readFileSync(join(SHELL, 'window.ts'), 'utf8'));
    for (const e of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview'])
      expect(win).toContain(`'${e}'`);
    expect(win).toMatch(/setWindowOpenHandler/);
  });

  it('every new BrowserWindow spells its security preferences out as literals (what a reviewer and the scanner see)', () => {
    /** The argument text of each `new BrowserWindow(...)`, up to its matching parenthesis. */
    const constructions = sources.flatMap((s) => {
      const text = code(s.text);
      return [...text.matchAll(/new BrowserWindow\(/g)].map((m) => {
        let depth = 0;
        let i = m.index + m[0].length - 1;
        do {
          if (text[i] === '(') depth++;
          else if (text[i] === ')') depth--;
          i++;
        } while (depth > 0 && i < text.length);
        return { file: s.file, args: text.slice(m.index, i) };
      });
    });
    expect(constructions.map((c) => c.file).sort()).toEqual([
      'electron/shell/staff-window.ts',
      'electron/shell/window.ts',
    ]);
    for (const { file, args } of constructions)
      for (const literal of [
        'contextIsolation: true',
        'sandbox: true',
        'nodeIntegration: false',
        'nodeIntegrationInWorker: false',
        'nodeIntegrationInSubFrames: false',
        'webSecurity: true',
        'allowRunningInsecureContent: false',
        'webviewTag: false',
        "disableBlinkFeatures: 'Auxclick'",
      ])
        expect(args, `${file}: ${literal}`).toContain(literal);
  });

  it('fuses are flipped in the packaging config', () => {
    const yml = readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8');
    for (const line of [
      'runAsNode: false',
      'enableNodeOptionsEnvironmentVariable: false',
      'enableNodeCliInspectArguments: false',
      'enableEmbeddedAsarIntegrityValidation: true',
      'onlyLoadAppFromAsar: true',
      'grantFileProtocolExtraPrivileges: false',
    ])
      expect(yml).toContain(line);
  });
});
