import { describe, expect, it } from 'vitest';
import { pictureFirstFor } from '../../renderer/components/picture-first.tsx';
import { idleTimings } from '../../renderer/state/accessible-layout.ts';

// Issue 15: no time limit a slow reader cannot extend. The survey screen passes
// slowReader = prefs.readAloudUsed || useAutoReadAloud(); the Playwright spec accessible-layout.spec.ts
// shows the doubled quiet time and the doubled countdown (picture-first) on screen.
describe('idle timings', () => {
  const settings = { idleSeconds: 45, countdownSeconds: 15 };

  it('standard layout, not read to: the settings as they are', () => {
    expect(idleTimings(settings, { accessibleLayout: false, slowReader: false })).toEqual({
      idleMs: 45_000,
      countdownMs: 15_000,
    });
  });

  it('a respondent who used read-aloud: the countdown doubles, the quiet time does not', () => {
    expect(idleTimings(settings, { accessibleLayout: false, slowReader: true })).toEqual({
      idleMs: 45_000,
      countdownMs: 30_000,
    });
  });

  it('the accessible layout: the quiet time doubles; with read-aloud both do', () => {
    expect(idleTimings(settings, { accessibleLayout: true, slowReader: false })).toEqual({
      idleMs: 90_000,
      countdownMs: 15_000,
    });
    expect(idleTimings(settings, { accessibleLayout: true, slowReader: true })).toEqual({
      idleMs: 90_000,
      countdownMs: 30_000,
    });
  });
});

describe('picture-first', () => {
  it('applies to the quick questionnaire only, and only when IT turned it on', () => {
    expect(pictureFirstFor(true, { kind: 'quick' })).toBe(true);
    expect(pictureFirstFor(false, { kind: 'quick' })).toBe(false);
    for (const kind of ['per-case', 'sipas', 'custom'] as const) expect(pictureFirstFor(true, { kind })).toBe(false);
  });
});
