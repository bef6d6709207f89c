// Text PostgreSQL cannot store (U+0000, a lone UTF-16 surrogate) passes through JSON untouched. It
// used to reach central's INSERT and fail there as 500 internal, which a kiosk retries for ever. Now
// the kiosk refuses it at submit, its batch builder names the seq of an old row holding it, and central
// answers 400 naming the field (test/central/error-paths.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { BatchBuildError, createBatchBuilder } from '../../electron/core/sync/batch-builder.ts';
import { ensureDeviceKey } from '../../electron/core/sync/device-key.ts';
import { checkAnswers } from '../../shared/answers.ts';
import { privateKeyFrom } from '../../shared/node/signing.ts';
import { isStorableText } from '../../shared/text.ts';
import { type TestKiosk, insertBacklog, now, openTestKiosk } from './support/kiosk.ts';

const kiosks: TestKiosk[] = [];
afterEach(() => kiosks.splice(0).forEach((k) => k.close()));

describe('text that cannot be stored', () => {
  it('isStorableText refuses U+0000 and lone surrogates, and accepts every well-formed text', () => {
    expect(isStorableText('Cán bộ nhiệt tình 👍')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('a\ud800b')).toBe(false);
    expect(isStorableText('\udc00')).toBe(false);
    expect(isStorableText('tail \ud83d')).toBe(false);
    expect(isStorableText('\ud83d\udc4d')).toBe(true);
  });

  it('is refused at submit: the respondent sees a validation error, nothing is stored', () => {
    const kiosk = openTestKiosk();
    kiosks.push(kiosk);
    const begun = now(kiosk.core.beginResponse({}));
    if (!begun.ok) throw new Error('begin failed');
    const q = begun.value.questionnaire;
    const text = q.questions.find((x) => x.type === 'text');
    if (!text) throw new Error('the default questionnaire has no text question');
    expect(checkAnswers(q, { [text.id]: 'Tốt \ud800' }, 'abandoned')).toEqual([
      { question: text.id, message: expect.stringMatching(/not valid Unicode/) },
    ]);
    const r = now(
      kiosk.core.abandonResponse({ draftId: begun.value.draftId, locale: 'vi', answers: { [text.id]: 'Tốt \ud800' } }),
    );
    expect(r.ok).toBe(false);
    expect((kiosk.db.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n).toBe(0);
  });

  it('already stored (an older kiosk), it stops the batch builder with the seq and the field', async () => {
    const kiosk = openTestKiosk();
    kiosks.push(kiosk);
    insertBacklog(kiosk.core, 5);
    kiosk.db
      .prepare(`UPDATE responses SET answers = json_set(answers, '$.comment', json('"a\\ud800b"')) WHERE seq = 3`)
      .run();
    const builder = createBatchBuilder({
      db: kiosk.db,
      deviceId: kiosk.deviceId,
      privateKey: privateKeyFrom(ensureDeviceKey(kiosk.dataDir, kiosk.deviceId).privateKey),
    });
    const failed = await builder.build(1, 5).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(BatchBuildError);
    expect(failed).toMatchObject({ code: 'response_invalid', seq: 3, field: 'responses.2.answers.comment' });
  });
});
