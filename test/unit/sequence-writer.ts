// Child process for sequence.test.ts: writes N responses to the given file, printing "seq id" per write.
import { openDatabase } from '../../electron/core/db/open.ts';
import { responseWriter } from '../../electron/core/store/responses.ts';
import { uuidv7 } from '../../shared/ids.ts';

const [file, count] = process.argv.slice(2);
const db = openDatabase(file!);
const write = responseWriter(db);
for (let i = 0; i < Number(count); i++) {
  const id = uuidv7();
  const { seq } = write({
    id,
    questionnaireId: 'quick',
    questionnaireVersion: 1,
    procedureCode: '1.001193',
    fieldCode: 'ho-tich',
    caseNumber: null,
    officerId: null,
    counterId: null,
    locale: 'vi',
    status: 'complete',
    startedAt: new Date().toISOString(),
    submittedAt: new Date().toISOString(),
    durationMs: 1,
    answers: { overall: (i % 5) + 1 },
    flags: { rapidRepeat: false, clockSuspect: false },
  });
  process.stdout.write(`${seq} ${id}\n`);
}
db.close();
