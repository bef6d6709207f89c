#!/usr/bin/env node
// Checks the renderer's i18n resources against the code (plain Node, no dependencies):
//  1. every locale file (renderer/i18n/*.json) has the same set of keys, and the same {{placeholders}} per key;
//  2. every key the renderer code uses is present in every locale. A "used key" is the first argument of
//     t('…') / i18n.t('…'), and any other string literal of the form "<namespace>.<key>" whose namespace is
//     a top-level group of the resources (tables of keys such as label: 'keyboard.toneSac');
//  3. t(`…${x}…`) with a computed key is refused: keys must be literal so this check can see them;
//  4. shared/ui-keys.ts (the keys and placeholders a language pack must cover, shared/language-pack.ts)
//     matches vi.json: `node scripts/check-i18n.mjs --write-ui-keys` regenerates it.
// Exits 1 listing every problem; 0 when the resources and the code agree.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const rendererDir = join(root, 'renderer');
const localeDir = join(rendererDir, 'i18n');

const flatten = (obj, prefix = '', out = new Map()) => {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.set(key, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return out;
};

const placeholders = (s) =>
  [...s.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)]
    .map((m) => m[1])
    .sort()
    .join(',');

const walk = (dir, out = []) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
};

const problems = [];

const localeFiles = readdirSync(localeDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
if (localeFiles.length === 0) problems.push(`no locale files in ${relative(root, localeDir)}`);
const locales = new Map();
for (const f of localeFiles) {
  try {
    locales.set(f.replace(/\.json$/, ''), flatten(JSON.parse(readFileSync(join(localeDir, f), 'utf8'))));
  } catch (e) {
    problems.push(`${f}: not valid JSON (${e.message})`);
  }
}

// 1. Same keys and placeholders everywhere.
const allKeys = new Set([...locales.values()].flatMap((m) => [...m.keys()]));
for (const key of [...allKeys].sort()) {
  const missing = [...locales].filter(([, m]) => !m.has(key)).map(([l]) => l);
  if (missing.length > 0) {
    problems.push(`key "${key}" is missing from ${missing.map((l) => `${l}.json`).join(', ')}`);
    continue;
  }
  const shapes = new Set([...locales.values()].map((m) => placeholders(m.get(key))));
  if (shapes.size > 1)
    problems.push(
      `key "${key}" has different {{placeholders}} across locales: ${[...locales].map(([l, m]) => `${l}: [${placeholders(m.get(key))}]`).join('; ')}`,
    );
  for (const [l, m] of locales) if (m.get(key).trim() === '') problems.push(`key "${key}" is empty in ${l}.json`);
}

// 2 and 3. Keys used by the code.
const namespaces = new Set([...allKeys].map((k) => k.split('.')[0]));
const used = new Map();
const use = (key, where) => {
  if (!used.has(key)) used.set(key, []);
  used.get(key).push(where);
};
for (const file of walk(rendererDir)) {
  const src = readFileSync(file, 'utf8');
  const rel = relative(root, file);
  const lineOf = (i) => src.slice(0, i).split('\n').length;
  for (const m of src.matchAll(/\bt\(\s*(['"])([^'"\n]+)\1/g)) use(m[2], `${rel}:${lineOf(m.index)}`);
  for (const m of src.matchAll(/\bt\(\s*`([^`]*)`/g)) {
    if (m[1].includes('${')) problems.push(`${rel}:${lineOf(m.index)}: computed key t(\`${m[1]}\`): use literal keys`);
    else use(m[1], `${rel}:${lineOf(m.index)}`);
  }
  for (const m of src.matchAll(/(['"])([A-Za-z][\w]*(?:\.[\w]+)+)\1/g)) {
    const ns = m[2].split('.')[0];
    if (namespaces.has(ns) && !/\.(ts|tsx|css|json|js|mjs|html)$/.test(m[2])) use(m[2], `${rel}:${lineOf(m.index)}`);
  }
}
for (const [key, where] of [...used].sort(([a], [b]) => a.localeCompare(b))) {
  const missing = [...locales].filter(([, m]) => !m.has(key)).map(([l]) => l);
  if (missing.length > 0)
    problems.push(`key "${key}" (used at ${where[0]}) is missing from ${missing.map((l) => `${l}.json`).join(', ')}`);
}

// 4. The UI keys a language pack must cover, for shared/ (which may not import the renderer's files).
const uiKeysFile = join(root, 'shared', 'ui-keys.ts');
const vi = locales.get('vi');
if (vi) {
  const entries = [...vi].map(([key, value]) => {
    const names = placeholders(value);
    const quoted = (s) => `'${s}'`; // keys and placeholder names are [\w.]: Prettier's own quoting
    return `  ${quoted(key)}: [${names ? names.split(',').map(quoted).join(', ') : ''}],`;
  });
  const expected = [
    '// Generated from renderer/i18n/vi.json by `node scripts/check-i18n.mjs --write-ui-keys`: do not edit.',
    '/** Every UI string key, with the {{placeholders}} its text must keep (shared/language-pack.ts). */',
    'export const UI_KEYS: Readonly<Record<string, readonly string[]>> = {',
    ...entries,
    '};',
    '',
  ].join('\n');
  let current;
  try {
    current = readFileSync(uiKeysFile, 'utf8');
  } catch {
    current = '';
  }
  if (process.argv.includes('--write-ui-keys')) writeFileSync(uiKeysFile, expected);
  else if (current !== expected)
    problems.push('shared/ui-keys.ts is out of step with vi.json: run node scripts/check-i18n.mjs --write-ui-keys');
}

if (problems.length > 0) {
  console.error(`check-i18n: ${problems.length} problem(s):`);
  for (const p of problems) console.error(`  - ${p}`);
  process.exit(1);
}
console.log(
  `check-i18n: ${localeFiles.length} locales (${localeFiles.join(', ')}), ${allKeys.size} keys, ${used.size} keys used in the renderer: OK`,
);
