import { z } from 'zod';
import { type Html, html } from './html.ts';

/** Problems of a submitted form, by field name (already in the page's language). */
export type FieldErrors = Record<string, string>;

/** The attribute tying an input to its error message, for screen readers. */
export const invalidAttrs = (errors: FieldErrors, name: string): Html =>
  errors[name] ? html` aria-invalid="true" aria-describedby="err-${name}"` : html``;

export const fieldError = (errors: FieldErrors, name: string): Html =>
  errors[name] ? html`<p class="field-error" id="err-${name}" data-testid="error-${name}">${errors[name]}</p>` : html``;

/** A urlencoded field's first value ('' when missing, not text, or over `max`); meaning is checked by the handler. */
export const formText = (max = 10_000) =>
  z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().max(max)).catch('');

/** Like formText, trimmed (names, numbers; never passwords). */
export const formTrimmed = (max = 10_000) =>
  z.preprocess((v) => (Array.isArray(v) ? v[0] : v), z.string().max(max).trim()).catch('');

/** Every value of a repeated field (checkboxes). */
export const formList = (max = 1000) =>
  z
    .preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(200)).max(max))
    .catch([]);

/** An urlencoded body with these fields (an empty body is an empty form; other fields are dropped). */
export const formBody = <T extends z.ZodRawShape>(shape: T) => z.preprocess((v) => v ?? {}, z.object(shape));

/** A query parameter that is ignored (undefined) when it does not parse, as a browser's stray link would be. */
export const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
