/**
 * Loads the kiosk's configuration from a directory: `catalog.json`, `questionnaires/*.json` and,
 * optionally, `language-packs/*.json` (shared/language-pack.ts).
 * Plain Node (no electron): the core, the CLI and tests all use it. Bad content never throws; every
 * problem comes back naming the file (relative to the directory, with "/") and the field path.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { canonicalJson } from '../canonical.ts';
import { Catalog, ConfigBundle } from '../catalog.ts';
import { LanguagePack } from '../language-pack.ts';
import { Questionnaire } from '../questionnaire.ts';
import { errorMessage } from '../error-message.ts';

export type ConfigProblem = { file: string; path: string; message: string };
export type LoadedConfig = { bundle: ConfigBundle; version: string; hash: string; files: string[] };

/** Stable key order, for hashing; the one shared implementation, so kiosk and central hashes agree. */
export { canonicalJson };

/** The default configuration shipped with the app. */
export const EMBEDDED_CONFIG_DIR: string = fileURLToPath(new URL('../../assets/config', import.meta.url));

const CATALOG_FILE = 'catalog.json';
const QUESTIONNAIRE_DIR = 'questionnaires';
const PACK_DIR = 'language-packs';
/** Far above any real catalog; stops a wrong file (a database, a video) from being read into memory. */
const MAX_FILE_BYTES = 5 * 1024 * 1024;
const ROOT_PATH = '(root)';

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

const FAILED = Symbol('failed');

/** "at position 42" (Node 20) or "(line 3 column 5)" (newer V8) in a JSON.parse message, as line/column. */
const syntaxLocation = (message: string, text: string): string => {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return `line ${lc[1]}, column ${lc[2]}`;
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? Number(pos[1]) : /end of JSON input/i.test(message) ? text.length : null;
  if (offset === null) return '';
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
};

const readJson = (dir: string, file: string, problems: ConfigProblem[]): unknown => {
  const full = join(dir, ...file.split('/'));
  let text: string;
  try {
    const size = statSync(full).size;
    if (size > MAX_FILE_BYTES) {
      problems.push({ file, path: ROOT_PATH, message: `file is too large (${size} bytes; at most ${MAX_FILE_BYTES})` });
      return FAILED;
    }
    text = readFileSync(full, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    problems.push({
      file,
      path: ROOT_PATH,
      message: code === 'ENOENT' ? 'file not found' : `cannot read file: ${errorMessage(e)}`,
    });
    return FAILED;
  }
  // Windows editors may save a byte-order mark, which JSON.parse refuses.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const message = errorMessage(e);
    const where = syntaxLocation(message, text);
    problems.push({ file, path: ROOT_PATH, message: `JSON syntax error${where ? ` at ${where}` : ''}: ${message}` });
    return FAILED;
  }
};

const issueMessage = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'invalid_key' || issue.code === 'invalid_element') {
    return `${issue.message}: ${issue.issues.map((i) => i.message).join('; ')}`;
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    return `${issue.message}: ${issue.errors
      .flat()
      .map((i) => i.message)
      .join('; ')}`;
  }
  return issue.message;
};

const pathText = (path: readonly PropertyKey[]): string => path.map(String).join('.') || ROOT_PATH;

const validate = (schema: z.ZodType, raw: unknown, file: string, problems: ConfigProblem[]): void => {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push({ file, path: pathText(issue.path), message: issueMessage(issue) });
  }
};

/** `sub/*.json` of `root` ("sub/name.json", sorted); none when the folder is absent. */
const jsonFilesIn = (root: string, sub: string): string[] =>
  isDir(join(root, sub))
    ? readdirSync(join(root, sub), { withFileTypes: true })
        .filter((d) => d.isFile() && d.name.toLowerCase().endsWith('.json'))
        .map((d) => `${sub}/${d.name}`)
        .sort()
    : [];

