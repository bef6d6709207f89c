import { fork } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/db/open.ts';
import { responseWriter, sequenceGaps } from '../../electron/core/store/responses.ts';
import { sampleResponse } from '../support/responses.ts';
import { tempDir } from '../support/tmp.ts';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const setup = () => {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const file = join(t.dir, 'kiosk.sqlite');
  const db = openDatabase(file);
  db.prepare("INSERT INTO questionnaires (id, version, hash, body) VALUES ('quick', 1, 'h', '{}')").run();
  return { file, db };
};

describe('per-device sequence', () => {
  it('is 1..n in insert order and idempotent by response id', () => {
    const { db } = setup();
    const write = responseWriter(db);
    const first = sampleResponse();
    expect(write(first)).toEqual({ seq: 1, inserted: true });
    expect(write(sampleResponse())).toEqual({ seq: 2, inserted: true });
    expect(write(first)).toEqual({ seq: 1, inserted: false });
    expect(write(sampleResponse({ status: 'abandoned' }))).toEqual({ seq: 3, inserted: true });
    expect(sequenceGaps(db)).toEqual([]);
    db.close();
  });

  it('a failed insert (bad foreign key) consumes no sequence number', () => {
    const { db } = setup();
    const write = responseWriter(db);
    write(sampleResponse());
    expect(() => write(sampleResponse({ questionnaireId: 'missing' }))).toThrow(/FOREIGN KEY/);
    expect(write(sampleResponse()).seq).toBe(2);
    db.close();
  });

  it('stays gap-free with several processes writing to one file at once', async () => {
    const { file, db } = setup();
    db.close();
    const writers = 4;
    const each = 150;
    const child = join(import.meta.dirname, 'sequence-writer.ts');
    const results = await Promise.all(
      Array.from(
        { length: writers },
        () =>
          new Promise<string[]>((resolve, reject) => {
            const ids: string[] = [];
            const p = fork(child, [file, String(each)], {
              execArgv: ['--import', 'tsx'],
              stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
            });
            p.stdout!.on('data', (d: Buffer) => ids.push(...d.toString().split('\n').filter(Boolean)));
            p.on('exit', (code) => (code === 0 ? resolve(ids) : reject(new Error(`writer exited ${code}`))));
          }),
      ),
    );
    const check = openDatabase(file);
    const rows = check.prepare('SELECT seq, id FROM responses ORDER BY seq').all() as { seq: number; id: string }[];
    expect(rows.length).toBe(writers * each);
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(sequenceGaps(check)).toEqual([]);
    const acked = results.flat().map((line) => line.split(' '));
    expect(acked.length).toBe(writers * each);
    const bySeq = new Map(rows.map((r) => [r.seq, r.id]));
    for (const [seq, id] of acked) expect(bySeq.get(Number(seq))).toBe(id);
    check.close();
  }, 120_000);
});
