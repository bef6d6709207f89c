// Child process of crash.test.ts: a kiosk core answering respondents as fast as it can, until the
// parent SIGKILLs it. Prints "ACK <seq> <id>" after each stored response is acknowledged by the core,
// i.e. at the moment the UI would tell the respondent "saved". Any unexpected result exits 3.
//
// usage: crash-child <dataDir> <seed>
import { writeSync } from 'node:fs';
import { openKioskCore } from '../../electron/core/kiosk-core.ts';
import { setSetting } from '../../electron/core/store/settings.ts';
import { dispatch } from '../../shared/api.ts';
import type { Result } from '../../shared/api.ts';
import type { Questionnaire } from '../../shared/questionnaire.ts';
import { buildAnswers, prng } from '../support/kiosk.ts';

const [dataDir, seedArg] = process.argv.slice(2);
if (!dataDir || !seedArg) {
  process.stderr.write('usage: crash-child <dataDir> <seed>\n');
  process.exit(2);
}
const rng = prng(Number(seedArg));
const PROCEDURES = ['1.001193', '1.001776', '1.001612', '2.000815'];

// Annotated, so that a call narrows like `throw` does.
const die: (message: string) => never = (message) => {
  writeSync(2, `ERR ${message}\n`);
  process.exit(3);
};

/** fd 1 is a pipe: a synchronous write of one short line is atomic, so the parent sees whole lines. */
const ack = (seq: number, id: string) => writeSync(1, `ACK ${seq} ${id}\n`);

const must = async <T>(what: string, p: Promise<Result<unknown>>): Promise<T> => {
  const r = await p;
  if (!r.ok) die(`${what}: ${JSON.stringify(r.error)}`);
  return (r as { ok: true; value: T }).value;
};

const core = openKioskCore({ dataDir, log: () => {} });
// Many respondents per case here (durability, not the policy): repeats are kept, flagged, never refused.
setSetting(core.db, 'repeatCasePolicy', 'flag');
const call = <T>(method: string, input: unknown) => must<T>(method, dispatch(core, method, input));

type Begun = { draftId: string; questionnaire: Questionnaire };
type Stored = { id: string; seq: number };

let session = (await call<{ session: string }>('staffUnlock', { pin: '1357' })).session;

const begin = () => call<Begun>('beginResponse', {});
const submit = async (b: Begun): Promise<Stored> => {
  const r = await call<Stored>('submitResponse', {
    draftId: b.draftId,
    locale: rng() < 0.8 ? 'vi' : 'en',
    answers: buildAnswers(b.questionnaire, { rng }),
  });
  if (r.id !== b.draftId) die(`stored under ${r.id}, not the draft id ${b.draftId}`);
  ack(r.seq, r.id);
  return r;
};

writeSync(1, 'READY\n');
for (;;) {
  const roll = rng();
  if (roll < 0.08) {
    const r = await dispatch(core, 'setAssignment', {
      session,
      procedureCode: PROCEDURES[Math.floor(rng() * PROCEDURES.length)],
      caseNumber: rng() < 0.5 ? `HS-${Math.floor(rng() * 1e6)}` : null,
    });
    if (!r.ok && r.error.code === 'session_expired')
      session = (await call<{ session: string }>('staffUnlock', { pin: '1357' })).session;
    else if (!r.ok) die(`setAssignment: ${JSON.stringify(r.error)}`);
  } else if (roll < 0.2) {
    // A respondent walks away part-way (the default policy keeps it).
    const b = await begin();
    const answers = buildAnswers(b.questionnaire, { rng, limit: Math.floor(rng() * 4) });
    const r = await call<{ stored: boolean; id: string | null; seq: number | null }>('abandonResponse', {
      draftId: b.draftId,
      locale: 'vi',
      answers,
    });
    if (!r.stored || r.id !== b.draftId || r.seq === null) die(`abandon not stored: ${JSON.stringify(r)}`);
    ack(r.seq, r.id);
  } else if (roll < 0.4) {
    // Two submits in flight at once (a double tap, or a retry racing the first attempt).
    const [a, b] = [await begin(), await begin()];
    const [ra, rb] = await Promise.all([submit(a), submit(b)]);
    if (ra.seq === rb.seq) die(`two responses got seq ${ra.seq}`);
  } else {
    const b = await begin();
    const first = await submit(b);
    if (rng() < 0.15) {
      // The reply was lost; the UI retries the same draft.
      const again = await call<Stored>('submitResponse', {
        draftId: b.draftId,
        locale: 'vi',
        answers: buildAnswers(b.questionnaire, { rng }),
      });
      if (again.id !== first.id || again.seq !== first.seq)
        die(`retry gave ${JSON.stringify(again)}, first was ${JSON.stringify(first)}`);
    }
  }
  // Now and then let timers and I/O run, as a real event loop would between taps.
  if (rng() < 0.1) await new Promise((r) => setImmediate(r));
}