export function loadConfigDir(
  dir: string,
): { ok: true; config: LoadedConfig } | { ok: false; problems: ConfigProblem[] } {
  const root = resolve(dir);
  if (!isDir(root))
    return {
      ok: false,
      problems: [{ file: '.', path: ROOT_PATH, message: `configuration directory not found: ${root}` }],
    };

  const problems: ConfigProblem[] = [];
  const qDir = join(root, QUESTIONNAIRE_DIR);
  let qFiles: string[] = [];
  if (!isDir(qDir)) {
    problems.push({ file: QUESTIONNAIRE_DIR, path: ROOT_PATH, message: 'folder "questionnaires" not found' });
  } else {
    qFiles = readdirSync(qDir, { withFileTypes: true })
      .filter((d) => d.isFile() && d.name.toLowerCase().endsWith('.json'))
      .map((d) => `${QUESTIONNAIRE_DIR}/${d.name}`)
      .sort();
    if (qFiles.length === 0)
      problems.push({ file: QUESTIONNAIRE_DIR, path: ROOT_PATH, message: 'no questionnaire files (*.json)' });
  }

  const packFiles = jsonFilesIn(root, PACK_DIR);

  // Each file on its own first, so a problem is reported against the file that has it.
  const catalogRaw = readJson(root, CATALOG_FILE, problems);
  if (catalogRaw !== FAILED) validate(Catalog, catalogRaw, CATALOG_FILE, problems);
  const qRaws = qFiles.map((file) => {
    const raw = readJson(root, file, problems);
    if (raw !== FAILED) validate(Questionnaire, raw, file, problems);
    return raw;
  });
  const packRaws = packFiles.map((file) => {
    const raw = readJson(root, file, problems);
    if (raw !== FAILED) validate(LanguagePack, raw, file, problems);
    return raw;
  });
  // Cross-file rules only once every file is sound: otherwise a questionnaire with a typo would
  // also show up as a cascade of "unknown questionnaire" references.
  if (problems.length > 0) return { ok: false, problems };

  const files = [CATALOG_FILE, ...qFiles, ...packFiles];
  const parsed = ConfigBundle.safeParse({
    catalog: catalogRaw,
    questionnaires: qRaws,
    ...(packFiles.length > 0 ? { languagePacks: packRaws } : {}),
  });
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const [head, index, ...rest] = issue.path;
        if (head === 'catalog')
          return { file: CATALOG_FILE, path: pathText(issue.path.slice(1)), message: issueMessage(issue) };
        if (head === 'questionnaires' && typeof index === 'number' && qFiles[index]) {
          return { file: qFiles[index], path: pathText(rest), message: issueMessage(issue) };
        }
        if (head === 'languagePacks' && typeof index === 'number' && packFiles[index])
          return { file: packFiles[index], path: pathText(rest), message: issueMessage(issue) };
        return { file: '.', path: pathText(issue.path), message: issueMessage(issue) };
      }),
    };
  }
  const bundle = parsed.data;
  const hash = createHash('sha256').update(canonicalJson(bundle)).digest('hex');
  return { ok: true, config: { bundle, version: `${bundle.catalog.version}+${hash.slice(0, 12)}`, hash, files } };
}

/**
 * Questionnaire versions the embedded configuration no longer ships but whose answers stay valid
 * (assets/config/retired/*.json, e.g. the nine-indicator per-case version 1): kiosks not yet updated
 * still answer them, and their stored responses are reported under their own version. Central
 * validates and labels them beside the current ones; a kiosk never loads them as its configuration.
 */
export const EMBEDDED_RETIRED_DIR: string = fileURLToPath(new URL('../../assets/config/retired', import.meta.url));

/** The retired embedded questionnaires; throws if one is broken (it ships with the app, a test loads them). */
export const loadRetiredQuestionnaires = (dir: string = EMBEDDED_RETIRED_DIR): Questionnaire[] => {
  if (!isDir(dir)) return [];
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.toLowerCase().endsWith('.json'))
    .map((d) => d.name)
    .sort();
  return files.map((name) => {
    const problems: ConfigProblem[] = [];
    const raw = readJson(dir, name, problems);
    const parsed = raw === FAILED ? undefined : Questionnaire.safeParse(raw);
    if (!parsed?.success)
      throw new Error(
        `retired questionnaire ${name} does not load: ${JSON.stringify(problems.length ? problems : parsed?.error.issues)}`,
      );
    return parsed.data;
  });
};
