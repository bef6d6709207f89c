import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ReportSettings } from '../../../../shared/reports/settings.ts';
import { Timestamp, firstRow } from '../../../db/rows.ts';
import type { Queryable } from '../../../db/types.ts';
import { loadReportSettings, saveReportSettings } from '../../../reports/settings-store.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml } from '../../context.ts';
import { formBody, formText } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { reportSettingsView, settingsNotice } from './view.ts';

/** The settings document is small; a megabyte-long paste is refused by the form's limit, not parsed. */
const MAX_SETTINGS_CHARS = 64 * 1024;

const SavedRow = z.object({ updated_by: z.string(), updated_at: Timestamp });
const lastSaved = async (db: Queryable) => {
  const r = firstRow(SavedRow, await db.query('SELECT updated_by, updated_at FROM report_settings WHERE id'));
  return r && { by: r.updated_by, at: r.updated_at };
};

const page = async (ctx: AuthedCtx, options: { text?: string; top?: Html; status?: number } = {}) => {
  const db = ctx.cc.route.db;
  const settings = await loadReportSettings(db);
  const data = { settings, saved: await lastSaved(db), text: options.text ?? JSON.stringify(settings, null, 2) };
  return sendHtml(ctx.reply, reportSettingsView(ctx, data, options), options.status ?? 200);
};

const SettingsForm = formBody({ settings: formText(MAX_SETTINGS_CHARS) });

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
};

export const reportSettingsRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/report-settings', access: 'admin' }, async (ctx) => page(ctx));

  route(
    app,
    cc,
    { method: 'POST', url: '/report-settings', access: 'admin', schema: { body: SettingsForm } },
    async (ctx, { body }) => {
      const text = body.settings;
      const json = parseJson(text);
      if (!json.ok)
        return page(ctx, { text, top: settingsNotice('error', ctx.t('reportSettings.notJson')), status: 400 });
      const parsed = ReportSettings.safeParse(json.value);
      if (!parsed.success) {
        const problems = parsed.error.issues.map(
          (i) => html`<li><code>${i.path.join('.') || '(root)'}</code>: ${i.message}</li>`,
        );
        return page(ctx, {
          text,
          top: settingsNotice('error', html`${ctx.t('reportSettings.invalid')}<ul>${problems}</ul>`),
          status: 400,
        });
      }
      await cc.route.db.transaction(async (tx) => {
        const saved = await saveReportSettings(tx, parsed.data, ctx.session.username, ctx.now);
        await audit(tx, {
          username: ctx.session.username,
          action: 'report_settings_saved',
          detail: { settings: saved },
          ip: ctx.req.ip,
          at: ctx.now,
        });
      });
      return page(ctx, { top: settingsNotice('ok', ctx.t('reportSettings.saved')) });
    },
  );
};
