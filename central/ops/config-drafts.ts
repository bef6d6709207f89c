import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigBundle } from '../../shared/catalog.ts';
import { type ConfigProblem, type LoadedConfig, loadConfigDir } from '../../shared/node/config-loader.ts';
import { Int, Timestamp, firstRow, parseRows } from '../db/rows.ts';
import type { Queryable } from '../db/types.ts';
import { questionnaireHash } from './configs.ts';

/**
 * A configuration draft: one uploaded file (a catalog, one questionnaire, or one language pack) laid over a unit's
 * current configuration, validated by the same loader the kiosk and centralctl use
 * (shared/node/config-loader.ts), so every problem is named by file and field path exactly as
 * `centralctl publish-config` would name it. Only a draft that validates is stored.
 */
export const MAX_CONFIG_FILE_BYTES = 5 * 1024 * 1024;

export type DraftKind = 'catalog' | 'questionnaire' | 'languagePack';
export type DraftChange = { kind: DraftKind; id: string; fromVersion: string | null; toVersion: string };
export type BuiltDraft =
  { ok: true; loaded: LoadedConfig; change: DraftChange } | { ok: false; problems: ConfigProblem[] };

const CATALOG = 'catalog.json';
const qFile = (i: number): string => `questionnaires/${String(i).padStart(3, '0')}.json`;
const packFile = (i: number): string => `language-packs/${String(i).padStart(3, '0')}.json`;

