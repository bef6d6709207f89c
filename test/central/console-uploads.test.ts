import { request } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { z } from 'zod';
import type { FileResult } from '../../central/console/upload/ingest-file.ts';
import type { CentralDb } from '../../central/index.ts';
import { LIMITS } from '../../shared/sync.ts';
import {
  type FakeDevice,
  type TestCentral,
  enrolled,
  envelopeOf,
  faultyDb,
  kbatchBytes,
  makeDevice,
  makeResponses,
  openTestDb,
  postBatch,
  startTestCentral,
} from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend, sharedCentral } from './backends.ts';
import { tableCounts } from './expect.ts';

const Answer = z.object({
  result: z.custom<FileResult>((v) => typeof v === 'object' && v !== null),
  view: z.object({ status: z.string(), label: z.string(), summary: z.string(), detail: z.string() }),
});

const kbatch = (device: FakeDevice, from: number, to: number) =>
  kbatchBytes(device, envelopeOf(device, makeResponses(device, from, to)));

/** A copy with one bit of the gzip stream flipped (damaged on the stick). */
const flipBit = (bytes: Buffer, at = Math.floor(bytes.length / 2)): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0x10;
  return copy;
};

/** A copy whose signed payload was edited (an answer changed) but not re-signed. */
const editPayload = (bytes: Buffer): Buffer => {
  const doc = JSON.parse(gunzipSync(bytes).toString('utf8')) as { payload: string };
  const envelope = JSON.parse(Buffer.from(doc.payload, 'base64url').toString('utf8')) as {
    responses: { answers: Record<string, unknown> }[];
  };
  envelope.responses[0]!.answers = { q1: 1 };
  return gzipSync(
    Buffer.from(JSON.stringify({ ...doc, payload: Buffer.from(JSON.stringify(envelope)).toString('base64url') })),
  );
};

/** Sends headers declaring `declared` bytes (and maybe a few), and resolves with the status as soon as it answers. */
const declareHuge = (
  url: string,
  path: string,
  declared: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> =>
  new Promise((ok, fail) => {
    const u = new URL(`${url}/console${path}`);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': String(declared) },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
        res.on('error', fail);
      },
    );
    req.on('error', () => undefined); // the server may close the socket after answering
    req.write(Buffer.alloc(64 * 1024));
  });

