import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/tmp.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PRETTIER = createRequire(join(ROOT, 'package.json')).resolve('prettier/bin/prettier.cjs');

/** `prettier --check` as `npm run lint` runs it, over a directory holding the project's .prettierrc.json. */
const check = (dir: string): { status: number | null; output: string } => {
  const r = spawnSync(process.execPath, [PRETTIER, '--check', '.'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
};

describe('the formatting check in npm run lint', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));
  const withConfig = (file: string, text: string): string => {
    const t = tempDir('format-');
    cleanups.push(t.cleanup);
    copyFileSync(join(ROOT, '.prettierrc.json'), join(t.dir, '.prettierrc.json'));
    writeFileSync(join(t.dir, file), text);
    return t.dir;
  };

  it('fails on an unformatted file and names it', () => {
    const dir = withConfig('messy.ts', 'export const  greet=(name:string)=>{return "xin chào, "+name}\n');
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.output).toContain('messy.ts');
  });

  it("passes a file already in the project's style (single quotes, lines up to 120 columns)", () => {
    const line = `export const greeting = (name: string, office: string): string => 'xin chào, ' + name + ' — ' + office;\n`;
    expect(line.length).toBeGreaterThan(80); // Prettier's default width would wrap it: the config is in use
    const r = check(withConfig('tidy.ts', line));
    expect(r).toMatchObject({ status: 0 });
  });

  it('fails the same file with double quotes, which the project does not use', () => {
    const r = check(withConfig('quotes.ts', 'export const office = "Quầy 1";\n'));
    expect(r.status).toBe(1);
  });
});
