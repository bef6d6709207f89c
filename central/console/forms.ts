import { z } from 'zod';
import { type Html, html } from './html.ts';

/** Problems of a submitted form, by field name (already in the page's language). */
export type FieldErrors = Record<string, string>;

/** The attribute tying an input to its error message, for screen readers. */
export const invalidAttrs = (errors: FieldErrors, name: string): Html =>
  errors[name] ? html` aria-invalid="true" aria-describedby="err-${name}"` : html``;

export const fieldError = (errors: FieldErrors, name: string): Html =>
  errors[name] ? html`<p class="field-error" id="err-${name}" data-testid="error-${name}">${errors[name]}</p>` : html``;

/** An urlencoded body as a record of strings (a repeated field keeps every value in `all`). */
export const formFields = (body: unknown): { get: (name: string) => string; all: (name: string) => string[] } => {
  const record = z
    .record(z.string(), z.union([z.string(), z.array(z.string())]))
    .catch({})
    .parse(body ?? {});
  return {
    get: (name) => {
      const v = record[name];
      return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
    },
    all: (name) => {
      const v = record[name];
      return v === undefined ? [] : Array.isArray(v) ? v : [v];
    },
  };
};
