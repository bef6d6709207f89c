import { DEFAULT_CODE_HOURS } from '../../../ops/enrolment-codes.ts';
import type { CodeListing } from '../../../ops/enrolment-code-list.ts';
import { UNIT_KINDS, type Unit } from '../../../ops/units.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

/** The unit choice that opens the "new unit" fields. */
export const NEW_UNIT = '__new__';

export type CodeValues = {
  unit: string;
  newUnitId: string;
  newUnitName: string;
  newUnitParent: string;
  newUnitKind: string;
  hours: string;
};
export type CodesData = { units: readonly Unit[]; codes: readonly CodeListing[] };
export type CodesOptions = { values?: CodeValues; errors?: FieldErrors; issued?: Html };

/** Issue an enrolment code (for a unit, or a new one) and the codes issued so far. */
export const codesView = (ctx: AuthedView, data: CodesData, options: CodesOptions): Html => {
  const { units, codes } = data;
  const v = options.values ?? {
    unit: units[0]?.id ?? '',
    newUnitId: '',
    newUnitName: '',
    newUnitParent: '',
    newUnitKind: '',
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
<label for="newUnitParent">${ctx.t('units.parent')}</label>
<select id="newUnitParent" name="newUnitParent"${invalidAttrs(e, 'newUnitParent')}><option value="">${ctx.t('units.noParent')}</option>
${units.map((u) => html`<option value="${u.id}"${u.id === v.newUnitParent ? html` selected` : ''}>${u.name} (${u.id})</option>`)}
</select>
${fieldError(e, 'newUnitParent')}
<label for="newUnitKind">${ctx.t('units.kind')}</label>
<select id="newUnitKind" name="newUnitKind"${invalidAttrs(e, 'newUnitKind')}>
${UNIT_KINDS.map((k) => html`<option value="${k}"${k === (v.newUnitKind || 'unit') ? html` selected` : ''}>${ctx.t(`units.kinds.${k}`)}</option>`)}
</select>
${fieldError(e, 'newUnitKind')}
<p class="hint">${ctx.t('units.addHint')}</p>
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
  return layout(ctx, { title: ctx.t('codes.title'), active: 'codes', body });
};

/** The code just issued, with the command that enrols a kiosk with it. */
export const issuedBox = (
  ctx: AuthedView,
  issued: { code: string; expiresAt: Date },
  unitId: string,
  centralUrl: string,
): Html =>
  html`<div class="notice ok issued" role="status">
<p>${ctx.t('codes.issued', { unit: unitId, expires: formatTime(ctx.locale, issued.expiresAt) })}</p>
<p class="code" data-testid="issued-code">${issued.code}</p>
<p>${ctx.t('codes.howTo')}</p>
<pre>kioskctl enroll --central ${centralUrl} --code ${issued.code}</pre>
<p class="hint">${ctx.t('codes.onlyOnce')}</p></div>`;
