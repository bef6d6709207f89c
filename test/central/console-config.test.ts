import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { z } from 'zod';
import { Int } from '../../central/db/rows.ts';
import { buildDraft } from '../../central/ops/config-drafts.ts';
import { questionnaireHash } from '../../central/ops/configs.ts';
import { ensureUnit, latestConfig, publishConfig } from '../../central/index.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import { openSigned, publicKeyFrom } from '../../shared/node/signing.ts';
import { PublishedConfig, Signed } from '../../shared/sync.ts';
import { type TestCentral, enrolled, signedFetch } from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const embedded = () => {
  const l = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!l.ok) throw new Error('embedded config broken');
  return l.config;
};
const quickText = readFileSync(join(EMBEDDED_CONFIG_DIR, 'questionnaires', 'quick.json'), 'utf8');
const quick = () =>
  JSON.parse(quickText) as Record<string, unknown> & {
    version: number;
    title: Record<string, string>;
    questions: Record<string, unknown>[];
  };
const bytes = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v, null, 2));

test('a draft names every problem by file and field, with the loader own words', () => {
  const base = embedded().bundle;
  const broken = buildDraft(base, { fileName: 'quick.json', bytes: bytes('{\n  "id": "quick",\n  "version": 2,\n}') });
  expect(broken).toMatchObject({
    ok: false,
    problems: [
      {
        file: 'quick.json',
        path: '(root)',
        message: expect.stringMatching(/JSON syntax error at line \d+, column \d+/),
      },
    ],
  });

  const badType = quick();
  badType.version = 2;
  badType.questions[0]!['type'] = 'stars';
  const typed = buildDraft(base, { fileName: 'quick-v2.json', bytes: bytes(badType) });
  expect(typed.ok).toBe(false);
  if (!typed.ok)
    expect(typed.problems.map((p) => [p.file, p.path])).toContainEqual(['quick-v2.json', 'questions.0.type']);

  // A misspelt key in a question is an error naming it, never silently dropped.
  const misspelt = quick();
  misspelt.version = 2;
  misspelt.questions[1]!['showif'] = { question: 'overall', op: 'lte', value: 2 };
  const strict = buildDraft(base, { fileName: 'q.json', bytes: bytes(misspelt) });
  expect(strict.ok).toBe(false);
  if (!strict.ok)
    expect(strict.problems.map((p) => [p.file, p.path, p.message])).toContainEqual([
      'q.json',
      'questions.1',
      expect.stringMatching(/showif/),
    ]);

  const catalog = JSON.parse(readFileSync(join(EMBEDDED_CONFIG_DIR, 'catalog.json'), 'utf8')) as {
    fields: { questionnaire: string }[];
  };
  catalog.fields[0]!.questionnaire = 'no-such-questionnaire';
  const cat = buildDraft(base, { fileName: 'catalog.json', bytes: bytes(catalog) });
  expect(cat).toMatchObject({
    ok: false,
    problems: [
      { file: 'catalog.json', path: 'fields.0.questionnaire', message: expect.stringMatching(/unknown questionnaire/) },
    ],
  });

  expect(buildDraft(base, { fileName: 'x.json', bytes: bytes({ hello: 1 }) })).toMatchObject({
    ok: false,
    problems: [{ path: '(root)', message: expect.stringMatching(/not a catalog/) }],
  });
  expect(buildDraft(base, { fileName: 'x.json', bytes: Buffer.from([0xff, 0xfe, 0x00]) })).toMatchObject({
    ok: false,
    problems: [{ message: expect.stringMatching(/UTF-8/) }],
  });
  expect(buildDraft(base, { fileName: 'x.json', bytes: Buffer.alloc(0) })).toMatchObject({ ok: false });

  // Same id and version, other content: refused here already, not only at publication.
  const sneaky = quick();
  sneaky.title = { ...sneaky.title, vi: 'Đổi tiêu đề mà không tăng phiên bản' };
  const published = base.questionnaires.map((q) => ({ id: q.id, version: q.version, hash: questionnaireHash(q) }));
  expect(buildDraft(base, { fileName: 'quick.json', bytes: bytes(sneaky) }, published)).toMatchObject({
    ok: false,
    problems: [{ file: 'quick.json', path: 'version' }],
  });

  const next = { ...quick(), version: 2 };
  const ok = buildDraft(base, { fileName: 'quick.json', bytes: bytes(next) }, published);
  expect(ok).toMatchObject({
    ok: true,
    change: { kind: 'questionnaire', id: 'quick', fromVersion: '1', toVersion: '2' },
  });
  if (ok.ok)
    expect(ok.loaded.bundle.questionnaires.map((q) => `${q.id}@${q.version}`)).toEqual(
      base.questionnaires.map((q) => `${q.id}@${q.id === 'quick' ? 2 : q.version}`),
    );
});

