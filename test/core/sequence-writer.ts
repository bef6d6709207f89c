// Child process for sequence.test.ts: writes N responses to the given file, printing "seq id" per write.
import { openDatabase } from '../../electron/core/db/open.ts';
import { responseWriter } from '../../electron/core/store/responses.ts';
import { sampleResponse } from '../support/responses.ts';

const [file, count] = process.argv.slice(2);
const db = openDatabase(file!);
const write = responseWriter(db);
for (let i = 0; i < Number(count); i++) {
  const response = sampleResponse({ answers: { overall: (i % 5) + 1 } });
  const { seq } = write(response);
  const id = response.id;
  process.stdout.write(`${seq} ${id}\n`);
}
db.close();