forEachBackend('console: .kbatch uploads', (backend) => {
  const central = sharedCentral(backend);
  let client: ConsoleClient;
  const admin = async (): Promise<ConsoleClient> => {
    if (client) return client;
    await makeAccount(central().db, 'it-upload');
    client = new ConsoleClient(central().url);
    await client.login('it-upload');
    await client.get('/uploads');
    return client;
  };
  const upload = async (name: string, bytes: Uint8Array) => {
    const r = await (await admin()).uploadFile(name, bytes);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return Answer.parse(r.body);
  };
  const unchanged = async (c: TestCentral, fn: () => Promise<void>) => {
    const before = await tableCounts(c.db);
    await fn();
    expect(await tableCounts(c.db)).toEqual(before);
  };

  test('a good file is stored through the same ingest as /v1/batches, recorded as arriving by file', async () => {
    const device = await enrolled(central());
    const responses = makeResponses(device, 1, 10);
    const a = await upload(`${device.id}-1-10.kbatch`, kbatchBytes(device, envelopeOf(device, responses)));
    expect(a.result).toMatchObject({
      status: 'new',
      deviceId: device.id,
      seqFrom: 1,
      seqTo: 10,
      inserted: 10,
      duplicates: 0,
      conflicts: [],
      highestContiguousSeq: 10,
    });
    expect(a.view.summary).toMatch(/10 phiếu mới/);
    expect(
      (await central().db.query('SELECT via, inserted FROM batches WHERE device_id = $1', [device.id])).rows,
    ).toEqual([{ via: 'file', inserted: 10 }]);
    // The same responses sent online later are duplicates only.
    const online = await postBatch(central(), kbatchBytes(device, envelopeOf(device, responses)));
    expect(await online.json()).toMatchObject({ inserted: 0, duplicates: 10 });
  });

  test('duplicates, conflicts, tampered, unknown-device, wrong-type and empty files each get their own result; refusals store nothing', async () => {
    const device = await enrolled(central());
    const good = kbatch(device, 1, 5);
    await upload('a.kbatch', good);
    expect((await upload('a-copy.kbatch', good)).result).toMatchObject({
      status: 'duplicate',
      inserted: 0,
      duplicates: 5,
    });
    const responses = makeResponses(device, 6, 8);
    await upload('b.kbatch', kbatchBytes(device, envelopeOf(device, responses)));
    const edited = [responses[0]!, { ...responses[1]!, answers: { q1: 2 } }, responses[2]!];
    const conflict = await upload('c.kbatch', kbatchBytes(device, envelopeOf(device, edited)));
    expect(conflict.result).toMatchObject({
      status: 'conflicts',
      conflicts: [{ seq: 7, reason: 'different_content' }],
    });
    expect(conflict.view.summary).toMatch(/xung đột \(số 7\)/);

    const refusals: [string, Uint8Array, string][] = [
      ['flipped.kbatch', flipBit(kbatch(device, 9, 12)), 'invalid_body'],
      ['edited.kbatch', editPayload(kbatch(device, 9, 12)), 'bad_signature'],
      ['stranger.kbatch', kbatch(makeDevice(), 1, 3), 'unknown_device'],
      ['notes.txt', Buffer.from('hello'), 'wrong_type'],
      ['empty.kbatch', Buffer.alloc(0), 'empty'],
      ['junk.kbatch', Buffer.from('{"not":"gzip"}'), 'invalid_body'],
    ];
    await unchanged(central(), async () => {
      for (const [name, bytes, code] of refusals) {
        const r = await upload(name, bytes);
        expect(r.result, name).toMatchObject({ status: 'rejected', code });
        expect(r.view.label).toBe('Bị từ chối');
        expect(r.view.summary).toMatch(/Chưa lưu gì/);
      }
    });
    const edited2 = await upload('edited.kbatch', editPayload(kbatch(device, 9, 12)));
    expect(edited2.view.summary).toMatch(/Chữ ký không khớp/);
    const actions = (
      await central().db.query(
        `SELECT action, detail->>'file' AS file FROM admin_audit WHERE action LIKE 'batch_%' AND detail->>'file' = 'stranger.kbatch'`,
      )
    ).rows;
    expect(actions).toEqual([{ action: 'batch_refused', file: 'stranger.kbatch' }]);
  });

  test('a revoked device: revoked in the console (with a confirm page), its next file is refused', async () => {
    const device = await enrolled(central());
    await upload('first.kbatch', kbatch(device, 1, 3));
    const c = await admin();
    const confirm = await c.get(`/devices/${device.id}/revoke`);
    expect(confirm.text).toContain('data-testid="revoke-confirm"');
    const done = await c.post(`/devices/${device.id}/revoke`);
    expect(done.location).toBe(`/console/devices/${device.id}?done=revoked`);
    await unchanged(central(), async () => {
      expect((await upload('next.kbatch', kbatch(device, 4, 6))).result).toMatchObject({
        status: 'rejected',
        code: 'device_revoked',
      });
      expect((await postBatch(central(), kbatch(device, 4, 6))).status).toBe(403);
    });
    await c.get(`/devices/${device.id}`);
    expect((await c.post(`/devices/${device.id}/unrevoke`)).location).toBe(
      `/console/devices/${device.id}?done=unrevoked`,
    );
    expect((await upload('next.kbatch', kbatch(device, 4, 6))).result).toMatchObject({ status: 'new', inserted: 3 });
  });

  test('the plain form: many files in one request, a result row per file; an oversized file is refused alone', async () => {
    const device = await enrolled(central());
    const c = await admin();
    const big = Buffer.alloc(LIMITS.maxCompressedBytes + 1, 7);
    const one = kbatch(device, 1, 4);
    const page = await c.postMultipart('/uploads', [
      { field: 'files', name: 'one.kbatch', bytes: one },
      { field: 'files', name: 'huge.kbatch', bytes: big },
      { field: 'files', name: 'two.kbatch', bytes: kbatch(device, 5, 9) },
      { field: 'files', name: 'one-again.kbatch', bytes: one },
    ]);
    expect(page.status).toBe(200);
    const rows = [...page.text.matchAll(/data-file="([^"]+)" data-status="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ['one.kbatch', 'new'],
      ['huge.kbatch', 'rejected'],
      ['two.kbatch', 'new'],
      ['one-again.kbatch', 'duplicate'],
    ]);
    expect(
      (
        await central().db.query('SELECT highest_contiguous_seq AS h FROM device_progress WHERE device_id = $1', [
          device.id,
        ])
      ).rows,
    ).toEqual([{ h: 9 }]);
    const none = await c.postMultipart('/uploads', []);
    expect(none.status).toBe(400);
  });

  test('a 200 MB upload is refused by its declared size before it is read; one that hides its size is refused too', async () => {
    const c = await admin();
    const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const huge = 200 * 1024 * 1024;
    await unchanged(central(), async () => {
      const script = await declareHuge(central().url, '/uploads/file', huge, {
        cookie,
        'content-type': 'application/octet-stream',
        accept: 'application/json',
        'x-csrf-token': c.csrf!,
      });
      expect(script.status).toBe(413);
      expect(JSON.parse(script.body)).toMatchObject({ error: 'tooLarge' });
      const form = await declareHuge(central().url, '/uploads', huge, {
        cookie,
        'content-type': 'multipart/form-data; boundary=x',
      });
      expect(form.status).toBe(413);
      expect(form.body).toMatch(/quá lớn/);
      const configForm = await declareHuge(central().url, '/config/drafts', huge, {
        cookie,
        'content-type': 'multipart/form-data; boundary=x',
      });
      expect(configForm.status).toBe(413);
      // A chunked body states no length: refused (411) rather than read to find out.
      const chunked = await fetch(`${central().url}/console/uploads`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'multipart/form-data; boundary=x' },
        body: new ReadableStream({ start: (ctl) => (ctl.enqueue(new Uint8Array(10)), ctl.close()) }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(411);
      // Over the limit in a chunked stream to the script's route: cut off at the limit.
      const stream = await fetch(`${central().url}/console/uploads/file`, {
        method: 'POST',
        headers: {
          cookie,
          'content-type': 'application/octet-stream',
          accept: 'application/json',
          'x-csrf-token': c.csrf!,
        },
        body: new ReadableStream({
          start: (ctl) => {
            for (let i = 0; i < 6; i++) ctl.enqueue(new Uint8Array(1024 * 1024));
            ctl.close();
          },
        }),
        duplex: 'half',
      } as RequestInit).catch(() => null);
      expect(stream?.status).toBe(413);
    });
  });
});