/** Runs the loader on these files in a scratch directory; the directory is removed whatever happens. */
const loadFiles = (files: Map<string, string>): ReturnType<typeof loadConfigDir> => {
  const dir = mkdtempSync(join(tmpdir(), 'central-config-draft-'));
  try {
    mkdirSync(join(dir, 'questionnaires'));
    mkdirSync(join(dir, 'language-packs'));
    for (const [name, text] of files) writeFileSync(join(dir, ...name.split('/')), text);
    return loadConfigDir(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const kindOf = (value: unknown): DraftKind | null => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  if ('questions' in value) return 'questionnaire';
  if ('ui' in value && 'locale' in value) return 'languagePack';
  if ('procedures' in value || 'fields' in value) return 'catalog';
  return null;
};

/** The base's language packs, except the one for `replaced` (the uploaded pack's language). */
const keepPacks = (base: ConfigBundle, files: Map<string, string>, labels: Map<string, string>, replaced?: unknown) => {
  (base.languagePacks ?? []).forEach((p, i) => {
    if (p.locale === replaced) return;
    files.set(packFile(i), JSON.stringify(p));
    labels.set(packFile(i), `language pack "${p.locale}" (current)`);
  });
};

/**
 * Lays `upload` over `base` and validates the result. `kind` 'auto' tells a catalog (fields,
 * procedures) from a questionnaire (questions) and a language pack (locale, ui) by its content. A
 * questionnaire replaces the base's one with the same id, a pack the one for its language, or is added. Problems in the uploaded file carry its own name.
 */
export const buildDraft = (
  base: ConfigBundle,
  upload: { fileName: string; bytes: Uint8Array; kind?: DraftKind | 'auto' },
  published: readonly { id: string; version: number; hash: string }[] = [],
): BuiltDraft => {
  const name = upload.fileName;
  const one = (path: string, message: string): BuiltDraft => ({ ok: false, problems: [{ file: name, path, message }] });
  if (upload.bytes.length === 0) return one('(root)', 'the file is empty');
  if (upload.bytes.length > MAX_CONFIG_FILE_BYTES)
    return one('(root)', `file is too large (${upload.bytes.length} bytes; at most ${MAX_CONFIG_FILE_BYTES})`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(upload.bytes);
  } catch {
    return one('(root)', 'not UTF-8 text: expected a JSON file');
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    // The loader words syntax errors with line and column: let it read the file on its own.
    const loaded = loadFiles(new Map([[CATALOG, text]]));
    const problems = loaded.ok
      ? []
      : loaded.problems.filter((p) => p.file === CATALOG).map((p) => ({ ...p, file: name }));
    return {
      ok: false,
      problems: problems.length > 0 ? problems : [{ file: name, path: '(root)', message: 'JSON syntax error' }],
    };
  }
  const detected = kindOf(value);
  const kind = upload.kind && upload.kind !== 'auto' ? upload.kind : detected;
  if (!kind)
    return one(
      '(root)',
      'not a catalog (with "fields" and "procedures"), a questionnaire (with "questions") nor a language pack (with "locale" and "ui")',
    );

  const files = new Map<string, string>();
  const labels = new Map<string, string>();
  let uploadedPath: string;
  let fromVersion: string | null = null;
  if (kind === 'languagePack') {
    files.set(CATALOG, JSON.stringify(base.catalog));
    labels.set(CATALOG, 'catalog (current)');
    base.questionnaires.forEach((q, i) => {
      files.set(qFile(i), JSON.stringify(q));
      labels.set(qFile(i), `questionnaire "${q.id}" (current)`);
    });
    const locale = (value as { locale?: unknown }).locale;
    fromVersion = base.languagePacks?.some((p) => p.locale === locale) ? String(locale) : null;
    keepPacks(base, files, labels, locale);
    uploadedPath = packFile(base.languagePacks?.length ?? 0);
    files.set(uploadedPath, text);
  } else if (kind === 'catalog') {
    keepPacks(base, files, labels);
    files.set(CATALOG, text);
    uploadedPath = CATALOG;
    fromVersion = base.catalog.version;
    base.questionnaires.forEach((q, i) => {
      files.set(qFile(i), JSON.stringify(q));
      labels.set(qFile(i), `questionnaire "${q.id}" (current)`);
    });
  } else {
    keepPacks(base, files, labels);
    files.set(CATALOG, JSON.stringify(base.catalog));
    labels.set(CATALOG, 'catalog (current)');
    const id = (value as { id?: unknown }).id;
    const at = base.questionnaires.findIndex((q) => q.id === id);
    fromVersion = at >= 0 ? String(base.questionnaires[at]!.version) : null;
    base.questionnaires.forEach((q, i) => {
      if (i === at) return;
      files.set(qFile(i), JSON.stringify(q));
      labels.set(qFile(i), `questionnaire "${q.id}" (current)`);
    });
    uploadedPath = qFile(at >= 0 ? at : base.questionnaires.length);
    files.set(uploadedPath, text);
  }
  const loaded = loadFiles(files);
  if (!loaded.ok)
    return {
      ok: false,
      problems: loaded.problems.map((p) => ({
        ...p,
        file: p.file === uploadedPath ? name : (labels.get(p.file) ?? p.file),
      })),
    };

  const bundle = loaded.config.bundle;
  const changed =
    kind === 'catalog'
      ? { kind, id: 'catalog', fromVersion, toVersion: bundle.catalog.version }
      : kind === 'languagePack'
        ? {
            kind,
            id: String((value as { locale: unknown }).locale),
            fromVersion,
            toVersion: String((value as { locale: unknown }).locale),
          }
        : (() => {
            const q = bundle.questionnaires.find((x) => x.id === (value as { id: string }).id)!;
            return { kind, id: q.id, fromVersion, toVersion: String(q.version) };
          })();
  // The same (id, version) must never change meaning: refuse now rather than at publication.
  const problems = bundle.questionnaires.flatMap((q) => {
    const prior = published.find((p) => p.id === q.id && p.version === q.version);
    return prior && prior.hash !== questionnaireHash(q)
      ? [
          {
            file: kind === 'questionnaire' && q.id === changed.id ? name : `questionnaire "${q.id}"`,
            path: 'version',
            message: `questionnaire "${q.id}" version ${q.version} was already published with other content; raise "version"`,
          },
        ]
      : [];
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, loaded: loaded.config, change: changed };
};

const Published = z.object({ id: z.string(), version: Int, hash: z.string() });
export const publishedQuestionnaires = async (
  db: Queryable,
): Promise<{ id: string; version: number; hash: string }[]> =>
  parseRows(Published, await db.query('SELECT id, version, hash FROM questionnaires'));

export type ConfigDraft = {
  id: number;
  createdAt: Date;
  createdBy: string;
  baseUnitId: string | null;
  fileName: string;
  version: string;
  hash: string;
  bundle: ConfigBundle;
};

const DraftRow = z.object({
  id: Int,
  created_at: Timestamp,
  created_by: z.string(),
  base_unit_id: z.string().nullable(),
  file_name: z.string(),
  version: z.string(),
  hash: z.string(),
  bundle: z.unknown(),
});

const toDraft = (r: z.infer<typeof DraftRow>): ConfigDraft => ({
  id: r.id,
  createdAt: r.created_at,
  createdBy: r.created_by,
  baseUnitId: r.base_unit_id,
  fileName: r.file_name,
  version: r.version,
  hash: r.hash,
  // Parsed again on the way out: a row is a boundary like any other.
  bundle: ConfigBundle.parse(r.bundle),
});

export const saveDraft = async (
  db: Queryable,
  d: { createdBy: string; baseUnitId: string | null; fileName: string; loaded: LoadedConfig; now: Date },
): Promise<number> => {
  const row = firstRow(
    z.object({ id: Int }),
    await db.query(
      'INSERT INTO config_drafts (created_at, created_by, base_unit_id, file_name, version, hash, bundle) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id',
      [
        d.now,
        d.createdBy,
        d.baseUnitId,
        d.fileName.slice(0, 200),
        d.loaded.version,
        d.loaded.hash,
        JSON.stringify(d.loaded.bundle),
      ],
    ),
  );
  if (!row) throw new Error('draft not stored');
  return row.id;
};

export const getDraft = async (db: Queryable, id: number): Promise<ConfigDraft | undefined> => {
  const row = firstRow(
    DraftRow,
    await db.query(
      'SELECT id, created_at, created_by, base_unit_id, file_name, version, hash, bundle FROM config_drafts WHERE id = $1',
      [id],
    ),
  );
  return row && toDraft(row);
};

export const listDrafts = async (db: Queryable, limit = 20): Promise<Omit<ConfigDraft, 'bundle'>[]> =>
  parseRows(
    DraftRow.omit({ bundle: true }),
    await db.query(
      'SELECT id, created_at, created_by, base_unit_id, file_name, version, hash FROM config_drafts ORDER BY id DESC LIMIT $1',
      [limit],
    ),
  ).map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    baseUnitId: r.base_unit_id,
    fileName: r.file_name,
    version: r.version,
    hash: r.hash,
  }));
