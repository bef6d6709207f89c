/**
 * Renderer section: the touch UI in the system Chromium on the browser host.
 *
 * - Tap-to-next-question: real pointer input (CDP mouse events) on `survey-next`, timed in the page
 *   from the timestamp of the pointerup that completes the tap to the first paint after the next
 *   question is in the DOM
 *   (renderer-page.ts). Measured on a fresh page and again after all the simulated respondents, so a
 *   leak that slows the UI shows up. One-tap answers move on by themselves after a deliberate
 *   450 ms hold (SurveyScreen's CONFIRM_MS); that path is reported with the hold taken off.
 * - The renderer's JavaScript, gzipped, from a fresh build of the current sources.
 * - The JS heap after BENCH_RENDERER_RESPONDENTS simulated respondents against after
 *   BENCH_RENDERER_BASELINE, each after a forced GC (CDP HeapProfiler.collectGarbage), and at the
 *   midpoint: the first few hundred respondents warm the JIT and caches up (a few hundred KB), a
 *   leak is growth that goes on in the second half. DOM nodes and event listeners are counted too.
 *
 * Environment:
 *   BENCH_RENDERER_TAPS         Next taps timed per phase, fresh and aged (100)
 *   BENCH_RENDERER_RESPONDENTS  simulated respondents in all (2000)
 *   BENCH_RENDERER_BASELINE     respondents before the first heap sample (100)
 *   BENCH_RENDERER_SETTLE_MS    idle time before each heap sample (21000: longer than the HTTP
 *                               transport's 20 s request timeout, whose timers hold their signals)
 */
import { join } from 'node:path';
import { type CDPSession, type Page, chromium } from '@playwright/test';
import { chromiumPath } from '../e2e/support/chromium.ts';
import type { DriverStats, TapSample } from './renderer-page.ts';
import { buildRenderer, jsSize, kioskctl, pageScript, startBenchHost } from './renderer-setup.ts';
import { envInt, percentile, summarize } from './stats.ts';
import type { BenchContext, Check, Row, Section, SectionResult } from './types.ts';

/** SurveyScreen's CONFIRM_MS: how long a one-tap answer shows as chosen before the next question. */
const HOLD_MS = 450;
const QUICK_PROCEDURE = '2.000815';
const VIEWPORT = { width: 1920, height: 1080 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const tap = async (page: Page, selector: string): Promise<void> => {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
};

/** Waits for the slide-in of a new question to end, as a person would before tapping. */
const settled = (page: Page) =>
  page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Number.POSITIVE_INFINITY),
  );

/** One respondent with real taps; `auto` lets one-tap answers move on by themselves. Returns the Next taps made. */
const tapRespondent = async (page: Page, n: number, auto: boolean): Promise<number> => {
  await page.locator('[data-testid="attract-start"]:enabled').waitFor();
  await tap(page, '[data-testid="attract-start"]');
  let nexts = 0;
  for (let step = 0; ; step++) {
    const headingEl = page.locator('#question-text');
    await headingEl.waitFor();
    await settled(page);
    if ((await page.locator('[data-testid="comment-input"]').count()) > 0) {
      await tap(page, '[data-testid="survey-submit"]');
      await page.locator('[data-testid="thank-you-done"]').waitFor();
      await tap(page, '[data-testid="thank-you-done"]');
      return nexts;
    }
    const old = await headingEl.elementHandle();
    const options = page.locator('[data-testid="answer-option"]');
    const option = options.nth((n * 3 + step) % (await options.count()));
    const box = await option.boundingBox();
    if (!box) throw new Error('an answer is not on screen');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await option.and(page.locator('[aria-pressed="true"]')).waitFor();
    const multi = await option.evaluate((el) => el.classList.contains('answer-check'));
    if (!auto || multi) {
      await tap(page, '[data-testid="survey-next"]');
      nexts++;
    }
    await page.waitForFunction((h) => document.getElementById('question-text') !== h, old);
    // A live handle keeps the old question's DOM alive: it would count against the renderer's heap.
    await old?.dispose();
  }
};

