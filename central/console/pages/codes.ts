import type { FastifyInstance } from 'fastify';
import { DEFAULT_CODE_HOURS, createEnrolmentCode } from '../../ops/enrolment-codes.ts';
import { listEnrolmentCodes } from '../../ops/enrolment-code-list.ts';
import { UnitId, ensureUnit, getUnit, listUnits } from '../../ops/units.ts';
import { audit } from '../audit.ts';
import { type AuthedCtx, type ConsoleContext, route, sendHtml } from '../context.ts';
import { type FieldErrors, fieldError, formBody, formTrimmed, invalidAttrs } from '../forms.ts';
import { type Html, html } from '../html.ts';
import { formatTime } from '../i18n.ts';
import { csrfField, layout, notice } from '../layout.ts';

const NEW_UNIT = '__new__';

type Values = { unit: string; newUnitId: string; newUnitName: string; hours: string };

const codesPage = async (
  ctx: AuthedCtx,
  options: { values?: Values; errors?: FieldErrors; issued?: Html; status?: number },
) => {
  const units = await listUnits(ctx.cc.route.db);
  const codes = await listEnrolmentCodes(ctx.cc.route.db, ctx.now);
  const v = options.values ?? {
    unit: units[0]?.id ?? '',
    newUnitId: '',
    newUnitName: '',
    hours: String(DEFAULT_CODE_HOURS),
  };
  const e = options.errors ?? {};
  const body = html`${options.issued ?? ''}
${Object.keys(e).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<form method="post" action="${ctx.url('/codes')}" class="card" data-testid="code-form" novalidate>
${csrfField(ctx)}
<label for="unit">${ctx.t('codes.unit')}</label>
<select id="unit" name="unit"${invalidAttrs(e, 'unit')}>
${units.map((u) => html`<option value="${u.id}"${u.id === v.unit ? html` selected` : ''}>${u.name} (${u.id})</option>`)}
<option value="${NEW_UNIT}"${v.unit === NEW_UNIT ? html` selected` : ''}>${ctx.t('codes.newUnitOption')}</option>
</select>
${fieldError(e, 'unit')}
<fieldset><legend>${ctx.t('codes.newUnit')}</legend>
<label for="newUnitId">${ctx.t('codes.newUnitId')}</label>
<input id="newUnitId" name="newUnitId" value="${v.newUnitId}" maxlength="63" pattern="[a-z0-9][a-z0-9\\-]*"${invalidAttrs(e, 'newUnitId')}>
${fieldError(e, 'newUnitId')}
<label for="newUnitName">${ctx.t('codes.newUnitName')}</label>
<input id="newUnitName" name="newUnitName" value="${v.newUnitName}" maxlength="120"${invalidAttrs(e, 'newUnitName')}>
${fieldError(e, 'newUnitName')}
</fieldset>
<label for="hours">${ctx.t('codes.hours')}</label>
<input id="hours" name="hours" type="number" min="1" max="8760" value="${v.hours}"${invalidAttrs(e, 'hours')}>
${fieldError(e, 'hours')}
<button type="submit" data-testid="code-submit">${ctx.t('codes.issue')}</button>
</form>
<table data-testid="codes-table"><caption>${ctx.t('codes.listCaption')}</caption>
<thead><tr><th scope="col">${ctx.t('codes.unit')}</th><th scope="col">${ctx.t('codes.created')}</th><th scope="col">${ctx.t('codes.expires')}</th><th scope="col">${ctx.t('codes.state')}</th></tr></thead>
<tbody>${
    codes.length === 0
      ? html`<tr><td colspan="4">${ctx.t('codes.none')}</td></tr>`
      : codes.map(
          (c) =>
            html`<tr data-testid="code-row" data-state="${c.state}"><td>${c.unitId}</td><td>${formatTime(ctx.locale, c.createdAt)}</td><td>${formatTime(ctx.locale, c.expiresAt)}</td><td><span class="badge ${
              c.state === 'active' ? 'ok' : c.state === 'used' ? 'info' : 'warn'
            }">${ctx.t(`codes.states.${c.state}`)}</span>${c.usedBy ? html` <code>${c.usedBy}</code> ${formatTime(ctx.locale, c.usedAt)}` : ''}</td></tr>`,
        )
  }</tbody></table>`;
  return sendHtml(
    ctx.reply,
    layout(ctx, { title: ctx.t('codes.title'), active: 'codes', body }),
    options.status ?? 200,
  );
};

const CodeForm = formBody({
  unit: formTrimmed(),
  newUnitId: formTrimmed(),
  newUnitName: formTrimmed(),
  hours: formTrimmed(),
});

export const codeRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/codes', access: 'admin' }, async (ctx) => codesPage(ctx, {}));

  route(
    app,
    cc,
    { method: 'POST', url: '/codes', access: 'admin', schema: { body: CodeForm } },
    async (ctx, { body }) => {
      const values: Values = { ...body, hours: body.hours || String(DEFAULT_CODE_HOURS) };
      const errors: FieldErrors = {};
      const hours = Number(values.hours);
      if (!Number.isFinite(hours) || hours < 1 || hours > 8760) errors['hours'] = ctx.t('codes.errors.hours');
      let unitId = values.unit;
      let unitName = '';
      if (values.unit === NEW_UNIT) {
        if (!UnitId.safeParse(values.newUnitId).success) errors['newUnitId'] = ctx.t('codes.errors.unitId');
        else if (await getUnit(cc.route.db, values.newUnitId)) errors['newUnitId'] = ctx.t('codes.errors.unitExists');
        if (values.newUnitName.length < 1 || values.newUnitName.length > 120)
          errors['newUnitName'] = ctx.t('codes.errors.unitName');
        unitId = values.newUnitId;
        unitName = values.newUnitName;
      } else if (!(await getUnit(cc.route.db, values.unit))) errors['unit'] = ctx.t('codes.errors.unknownUnit');
      if (Object.keys(errors).length > 0) return codesPage(ctx, { values, errors, status: 400 });
      const issued = await cc.route.db.transaction(async (tx) => {
        if (unitName) await ensureUnit(tx, { id: unitId, name: unitName });
        const code = await createEnrolmentCode(tx, { unitId, hours, now: ctx.now });
        await audit(tx, {
          username: ctx.session.username,
          action: 'enrolment_code_issued',
          detail: { unit: unitId, hours, expiresAt: code.expiresAt.toISOString(), newUnit: unitName !== '' },
          ip: ctx.req.ip,
          at: ctx.now,
        });
        return code;
      });
      const centralUrl = `${ctx.req.protocol}://${ctx.req.host}${cc.prefix.replace(/\/console$/, '')}`;
      const box = html`<div class="notice ok issued" role="status">
<p>${ctx.t('codes.issued', { unit: unitId, expires: formatTime(ctx.locale, issued.expiresAt) })}</p>
<p class="code" data-testid="issued-code">${issued.code}</p>
<p>${ctx.t('codes.howTo')}</p>
<pre>kioskctl enroll --central ${centralUrl} --code ${issued.code}</pre>
<p class="hint">${ctx.t('codes.onlyOnce')}</p></div>`;
      return codesPage(ctx, { issued: box });
    },
  );
};
