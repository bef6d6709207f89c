import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCentral, publishConfig } from '../../central/index.ts';
import { readConfigRefused } from '../../electron/core/sync/published-config.ts';
import { lastGoodConfig } from '../../electron/core/store/config-store.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import type { ConfigBundle } from '../../shared/catalog.ts';
import { makeSigned, privateKeyFrom, sha256Hex } from '../../shared/node/signing.ts';
import { EMBEDDED_CONFIG_DIR, loadConfigDir } from '../../shared/node/config-loader.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { listResponses } from '../../electron/core/store/responses.ts';
import { type TestKiosk, enrolTestKiosk, now, openTestKiosk, startTestCentral, testEngine } from './support/kiosk.ts';
import { fakeAnswers } from '../bench/answers.ts';
import { seededRandom } from '../bench/stats.ts';

/** One central for the file; each test publishes newer configurations to its default unit. */
let central: RunningCentral;
const kiosks: TestKiosk[] = [];
beforeAll(async () => {
  central = await startTestCentral();
});
afterAll(async () => {
  await central?.close();
});
afterEach(() => kiosks.splice(0).forEach((k) => k.close()));

const embedded = () => {
  const loaded = loadConfigDir(EMBEDDED_CONFIG_DIR);
  if (!loaded.ok) throw new Error('embedded config broken');
  return loaded.config;
};

let versionCounter = 0;
/** A new configuration: the catalog version bumped and every questionnaire at a new version with a new title. */
const nextConfig = (tag: string) => {
  const base = embedded().bundle;
  const n = ++versionCounter + 100;
  const bundle: ConfigBundle = structuredClone(base);
  bundle.catalog.version = `test-${tag}-${n}`;
  bundle.questionnaires = bundle.questionnaires.map((q) => ({
    ...q,
    version: q.version + n,
    title: { ...q.title, vi: `${q.title.vi} (${tag})` },
  }));
  const hash = sha256Hex(canonicalJson(bundle));
  return { bundle, version: `${bundle.catalog.version}+${hash.slice(0, 12)}`, hash };
};

/** Puts a document straight into central's configs table (as a broken or malicious central would). */
const publishRaw = async (version: string, document: string) => {
  await central.db.query(
    'INSERT INTO configs (unit_id, version, hash, document, published_at) VALUES ($1, $2, $3, $4, $5)',
    [central.defaultUnit.id, version, sha256Hex(document), document, new Date()],
  );
};

const signAsCentral = (value: unknown) =>
  JSON.stringify(makeSigned('kconfig', 'central', value, privateKeyFrom(central.centralKey.privateKey)));

const enrolled = async () => {
  const kiosk = openTestKiosk();
  kiosks.push(kiosk);
  await enrolTestKiosk(kiosk, central);
  return kiosk;
};

