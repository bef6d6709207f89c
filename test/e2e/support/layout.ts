import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

/** The three screens the kiosk must hold on: landscape and portrait Full HD, and a 1280×800 tablet. */
export const VIEWPORTS = {
  landscape: { width: 1920, height: 1080 },
  portrait: { width: 1080, height: 1920 },
  tablet: { width: 1280, height: 800 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

export type DisplayMode = { text: 'normal' | 'large'; contrast: 'normal' | 'high' };

/**
 * Sets the display mode the citizen's toggles set (the toggles themselves are tested in survey.spec);
 * done on <html> directly because on a modal or the staff panel the toggles are underneath.
 */
export const setDisplayMode = async (page: Page, mode: DisplayMode): Promise<void> => {
  await page.evaluate((m) => {
    document.documentElement.dataset['text'] = m.text;
    document.documentElement.dataset['contrast'] = m.contrast;
  }, mode);
};

/** Waits until finite animations (slide-ins, pops) are over and two frames have been laid out. */
export const settle = async (page: Page): Promise<void> => {
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Number.POSITIVE_INFINITY),
  );
  await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
};

/** Targets a citizen answers with: at least 80 px tall, for a finger on a touchscreen. */
const BIG_TARGETS = ['answer-option', 'survey-next', 'survey-back', 'survey-submit', 'attract-start'];

/**
 * What is wrong with the layout on screen now: anything sticking out of the viewport sideways, text
 * spilling out of its button, a control cut off by the viewport or by a scrolling container (on the
 * citizen's screens nothing may need scrolling to be reached; the staff panel's lists scroll by
 * design), an answer target under 80 px or any other control under 40 px. Empty when the layout holds.
 */
export const layoutProblems = async (page: Page): Promise<string[]> =>
  page.evaluate((big) => {
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const out: string[] = [];
    const name = (el: Element): string => {
      const id = el.getAttribute('data-testid');
      const key = el.getAttribute('data-key') ?? el.getAttribute('data-value') ?? el.getAttribute('data-code');
      const text = (el.textContent ?? '').trim().slice(0, 30);
      return `${el.tagName.toLowerCase()}${id ? `[${id}${key ? `=${key}` : ''}]` : el.className ? `.${String(el.className).split(' ')[0]}` : ''} "${text}"`;
    };
    const shown = (el: Element): boolean => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    /** The part of the page an element can be seen in: the viewport cut by every ancestor that clips. */
    const clip = (el: Element): { top: number; bottom: number; left: number; right: number } => {
      const box = { top: 0, bottom: vh, left: 0, right: vw };
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
        const r = a.getBoundingClientRect();
        box.top = Math.max(box.top, r.top + a.clientTop);
        box.left = Math.max(box.left, r.left + a.clientLeft);
        box.bottom = Math.min(box.bottom, r.top + a.clientTop + a.clientHeight);
        box.right = Math.min(box.right, r.left + a.clientLeft + a.clientWidth);
      }
      return box;
    };
    if (document.documentElement.scrollWidth > vw + 1)
      out.push(`page is ${document.documentElement.scrollWidth} px wide in a ${vw} px viewport`);
    for (const el of document.querySelectorAll('body *')) {
      if (!shown(el) || el.closest('[aria-hidden="true"]')) continue;
      const r = el.getBoundingClientRect();
      if (r.left < -1 || r.right > vw + 1)
        out.push(`${name(el)} spans x ${Math.round(r.left)}..${Math.round(r.right)} of ${vw}`);
    }
    // Text wider than its box (a Range measures the glyphs, not decorative pseudo-elements).
    for (const el of document.querySelectorAll('button, h1, h2, label, dd, p')) {
      if (!shown(el) || (el.childElementCount > 0 && el.tagName !== 'BUTTON')) continue;
      const range = document.createRange();
      range.selectNodeContents(el);
      const t = range.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      if (t.width > 0 && (t.left < r.left - 1 || t.right > r.right + 1))
        out.push(
          `${name(el)} text overflows its box: x ${Math.round(t.left)}..${Math.round(t.right)} in ${Math.round(r.left)}..${Math.round(r.right)}`,
        );
    }
    for (const el of document.querySelectorAll('button, input, textarea')) {
      if (!shown(el) || (el as HTMLButtonElement).disabled || el.classList.contains('staff-corner')) continue;
      // Behind a modal or the staff panel: laid out, but not what is in front now.
      const r = el.getBoundingClientRect();
      const front = document.elementFromPoint(
        Math.min(vw - 1, Math.max(0, r.left + r.width / 2)),
        Math.min(vh - 1, Math.max(0, r.top + r.height / 2)),
      );
      const covered =
        front !== null &&
        !el.contains(front) &&
        !front.contains(el) &&
        (front.closest('.modal-backdrop, .staff-backdrop') !== null) !==
          (el.closest('.modal-backdrop, .staff-backdrop') !== null);
      if (covered) continue;
      const id = el.getAttribute('data-testid') ?? '';
      const c = clip(el);
      const inStaffList = el.closest('.picker-results, .side-fields') !== null;
      if (r.top < c.top - 1 || r.bottom > c.bottom + 1) {
        if (!inStaffList)
          out.push(
            `${name(el)} is cut off: y ${Math.round(r.top)}..${Math.round(r.bottom)}, visible ${Math.round(c.top)}..${Math.round(c.bottom)}`,
          );
      }
      const min = big.includes(id) ? 80 : 40;
      if (r.height < min - 0.5) out.push(`${name(el)} is ${r.height.toFixed(1)} px tall (< ${min})`);
    }
    return out;
  }, BIG_TARGETS);

/** Serious and critical axe-core findings, one line each ("screen: rule (impact) targets"). */
export const axeFindings = async (page: Page, screen: string): Promise<string[]> => {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${screen}: ${v.id} (${v.impact}) ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
};
