import { z } from 'zod';
import { LanguagePacks } from './language-pack.ts';
import { LocalizedText } from './locale.ts';
import { Questionnaire, Slug } from './questionnaire.ts';

/**
 * Procedure codes from the national procedure database: base "2.000908" or the provincial
 * extended form "2.000908.000.00.00.H61".
 */
export const ProcedureCode = z
  .string()
  .regex(
    /^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$/,
    'expected a procedure code such as "1.001193" or "2.000908.000.00.00.H61"',
  );

export const FieldCode = Slug;

export const Field = z.strictObject({
  code: FieldCode,
  name: LocalizedText,
  /** Questionnaire used for every procedure of this field unless the procedure overrides it. */
  questionnaire: Slug,
});
export type Field = z.infer<typeof Field>;

export const Procedure = z.strictObject({
  code: ProcedureCode,
  name: LocalizedText,
  field: FieldCode,
  questionnaire: Slug.optional(),
});
export type Procedure = z.infer<typeof Procedure>;

export const Catalog = z
  .object({
    version: z.string().min(1).max(64),
    fields: z.array(Field).min(1),
    procedures: z.array(Procedure).min(1),
  })
  .superRefine((c, ctx) => {
    const fields = new Set<string>();
    c.fields.forEach((f, i) => {
      if (fields.has(f.code))
        ctx.addIssue({ code: 'custom', path: ['fields', i, 'code'], message: `duplicate field "${f.code}"` });
      fields.add(f.code);
    });
    const codes = new Set<string>();
    c.procedures.forEach((p, i) => {
      if (codes.has(p.code))
        ctx.addIssue({ code: 'custom', path: ['procedures', i, 'code'], message: `duplicate procedure "${p.code}"` });
      codes.add(p.code);
      if (!fields.has(p.field))
        ctx.addIssue({ code: 'custom', path: ['procedures', i, 'field'], message: `unknown field "${p.field}"` });
    });
  });
export type Catalog = z.infer<typeof Catalog>;

/**
 * Catalog plus the questionnaires it refers to: the unit of configuration the kiosk loads and keeps.
 * Language packs (issue 15) ride along, so publishing a configuration carries a new UI language too;
 * absent (not empty) when there are none, so bundles without packs hash as they always did.
 */
export const ConfigBundle = z
  .object({ catalog: Catalog, questionnaires: z.array(Questionnaire).min(1), languagePacks: LanguagePacks.optional() })
  .superRefine((b, ctx) => {
    const ids = new Set(b.questionnaires.map((q) => q.id));
    b.catalog.fields.forEach((f, i) => {
      if (!ids.has(f.questionnaire)) {
        ctx.addIssue({
          code: 'custom',
          path: ['catalog', 'fields', i, 'questionnaire'],
          message: `unknown questionnaire "${f.questionnaire}"`,
        });
      }
    });
    b.catalog.procedures.forEach((p, i) => {
      if (p.questionnaire && !ids.has(p.questionnaire)) {
        ctx.addIssue({
          code: 'custom',
          path: ['catalog', 'procedures', i, 'questionnaire'],
          message: `unknown questionnaire "${p.questionnaire}"`,
        });
      }
    });
    const seen = new Set<string>();
    b.questionnaires.forEach((q, i) => {
      if (seen.has(q.id))
        ctx.addIssue({
          code: 'custom',
          path: ['questionnaires', i, 'id'],
          message: `questionnaire "${q.id}" given twice`,
        });
      seen.add(q.id);
    });
  });
export type ConfigBundle = z.infer<typeof ConfigBundle>;

/** The questionnaire a procedure uses: its own override, else its field's. */
export const questionnaireFor = (catalog: Catalog, procedureCode: string): string | undefined => {
  const p = catalog.procedures.find((x) => x.code === procedureCode);
  if (!p) return undefined;
  return p.questionnaire ?? catalog.fields.find((f) => f.code === p.field)?.questionnaire;
};