const answer = (kiosk: TestKiosk, draft: { draftId: string; questionnaire: Questionnaire }) => {
  const r = now(
    kiosk.core.submitResponse({
      draftId: draft.draftId,
      locale: 'vi',
      answers: fakeAnswers(draft.questionnaire, seededRandom(3), { status: 'complete' }),
    }),
  );
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

describe('configuration from central', () => {
  it('is pulled with If-None-Match, verified, and applied between respondents', async () => {
    const kiosk = await enrolled();
    const engine = testEngine(kiosk);
    // Central publishes the embedded bundle at start (this test runs first), under a version that names
    // its contact key: the kiosk takes it, for the key (the bundle is the one it already runs).
    expect(await engine.runOnce()).toMatchObject({ ok: true, config: 'applied' });
    expect(kiosk.core.config().version).toMatch(/\.k[0-9a-f]{6}$/);
    const before = kiosk.core.config().version;

    const next = nextConfig('apply');
    await publishConfig(central.db, {
      unitId: central.defaultUnit.id,
      config: next,
      centralKey: central.centralKey,
      settings: { thankYouSeconds: 9 },
    });
    // A respondent is in the middle of a survey when the new config arrives.
    const inProgress = now(kiosk.core.beginResponse({}));
    if (!inProgress.ok) throw new Error('begin failed');
    const r = await engine.runOnce();
    expect(r).toMatchObject({ ok: true, config: 'applied' });
    const applied = kiosk.core.config().version;
    expect(applied).not.toBe(before);
    expect(applied).toMatch(/^test-apply-/);
    expect(r.configVersion).toBe(applied);
    // The survey in progress finishes on the version it started with...
    const first = answer(kiosk, inProgress.value);
    // ...and the next respondent gets the new one.
    const nextDraft = now(kiosk.core.beginResponse({}));
    if (!nextDraft.ok) throw new Error('begin failed');
    const second = answer(kiosk, nextDraft.value);
    const rows = listResponses(kiosk.db, kiosk.deviceId);
    const byId = new Map(rows.map((x) => [x.id, x]));
    expect(byId.get(first.id)!.questionnaireVersion).toBe(inProgress.value.questionnaire.version);
    const newQ = next.bundle.questionnaires.find((q) => q.id === nextDraft.value.questionnaire.id)!;
    expect(nextDraft.value.questionnaire.version).toBe(newQ.version);
    expect(byId.get(second.id)!.questionnaireVersion).toBe(newQ.version);
    expect(byId.get(first.id)!.questionnaireVersion).not.toBe(newQ.version);
    // Settings travel with it.
    const state = now(kiosk.core.getKioskState({}));
    expect(state.ok && state.value.settings.thankYouSeconds).toBe(9);
    // Unchanged now: If-None-Match gets a 304.
    expect(await engine.runOnce()).toMatchObject({ ok: true, config: 'unchanged' });
    // Both responses reach central (old and new questionnaire versions alike).
    expect(await engine.runOnce()).toMatchObject({ ok: true, queueDepth: 0 });
    // After a restart the kiosk still runs central's configuration, not the embedded one.
    await engine.stop();
    kiosk.core.close();
    const { openKioskCore } = await import('../../electron/core/kiosk-core.ts');
    const reopened = openKioskCore({ dataDir: kiosk.dataDir, log: () => {} });
    expect(reopened.config().version).toBe(applied);
    reopened.close();
  });

  it('pulls at once when a heartbeat says central wants another version', async () => {
    const kiosk = await enrolled();
    const engine = testEngine(kiosk, { configIntervalMs: 3_600_000 });
    // (central's unit may already carry an earlier test's configuration: take whatever it has)
    expect(await engine.runOnce()).toMatchObject({ ok: true, config: expect.stringMatching(/unchanged|applied/) });
    const next = nextConfig('hb');
    const published = await publishConfig(central.db, {
      unitId: central.defaultUnit.id,
      config: next,
      centralKey: central.centralKey,
    });
    // config: false = not due by the clock; the heartbeat reply names the new version.
    expect(await engine.runOnce({ config: false })).toMatchObject({ ok: true, config: 'applied' });
    expect(kiosk.core.config().version).toBe(published.version);
    await engine.stop();
  });

  it('refuses a bad configuration, reports it, and keeps running on the last good one', async () => {
    const kiosk = await enrolled();
    const engine = testEngine(kiosk);
    await engine.runOnce();
    const good = nextConfig('good');
    const goodVersion = (
      await publishConfig(central.db, { unitId: central.defaultUnit.id, config: good, centralKey: central.centralKey })
    ).version;
    expect(await engine.runOnce()).toMatchObject({ config: 'applied' });
    expect(kiosk.core.config().version).toBe(goodVersion);

    // 1. Altered after signing: the signature no longer matches central's key.
    const tamperedBundle = nextConfig('tampered');
    const doc = JSON.parse(
      signAsCentral({
        version: tamperedBundle.version,
        publishedAt: new Date().toISOString(),
        bundle: tamperedBundle.bundle,
      }),
    ) as { payload: string };
    const payload = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as { bundle: ConfigBundle };
    payload.bundle.catalog.fields[0]!.name.vi = 'Lĩnh vực giả';
    doc.payload = Buffer.from(JSON.stringify(payload)).toString('base64url');
    await publishRaw(tamperedBundle.version, JSON.stringify(doc));
    let r = await engine.runOnce();
    expect(r).toMatchObject({ ok: true, config: 'refused' });
    expect(r.configProblems.join(' ')).toMatch(/bad_signature/);
    expect(kiosk.core.config().version).toBe(goodVersion);
    expect(readConfigRefused(kiosk.db)).toMatchObject({ problems: [expect.stringMatching(/signature/)] });
    expect(engine.status().configRefused).not.toBeNull();

    // 2. Signed, but not a valid configuration (a procedure in a field that does not exist).
    const invalid = nextConfig('invalid');
    invalid.bundle.catalog.procedures[0] = { ...invalid.bundle.catalog.procedures[0]!, field: 'no-such-field' };
    await publishRaw(
      invalid.version,
      signAsCentral({ version: invalid.version, publishedAt: new Date().toISOString(), bundle: invalid.bundle }),
    );
    r = await engine.runOnce();
    expect(r).toMatchObject({ config: 'refused' });
    expect(r.configProblems.join(' ')).toMatch(/bundle\.catalog\.procedures\.0\.field|unknown field/);
    expect(kiosk.core.config().version).toBe(goodVersion);

    // 3. Signed and valid, but a questionnaire this kiosk holds changed without a new version number.
    const rewritten = nextConfig('rewrite');
    const kept = good.bundle.questionnaires[0]!;
    rewritten.bundle.questionnaires[0] = { ...kept, title: { ...kept.title, vi: 'Nội dung khác, cùng số phiên bản' } };
    await publishRaw(
      `${rewritten.version}-x`,
      signAsCentral({
        version: `${rewritten.version}-x`,
        publishedAt: new Date().toISOString(),
        bundle: rewritten.bundle,
      }),
    );
    r = await engine.runOnce();
    expect(r).toMatchObject({ config: 'refused' });
    expect(r.configProblems.join(' ')).toMatch(/changed without a new version number/);
    expect(kiosk.core.config().version).toBe(goodVersion);
    expect(lastGoodConfig(kiosk.db)?.version).toBe(goodVersion);
    // The kiosk keeps serving citizens on the last good configuration throughout.
    const draft = now(kiosk.core.beginResponse({}));
    expect(draft.ok).toBe(true);

    // A good configuration afterwards is applied again, and the refusal is cleared.
    const recovered = nextConfig('recovered');
    const recoveredVersion = (
      await publishConfig(central.db, {
        unitId: central.defaultUnit.id,
        config: recovered,
        centralKey: central.centralKey,
      })
    ).version;
    expect(await engine.runOnce()).toMatchObject({ config: 'applied' });
    expect(kiosk.core.config().version).toBe(recoveredVersion);
    expect(readConfigRefused(kiosk.db)).toBeUndefined();
    await engine.stop();
  });
});