const auditOf = async (db: CentralDb, action: string) =>
  z
    .array(z.object({ detail: z.record(z.string(), z.unknown()) }))
    .parse((await db.query('SELECT detail FROM admin_audit WHERE action = $1 ORDER BY id', [action])).rows)
    .map((r) => r.detail);

forEachBackend('console: uploads and their audit rows are one transaction', (backend) => {
  test('a file name with NUL and other control characters: stored under a cleaned name, its audit row present', async () => {
    const c = await startTestCentral(backend);
    try {
      await makeAccount(c.db, 'it-nul');
      const client = new ConsoleClient(c.url);
      await client.login('it-nul');
      await client.get('/uploads');
      const device = await enrolled(c);
      // By the script's route (name in a header) and by the plain form (name in the multipart part).
      const r = await client.uploadFile('quầy\u0000 1\u0007\u202e.kbatch', kbatch(device, 1, 3));
      expect(r.status).toBe(200);
      const a = Answer.parse(r.body);
      expect(a.result).toMatchObject({ status: 'new', inserted: 3, file: 'quầy\uFFFD 1\uFFFD\uFFFD.kbatch' });
      const form = await client.postMultipart('/uploads', [
        { field: 'files', name: 'b\u0000\u001b[31m.kbatch', bytes: kbatch(device, 4, 5) },
      ]);
      expect(form.status).toBe(200);
      expect(form.text).toMatch(/data-status="new"/);
      expect((await tableCounts(c.db)).responses).toBe(5);
      const rows = await auditOf(c.db, 'batch_uploaded');
      expect(rows.map((d) => d['file'])).toEqual(['quầy\uFFFD 1\uFFFD\uFFFD.kbatch', 'b\uFFFD\uFFFD[31m.kbatch']);
      expect(rows.map((d) => d['inserted'])).toEqual([3, 2]);
    } finally {
      await c.close();
    }
  });

  test('when the audit row cannot be written, the batch is not stored either, and the answer says so', async () => {
    const db = await openTestDb(backend);
    const faulty = faultyDb(db, /INSERT INTO admin_audit/);
    faulty.armed = false; // the login writes its audit row in a transaction too
    const c = await startTestCentral(backend, { db: faulty });
    try {
      await makeAccount(db, 'it-fault');
      const client = new ConsoleClient(c.url);
      await client.login('it-fault');
      await client.get('/uploads');
      const device = await enrolled(c);
      const before = await tableCounts(db);
      faulty.armed = true;
      const r = await client.uploadFile('a.kbatch', kbatch(device, 1, 4));
      expect(r.status).toBe(200);
      expect(Answer.parse(r.body).result).toMatchObject({ status: 'rejected', code: 'internal' });
      expect(Answer.parse(r.body).view.detail).toMatch(/nothing from this file was stored/);
      expect(await tableCounts(db)).toEqual(before);
      expect(await auditOf(db, 'batch_uploaded')).toEqual([]);
      // Once the fault is gone the same file goes in, with its audit row.
      faulty.armed = false;
      expect(Answer.parse((await client.uploadFile('a.kbatch', kbatch(device, 1, 4))).body).result).toMatchObject({
        status: 'new',
        inserted: 4,
      });
      expect((await auditOf(db, 'batch_uploaded')).length).toBe(1);
    } finally {
      await c.close();
      await db.close();
    }
  });
});
