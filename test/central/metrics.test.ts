// Issue 16: Prometheus metrics, scraped on their own listener and parsed with a text-format parser;
// they move when a batch is ingested or refused, when kiosks report their queues, when a device goes
// stale and when a report is computed.
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  enrolled,
  envelopeOf,
  kbatchBytes,
  makeDevice,
  makeResponses,
  postBatch,
  signedFetch,
  startTestCentral,
  type FakeDevice,
  type TestCentral,
} from '../support/central.ts';
import { ConsoleClient, makeAccount } from '../support/console-client.ts';
import { forEachBackend, sharedCentral } from './backends.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';

type Labels = Record<string, string>;

/** Scrapes and parses; returns a lookup of one sample's value (0 when absent). */
const scrape = async (central: TestCentral) => {
  if (!central.metricsUrl) throw new Error('metrics listener not started');
  const res = await fetch(central.metricsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  const families = parsePrometheusTextFormat(text);
  const matches = (have: Labels | undefined, want: Labels) => Object.entries(want).every(([k, v]) => have?.[k] === v);
  return {
    value: (name: string, labels: Labels = {}): number => {
      const sample = families.find((f) => f.name === name)?.metrics.find((m) => matches(m.labels, labels));
      return Number(sample?.value ?? 0);
    },
    // The parser merges a LABELLED histogram's lines into one sample and drops its labels and count
    // (prom-client writes `le` first); the exposition format is line-based, so read the _count line.
    histogramCount: (name: string, labels: Labels = {}): number => {
      const want = Object.entries(labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      const line = text.split('\n').find((l) => l.startsWith(want ? `${name}_count{${want}} ` : `${name}_count `));
      return Number(line?.split(' ').at(-1) ?? 0);
    },
    type: (name: string) => families.find((f) => f.name === name)?.type,
  };
};

const heartbeat = (device: FakeDevice, queueDepth: number) => ({
  deviceId: device.id,
  clock: new Date().toISOString(),
  sentAt: new Date().toISOString(),
  appVersion: '0.1.0',
  configVersion: '1+abc',
  lastSeq: 100,
  lastAckedSeq: 100 - queueDepth,
  queueDepth,
  freeDiskBytes: null,
  procedureCode: null,
});

forEachBackend('Prometheus metrics', (backend) => {
  const central = sharedCentral(backend, {
    metrics: { host: '127.0.0.1', port: 0, token: TOKEN },
    processMetrics: false,
  });

  test('served on their own listener with a bearer token, never on the public one', async () => {
    expect(new URL(central().metricsUrl ?? '').port).not.toBe(new URL(central().url).port);
    expect((await fetch(`${central().url}/metrics`)).status).toBe(404);
    expect((await fetch(central().metricsUrl ?? '')).status).toBe(401);
    const wrong = await fetch(central().metricsUrl ?? '', { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const m = await scrape(central());
    expect(m.type('central_batches_ingested_total')).toBe('COUNTER');
    expect(m.type('central_ingest_duration_seconds')).toBe('HISTOGRAM');
    expect(m.value('central_database_up')).toBe(1);
  });

  test('an ingested batch counts the batch, its responses by outcome and its latency; a re-send counts duplicates', async () => {
    const device = await enrolled(central());
    const before = await scrape(central());
    const bytes = kbatchBytes(device, envelopeOf(device, makeResponses(device, 1, 3)));
    expect((await postBatch(central(), bytes)).status).toBe(200);
    expect((await postBatch(central(), bytes)).status).toBe(200);
    const after = await scrape(central());
    const delta = (name: string, labels: Labels = {}) => after.value(name, labels) - before.value(name, labels);
    expect(delta('central_batches_ingested_total', { via: 'http' })).toBe(2);
    expect(delta('central_responses_ingested_total', { outcome: 'inserted' })).toBe(3);
    expect(delta('central_responses_ingested_total', { outcome: 'duplicate' })).toBe(3);
    expect(
      after.histogramCount('central_ingest_duration_seconds') -
        before.histogramCount('central_ingest_duration_seconds'),
    ).toBe(2);
  });

  test('refused requests are counted by reason, and nothing counts as ingested', async () => {
    const before = await scrape(central());
    const stranger = makeDevice();
    const unknown = await postBatch(
      central(),
      kbatchBytes(stranger, envelopeOf(stranger, makeResponses(stranger, 1, 1))),
    );
    expect(unknown.status).toBe(401);
    const device = await enrolled(central());
    const forged = kbatchBytes(stranger, envelopeOf(device, makeResponses(device, 1, 1)), device.id);
    expect((await postBatch(central(), forged)).status).toBe(401);
    const after = await scrape(central());
    const delta = (name: string, labels: Labels = {}) => after.value(name, labels) - before.value(name, labels);
    expect(delta('central_refusals_total', { reason: 'unknown_device' })).toBe(1);
    expect(delta('central_refusals_total', { reason: 'bad_signature' })).toBe(1);
    expect(delta('central_batches_ingested_total', { via: 'http' })).toBe(0);
  });

  test("queue depth from the kiosks' heartbeats, and stale devices, are read from the database", async () => {
    const before = await scrape(central());
    const a = await enrolled(central());
    const b = await enrolled(central());
    for (const [device, depth] of [
      [a, 7],
      [b, 40],
    ] as const)
      expect((await signedFetch(central(), device, 'POST', '/v1/heartbeat', heartbeat(device, depth))).status).toBe(
        200,
      );
    let after = await scrape(central());
    expect(after.value('central_kiosk_queue_depth_total') - before.value('central_kiosk_queue_depth_total')).toBe(47);
    expect(after.value('central_kiosk_queue_depth_max')).toBeGreaterThanOrEqual(40);
    // Kiosk a falls silent for three hours (the stale limit is the console's, 2 h by default).
    await central().db.query(`UPDATE devices SET last_heartbeat_at = now() - interval '3 hours' WHERE id = $1`, [a.id]);
    after = await scrape(central());
    expect(after.value('central_devices_stale') - before.value('central_devices_stale')).toBe(1);
  });
});

describe('report latency [pglite]', () => {
  let central: TestCentral | undefined;
  beforeAll(async () => {
    central = await startTestCentral('pglite', { metrics: { port: 0, token: TOKEN } });
  });
  afterAll(async () => central?.close());

  test('a report computed on the console is observed in the report latency histogram, by report kind', async () => {
    if (!central) throw new Error('central not started');
    await makeAccount(central.db, 'tinh-admin');
    const client = new ConsoleClient(central.url);
    expect((await client.login('tinh-admin')).status).toBe(303);
    const before = await scrape(central);
    const page = await client.get(`/reports?report=per-case&period=year&year=2026&unit=${central.defaultUnit.id}`);
    expect(page.status).toBe(200);
    const after = await scrape(central);
    const count = (m: typeof before) =>
      m.histogramCount('central_report_query_duration_seconds', { report: 'per-case' });
    // The page computes the report and its trend line: two reports, each observed.
    expect(count(after) - count(before)).toBeGreaterThanOrEqual(1);
    expect(count(before)).toBe(0);
  });
});