type TapPhase = {
  next: TapSample[];
  answer: TapSample[];
  feedbackMs: number[];
  frameMs: number[];
  respondents: number;
};

const tapPhase = async (page: Page, wanted: number, label: string, ctx: BenchContext): Promise<TapPhase> => {
  await page.evaluate(() => window.kioskBench!.takeSamples());
  await page.evaluate(() => window.kioskBench!.frameClock(true));
  let respondents = 0;
  let nexts = 0;
  while (nexts < wanted) {
    nexts += await tapRespondent(page, respondents, respondents % 4 === 3);
    respondents++;
    if (respondents % 10 === 0)
      ctx.progress(`  ${label}: ${respondents} respondents, ${nexts} / ${wanted} taps on Next`);
  }
  await sleep(200); // the last sample is pushed after its frame
  await page.evaluate(() => window.kioskBench!.frameClock(false));
  const { taps, feedbackMs, frameMs } = await page.evaluate(() => window.kioskBench!.takeSamples());
  return {
    next: taps.filter((s) => s.kind === 'next'),
    answer: taps.filter((s) => s.kind === 'answer'),
    feedbackMs,
    frameMs,
    respondents,
  };
};

type Heap = { usedMB: number; nodes: number; listeners: number };

const heapAfterGc = async (cdp: CDPSession, settleMs: number): Promise<Heap> => {
  await sleep(settleMs);
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return { usedMB: usedSize / 2 ** 20, nodes: dom.nodes, listeners: dom.jsEventListeners };
};

const drive = async (page: Page, from: number, to: number, ctx: BenchContext): Promise<DriverStats> => {
  const total: DriverStats = { complete: 0, abandoned: 0, ms: 0 };
  for (let n = from; n < to; n += 100) {
    const count = Math.min(100, to - n);
    const s = await page.evaluate(([a, b]) => window.kioskBench!.respondents(a, b), [n, count] as const);
    total.complete += s.complete;
    total.abandoned += s.abandoned;
    total.ms += s.ms;
    ctx.progress(`  ${n + count} / ${to} simulated respondents (${(total.ms / 1000).toFixed(1)} s in the page)`);
  }
  return total;
};

const p95 = (xs: readonly number[]): number =>
  percentile(
    [...xs].sort((a, b) => a - b),
    95,
  );
const frameNoise = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return percentile(sorted, 99) / percentile(sorted, 50);
};