forEachBackend('console: configuration drafts and publication', (backend) => {
  const central = sharedCentral(backend);
  const counts = async (c: TestCentral) =>
    z
      .object({ drafts: Int, configs: Int })
      .parse(
        (
          await c.db.query(
            'SELECT (SELECT count(*) FROM config_drafts) AS drafts, (SELECT count(*) FROM configs) AS configs',
          )
        ).rows[0],
      );

  const admin = async () => {
    const c = central();
    const name = `it-cfg-${Math.floor(Math.random() * 1e6)}`;
    await makeAccount(c.db, name);
    const client = new ConsoleClient(c.url);
    await client.login(name);
    await client.get('/config');
    return client;
  };

  test('bad uploads (wrong type, too large, broken JSON, invalid field) show their problems and store nothing', async () => {
    const client = await admin();
    const before = await counts(central());
    const cases: [string, Uint8Array, RegExp][] = [
      ['quick.txt', bytes(quick()), /không phải tệp \.json/i],
      ['huge.json', Buffer.alloc(5 * 1024 * 1024 + 10, 0x20), /quá lớn/],
      ['broken.json', bytes('{ "id": "quick", '), /JSON syntax error at line 1/],
      [
        'bad.json',
        bytes({ ...quick(), version: 3, questions: [{ id: 'q', type: 'stars', text: { vi: 'x' } }] }),
        /data-path="questions\.0\.type"/,
      ],
    ];
    for (const [name, body, pattern] of cases) {
      const page = await client.postMultipart('/config/drafts', [{ field: 'file', name, bytes: body }], {
        baseUnit: 'default',
        kind: 'auto',
      });
      expect(page.status, name).toBe(400);
      expect(page.text, name).toMatch(pattern);
    }
    expect((await client.postMultipart('/config/drafts', [], { baseUnit: 'default' })).status).toBe(400);
    expect(await counts(central())).toEqual(before);
  });

  test('a new questionnaire version: validated, kept as a draft, published to the chosen units only, served to their kiosks', async () => {
    const c = central();
    await ensureUnit(c.db, { id: 'xa-b', name: 'Xã B' });
    await ensureUnit(c.db, { id: 'xa-c', name: 'Xã C' });
    // Unit xa-b has its own settings, which must survive a publication of a questionnaire.
    await publishConfig(c.db, {
      unitId: 'xa-b',
      config: embedded(),
      settings: { idleSeconds: 90 },
      centralKey: c.centralKey,
    });
    const kioskB = await enrolled(c, undefined, 'xa-b');
    const kioskC = await enrolled(c, undefined, 'xa-c');
    const client = await admin();
    const v = 100 + Math.floor(Math.random() * 1000);
    const next = { ...quick(), version: v, title: { vi: `Đánh giá nhanh (bản ${v})`, en: `Quick survey (v${v})` } };
    const upload = await client.postMultipart(
      '/config/drafts',
      [{ field: 'file', name: 'quick.json', bytes: bytes(next) }],
      { baseUnit: 'default', kind: 'questionnaire' },
    );
    expect(upload.status).toBe(303);
    const draftPage = await client.get(upload.location!.replace(/^\/console/, ''));
    expect(draftPage.text).toContain(`Đánh giá nhanh (bản ${v})`);
    const draftId = /\/config\/drafts\/(\d+)\?/.exec(upload.location!)![1];
    const none = await client.post(`/config/drafts/${draftId}/publish`, {});
    expect(none.status).toBe(400);
    const unknown = await client.post(`/config/drafts/${draftId}/publish`, { units: ['xa-b', 'khong-co'] });
    expect(unknown.status).toBe(400);
    const before = await counts(c);
    expect(before.configs).toBeGreaterThan(0);
    const published = await client.post(`/config/drafts/${draftId}/publish`, { units: ['default', 'xa-b'] });
    expect(published.status).toBe(200);
    expect(
      [...published.text.matchAll(/data-testid="publish-result" data-unit="([^"]+)" data-status="([^"]+)"/g)].map(
        (m) => [m[1], m[2]],
      ),
    ).toEqual([
      ['default', 'published'],
      ['xa-b', 'published'],
    ]);
    expect((await counts(c)).configs).toBe(before.configs + 2);
    // Publishing the same again changes nothing.
    const again = await client.post(`/config/drafts/${draftId}/publish`, { units: ['default'] });
    expect(again.text).toMatch(/data-status="unchanged"/);

    const served = await signedFetch(c, kioskB, 'GET', '/v1/config');
    expect(served.status).toBe(200);
    const doc = openSigned(Signed.parse(await served.json()), publicKeyFrom(c.centralKey.publicKey));
    if (!doc.ok) throw new Error(doc.message);
    const config = PublishedConfig.parse(doc.value);
    expect(config.bundle.questionnaires.find((q) => q.id === 'quick')?.version).toBe(v);
    expect(config.settings).toEqual({ idleSeconds: 90 });
    // xa-c was not chosen: it still has nothing.
    expect(await latestConfig(c.db, 'xa-c')).toBeUndefined();
    expect((await signedFetch(c, kioskC, 'GET', '/v1/config')).status).toBe(204);
    const audit = (
      await c.db.query(
        `SELECT detail->>'unit' AS unit, detail->>'status' AS status FROM admin_audit WHERE action = 'config_published' ORDER BY id`,
      )
    ).rows;
    expect(audit).toEqual(expect.arrayContaining([{ unit: 'xa-b', status: 'published' }]));
  });
});
