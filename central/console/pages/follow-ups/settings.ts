import type { FastifyInstance } from 'fastify';
import { FollowUpSettings, followUpSettings, saveFollowUpSettings } from '../../../follow-ups/settings.ts';
import { audit } from '../../audit.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml } from '../../context.ts';
import { formBody, formText } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

const SettingsForm = formBody({
  dueWorkingDays: formText(10),
  holidays: formText(4000),
  retentionDays: formText(10),
});
type Values = { dueWorkingDays: string; holidays: string; retentionDays: string };

const settingsView = (ctx: AuthedView, v: Values, top: Html | string = ''): Html =>
  layout(ctx, {
    title: ctx.t('followUps.settingsTitle'),
    active: 'followUps',
    body: html`${top}<p class="hint">${ctx.t('followUps.settingsIntro')}</p>
<form method="post" action="${ctx.url('/follow-ups/settings')}" class="card narrow" data-testid="follow-up-settings-form" novalidate>${csrfField(ctx)}
<label for="dueWorkingDays">${ctx.t('followUps.dueWorkingDays')}</label>
<input id="dueWorkingDays" name="dueWorkingDays" inputmode="numeric" value="${v.dueWorkingDays}">
<label for="holidays">${ctx.t('followUps.holidays')}</label>
<textarea id="holidays" name="holidays" rows="6">${v.holidays}</textarea>
<label for="retentionDays">${ctx.t('followUps.retentionDays')}</label>
<input id="retentionDays" name="retentionDays" inputmode="numeric" value="${v.retentionDays}">
<button type="submit" data-testid="follow-up-settings-submit">${ctx.t('followUps.save')}</button></form>`,
  });

const valuesOf = (s: FollowUpSettings): Values => ({
  dueWorkingDays: String(s.dueWorkingDays),
  holidays: s.holidays.join('\n'),
  retentionDays: String(s.retentionDays),
});

const parse = (v: Values) =>
  FollowUpSettings.safeParse({
    dueWorkingDays: /^\d{1,4}$/.test(v.dueWorkingDays.trim()) ? Number(v.dueWorkingDays) : NaN,
    holidays: v.holidays
      .split(/[\s,]+/)
      .map((d) => d.trim())
      .filter((d) => d !== ''),
    retentionDays: /^\d{1,5}$/.test(v.retentionDays.trim()) ? Number(v.retentionDays) : NaN,
  });

/** The province's follow-up settings (due working days, holidays, retention): province admin only. */
export const followUpSettingsRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  const page = async (ctx: AuthedCtx, top?: Html) =>
    sendHtml(ctx.reply, settingsView(ctx, valuesOf(await followUpSettings(cc.route.db)), top));
  route(app, cc, { method: 'GET', url: '/follow-ups/settings', access: 'admin' }, async (ctx) => page(ctx));
  route(
    app,
    cc,
    { method: 'POST', url: '/follow-ups/settings', access: 'admin', schema: { body: SettingsForm } },
    async (ctx, { body }) => {
      const parsed = parse(body);
      if (!parsed.success)
        return sendHtml(
          ctx.reply,
          settingsView(ctx, body, notice('error', ctx.t('followUps.settingsInvalid'), 'form-error')),
          400,
        );
      await cc.route.db.transaction(async (tx) => {
        await saveFollowUpSettings(tx, parsed.data);
        await audit(tx, {
          username: ctx.session.username,
          action: 'follow_up_settings_saved',
          detail: { ...parsed.data },
          ip: ctx.req.ip,
          at: ctx.now,
        });
      });
      return page(ctx, notice('ok', ctx.t('followUps.settingsSaved'), 'follow-up-message'));
    },
  );
};