const run = async (ctx: BenchContext): Promise<SectionResult> => {
  const taps = envInt('BENCH_RENDERER_TAPS', 100);
  const respondents = envInt('BENCH_RENDERER_RESPONDENTS', 2000);
  const baseline = envInt('BENCH_RENDERER_BASELINE', 100);
  const settleMs = envInt('BENCH_RENDERER_SETTLE_MS', 21_000, 0);
  if (baseline >= respondents)
    throw new Error(`BENCH_RENDERER_BASELINE (${baseline}) must be below BENCH_RENDERER_RESPONDENTS (${respondents})`);
  const notes: string[] = [];

  ctx.progress('building the renderer from the current sources');
  const rendererDir = join(ctx.workDir, 'renderer');
  await buildRenderer(rendererDir);
  const size = jsSize(rendererDir);

  const dataDir = join(ctx.workDir, 'data');
  const host = await startBenchHost(dataDir, rendererDir);
  // Fast respondents: no rapid-repeat minimum, no idle prompt or automatic return while the driver works.
  for (const [k, v] of [
    ['minSecondsBetweenResponses', '0'],
    ['thankYouSeconds', '60'],
    ['idleSeconds', '600'],
    ['countdownSeconds', '120'],
  ] as const)
    kioskctl(dataDir, 'config', 'set', k, v);
  kioskctl(dataDir, 'set-procedure', QUICK_PROCEDURE);

  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
  let fresh: TapPhase;
  let aged: TapPhase;
  let before: Heap;
  let mid: Heap;
  let after: Heap;
  let driven: DriverStats;
  const chromiumVersion = browser.version();
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    page.on('pageerror', (e) => notes.push(`page error: ${e.message}`));
    await page.addInitScript({ content: pageScript() });
    await page.goto(host.url);
    await page.locator('[data-testid="attract-start"]').waitFor();
    const cdp = await page.context().newCDPSession(page);

    ctx.progress(`tap latency on a fresh page: ${taps} taps on Next`);
    fresh = await tapPhase(page, taps, 'fresh', ctx);
    ctx.progress(`simulated respondents: ${baseline}, then heap`);
    const first = await drive(page, 0, baseline, ctx);
    before = await heapAfterGc(cdp, settleMs);
    ctx.progress(
      `  heap after ${baseline}: ${before.usedMB.toFixed(2)} MB, ${before.nodes} DOM nodes, ${before.listeners} listeners`,
    );
    // A midpoint too: early growth is the JIT and caches warming up; a leak keeps growing in the second half.
    const half = Math.max(baseline, Math.floor(respondents / 2));
    const middle = await drive(page, baseline, half, ctx);
    mid = await heapAfterGc(cdp, settleMs);
    ctx.progress(
      `  heap after ${half}: ${mid.usedMB.toFixed(2)} MB, ${mid.nodes} DOM nodes, ${mid.listeners} listeners`,
    );
    const last = await drive(page, half, respondents, ctx);
    const rest = {
      complete: middle.complete + last.complete,
      abandoned: middle.abandoned + last.abandoned,
      ms: middle.ms + last.ms,
    };
    after = await heapAfterGc(cdp, settleMs);
    ctx.progress(
      `  heap after ${respondents}: ${after.usedMB.toFixed(2)} MB, ${after.nodes} DOM nodes, ${after.listeners} listeners`,
    );
    driven = {
      complete: first.complete + rest.complete,
      abandoned: first.abandoned + rest.abandoned,
      ms: first.ms + rest.ms,
    };
    ctx.progress(`tap latency after ${respondents} respondents: ${taps} taps on Next`);
    aged = await tapPhase(page, taps, 'aged', ctx);
  } finally {
    await browser.close();
    await host.stop();
  }

  // Nothing lost on the way: every respondent the page finished is a stored row.
  const status = JSON.parse(kioskctl(dataDir, 'status', '--json')) as {
    counts: { complete: number; abandoned: number; total: number };
  };
  const expectedComplete = driven.complete + fresh.respondents + aged.respondents;
  if (status.counts.complete !== expectedComplete || status.counts.abandoned !== driven.abandoned) {
    notes.push(
      `WARNING: stored ${status.counts.complete} complete + ${status.counts.abandoned} abandoned, expected ${expectedComplete} + ${driven.abandoned}`,
    );
  }

  const paint = (xs: readonly TapSample[]) => xs.map((s) => s.paintMs);
  const rows: Row[] = [
    summarize('tap Next -> next question painted (fresh page)', paint(fresh.next)),
    {
      ...summarize(
        'DOM updated',
        fresh.next.map((s) => s.domMs),
      ),
      partOf: 'tap Next -> next question painted (fresh page)',
    },
    summarize(`tap Next -> next question painted (after ${respondents} respondents)`, paint(aged.next)),
    {
      ...summarize(
        'DOM updated',
        aged.next.map((s) => s.domMs),
      ),
      partOf: `tap Next -> next question painted (after ${respondents} respondents)`,
    },
    summarize('tap answer -> choice painted', [...fresh.feedbackMs, ...aged.feedbackMs]),
    summarize(
      `tap answer -> next question painted, minus the ${HOLD_MS} ms hold`,
      [...fresh.answer, ...aged.answer].map((s) => s.paintMs - HOLD_MS),
    ),
    // The noise gauge: 16.7 ms apart at 60 Hz when the page gets the CPU it asks for.
    summarize('diag: animation frame interval during the taps', [...fresh.frameMs, ...aged.frameMs]),
  ];
  const checks: Check[] = [
    {
      name: 'tap-to-next p95 (fresh page)',
      value: p95(paint(fresh.next)),
      unit: 'ms',
      target: { op: '<=', limit: 50 },
    },
    {
      name: `tap-to-next p95 (after ${respondents} respondents)`,
      value: p95(paint(aged.next)),
      unit: 'ms',
      target: { op: '<=', limit: 50 },
    },
    {
      name: 'noise: frame interval p99 / p50 (about 1x on a quiet machine)',
      value: frameNoise([...fresh.frameMs, ...aged.frameMs]),
      unit: 'x',
    },
    {
      name: 'tap-to-next p50 (fresh page)',
      value: percentile(
        paint(fresh.next).sort((a, b) => a - b),
        50,
      ),
      unit: 'ms',
    },
    {
      name: `tap-to-next p50 (after ${respondents} respondents)`,
      value: percentile(
        paint(aged.next).sort((a, b) => a - b),
        50,
      ),
      unit: 'ms',
    },
    {
      name: `renderer JavaScript gzipped (${size.files} file${size.files === 1 ? '' : 's'})`,
      value: size.gzipBytes / 1024,
      unit: 'KB',
      target: { op: '<=', limit: 250 },
    },
    { name: '  raw', value: size.rawBytes / 1024, unit: 'KB' },
    { name: `JS heap after ${baseline} respondents (after GC)`, value: before.usedMB, unit: 'MB' },
    { name: `JS heap after ${respondents} respondents (after GC)`, value: after.usedMB, unit: 'MB' },
    {
      name: `heap ${respondents} / heap ${baseline}`,
      value: after.usedMB / before.usedMB,
      unit: 'x',
      target: { op: '<=', limit: 1.1 },
    },
    { name: `heap growth over ${respondents - baseline} respondents`, value: after.usedMB - before.usedMB, unit: 'MB' },
    {
      name: `JS heap after ${Math.max(baseline, Math.floor(respondents / 2))} respondents (after GC)`,
      value: mid.usedMB,
      unit: 'MB',
    },
    {
      name: `heap growth over the second half (leak if it keeps growing)`,
      value: after.usedMB - mid.usedMB,
      unit: 'MB',
    },
    {
      name: `DOM nodes after ${baseline} / after ${respondents}`,
      value: after.nodes / Math.max(1, before.nodes),
      unit: 'x',
    },
    {
      name: `event listeners after ${baseline} / after ${respondents}`,
      value: after.listeners / Math.max(1, before.listeners),
      unit: 'x',
    },
    {
      name: 'simulated respondents per second (in-page driver)',
      value: (driven.complete + driven.abandoned) / (driven.ms / 1000),
      unit: '/s',
    },
  ];
  return {
    rows,
    checks,
    params: {
      chromium: chromiumVersion,
      viewport: `${VIEWPORT.width}x${VIEWPORT.height}`,
      procedure: QUICK_PROCEDURE,
      tapsPerPhase: taps,
      tapRespondentsFresh: fresh.respondents,
      tapRespondentsAged: aged.respondents,
      respondents,
      baseline,
      settleMs,
      drivenComplete: driven.complete,
      drivenAbandoned: driven.abandoned,
      nodesBefore: before.nodes,
      nodesAfter: after.nodes,
      listenersBefore: before.listeners,
      listenersAfter: after.listeners,
      jsRawBytes: size.rawBytes,
      jsGzipBytes: size.gzipBytes,
    },
    notes,
  };
};

export const rendererSection: Section = {
  name: 'renderer',
  description:
    'touch UI in system Chromium: tap-to-next-question latency, JS size gzipped, heap after many respondents',
  run,
};
