/**
 * Server-rendered HTML with escaping by construction: every value interpolated into `html`…`` is
 * escaped unless it is itself Html (made by `html` or, for markup we wrote, `trusted`). Pages are
 * built only from these, so a device label or a file name can never inject markup.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type Interpolated = Html | string | number | boolean | null | undefined | readonly Interpolated[];

const render = (v: Interpolated): string => {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return escapeHtml(String(v));
};

export const html = (strings: TemplateStringsArray, ...values: Interpolated[]): Html =>
  new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? render(values[i]!) : ''), ''));

/** Markup written in this code base (never data). */
export const trusted = (markup: string): Html => new Html(markup);

/** An attribute that is present or not (`checked`, `disabled`, `selected`). */
export const flag = (name: string, on: boolean): Html => new Html(on ? ` ${name}` : '');
