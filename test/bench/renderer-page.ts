/**
 * Runs inside the kiosk page: bundled by esbuild into an init script (renderer-setup.ts), so it is a
 * plain browser program (its one import, the seeded PRNG, has none of its own). Two jobs:
 *
 * 1. A latency recorder. On the pointerup that completes a tap on `survey-next` or an
 *    `answer-option` (the click follows it; how long a finger rests before lifting is the person's
 *    time, not the kiosk's) it notes the event's timestamp; when a new question heading is in the DOM (the question section is keyed by question
 *    id, so it is a new element) it waits for the next frame and then a task, which runs after that
 *    frame is painted, and records the time since the pointer event. For an answer it also records
 *    when the choice (aria-pressed) was first painted.
 * 2. A respondent driver that answers whole surveys with element.click(), varied by a seed (language,
 *    larger text, back, exit, follow-ups, comments), fast enough for thousands of respondents.
 */
import { prng } from '../support/prng.ts';

export type TapSample = { kind: 'next' | 'answer'; domMs: number; paintMs: number };
export type DriverStats = { complete: number; abandoned: number; ms: number };

type KioskBench = {
  /** Taps and choice feedback since the last call; frame intervals while the frame clock ran. */
  takeSamples: () => { taps: TapSample[]; feedbackMs: number[]; frameMs: number[] };
  /** Records the time between animation frames (16.7 ms at 60 Hz on a quiet machine): the noise gauge. */
  frameClock: (on: boolean) => void;
  respondents: (from: number, count: number) => Promise<DriverStats>;
};

declare global {
  interface Window {
    kioskBench?: KioskBench;
  }
}

const TRACKED = '[data-testid="survey-next"], [data-testid="answer-option"]';
const byId = (id: string): HTMLElement | null => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
const heading = (): HTMLElement | null => document.getElementById('question-text');
const afterPaint = (then: (t: number) => void): void => {
  requestAnimationFrame(() => setTimeout(() => then(performance.now()), 0));
};

let taps: TapSample[] = [];
let feedbackMs: number[] = [];
let pending: {
  t0: number;
  kind: TapSample['kind'];
  heading: HTMLElement | null;
  target: Element;
  shown: boolean;
} | null = null;

addEventListener(
  'pointerup',
  (e) => {
    const target = e.target instanceof Element ? e.target.closest(TRACKED) : null;
    if (!target) return;
    const kind = target.getAttribute('data-testid') === 'survey-next' ? 'next' : 'answer';
    pending = {
      t0: e.timeStamp,
      kind,
      heading: heading(),
      target,
      shown: target.getAttribute('aria-pressed') === 'true',
    };
  },
  { capture: true },
);

new MutationObserver(() => {
  const p = pending;
  if (!p) return;
  if (!p.shown && p.target.getAttribute('aria-pressed') === 'true') {
    p.shown = true;
    afterPaint((t) => feedbackMs.push(t - p.t0));
  }
  const h = heading();
  if (h === null || h === p.heading) return;
  pending = null;
  const domMs = performance.now() - p.t0;
  afterPaint((t) => taps.push({ kind: p.kind, domMs, paintMs: t - p.t0 }));
}).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-pressed'] });

/** Resolves with get()'s value once it is truthy, re-checking on every DOM change. */
const waitFor = <T>(get: () => T | null | undefined | false, what: string, timeoutMs = 20_000): Promise<T> =>
  new Promise((resolve, reject) => {
    const now = get();
    if (now) {
      resolve(now);
      return;
    }
    const observer = new MutationObserver(() => {
      const v = get();
      if (!v) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(v);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });

const enabled = (el: HTMLElement | null): HTMLElement | null => (el && !(el as HTMLButtonElement).disabled ? el : null);

/** Seeded: the same respondent number always behaves the same way. */
const random = prng;

const key = (k: string): void =>
  document.querySelector<HTMLElement>(`[data-testid="keyboard-key"][data-key="${k}"]`)?.click();

/** One respondent from the attract screen back to it: 'complete' or 'abandoned'. */
const respondent = async (n: number): Promise<'complete' | 'abandoned'> => {
  const rng = random(n * 7919 + 1);
  const start = await waitFor(() => enabled(byId('attract-start')), 'the attract screen');
  if (n % 7 === 3) document.querySelector<HTMLElement>('[data-testid="language-option"][data-locale="en"]')?.click();
  if (n % 11 === 5) byId('toggle-large-text')?.click();
  start.click();
  let steps = 0;
  let wentBack = false;
  for (;;) {
    const h = await waitFor(heading, 'a question');
    if (n % 29 === 13 && steps === 2) {
      byId('survey-exit')!.click();
      (await waitFor(() => byId('exit-yes'), 'the exit confirmation')).click();
      await waitFor(() => byId('attract-start'), 'the attract screen after exit');
      return 'abandoned';
    }
    if (byId('comment-input')) {
      if (n % 3 === 0) for (const k of ['t', 'o', 'o', 't', 's', 'space', 'q', 'u', 'a', 's']) key(k);
      (await waitFor(() => enabled(byId('survey-submit')), 'submit')).click();
      (await waitFor(() => byId('thank-you-done'), 'the thank-you screen')).click();
      return 'complete';
    }
    if (n % 17 === 4 && steps === 2 && !wentBack) {
      wentBack = true;
      byId('survey-back')!.click();
      await waitFor(() => heading() !== h && heading(), 'the previous question');
      continue;
    }
    const options = [...document.querySelectorAll<HTMLElement>('[data-testid="answer-option"]')];
    // Low ratings now and then, so the follow-up question is answered too.
    const pick = steps === 0 && n % 5 === 1 ? options[1] : options[Math.floor(rng() * options.length)];
    pick!.click();
    if (pick!.classList.contains('answer-check') && rng() < 0.5) options.find((o) => o !== pick)?.click();
    (await waitFor(() => enabled(byId('survey-next')), 'next')).click();
    await waitFor(() => heading() !== h && heading(), 'the next question');
    steps++;
  }
};

let frameMs: number[] = [];
let frames = false;
const frame = (last: number) => (t: number) => {
  if (!frames) return;
  frameMs.push(t - last);
  requestAnimationFrame(frame(t));
};

window.kioskBench = {
  takeSamples: () => {
    const out = { taps, feedbackMs, frameMs };
    taps = [];
    feedbackMs = [];
    frameMs = [];
    return out;
  },
  frameClock: (on) => {
    if (on && !frames) requestAnimationFrame((t) => requestAnimationFrame(frame(t)));
    frames = on;
  },
  respondents: async (from, count) => {
    const t0 = performance.now();
    const stats: DriverStats = { complete: 0, abandoned: 0, ms: 0 };
    for (let n = from; n < from + count; n++) stats[await respondent(n)]++;
    stats.ms = performance.now() - t0;
    return stats;
  },
};
