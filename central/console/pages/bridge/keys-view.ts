import type { IntegrationKey } from '../../../bridge/keys.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type KeyValues = { label: string; units: string };
export type KeysOptions = {
  values?: KeyValues;
  errors?: FieldErrors;
  created?: { label: string; secret: string };
  done?: Html;
};

const createdBox = (ctx: AuthedView, created: { label: string; secret: string }): Html =>
  html`<div class="notice ok issued" role="status"><p>${ctx.t('bridge.keys.created', { label: created.label })}</p>
<p class="code" data-testid="key-secret">${created.secret}</p></div>`;

const keyRow = (ctx: AuthedView, k: IntegrationKey): Html =>
  html`<tr data-testid="key-row" data-state="${k.revokedAt ? 'revoked' : 'active'}"><td>${k.label}</td><td>${k.unitIds.join(', ')}</td>
<td>${formatTime(ctx.locale, k.createdAt)} · ${k.createdBy}</td><td>${k.lastUsedAt ? formatTime(ctx.locale, k.lastUsedAt) : ctx.t('bridge.keys.never')}</td>
<td>${
    k.revokedAt
      ? html`<span class="badge warn">${ctx.t('bridge.keys.revokedAt', { at: formatTime(ctx.locale, k.revokedAt) })}</span>`
      : html`<span class="badge ok">${ctx.t('bridge.keys.active')}</span>
<form method="post" action="${ctx.url(`/bridge/keys/${k.id}/revoke`)}" class="inline">${csrfField(ctx)}<button type="submit" class="danger" data-testid="key-revoke">${ctx.t('bridge.keys.revoke')}</button></form>`
  }</td></tr>`;

/** The province admin's integration keys: create one (its secret shown once), see them, revoke. */
export const keysView = (ctx: AuthedView, keys: readonly IntegrationKey[], options: KeysOptions): Html => {
  const v = options.values ?? { label: '', units: '' };
  const e = options.errors ?? {};
  const body = html`${options.created ? createdBox(ctx, options.created) : ''}${options.done ?? ''}
${Object.keys(e).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<p>${ctx.t('bridge.keys.intro')}</p>
<form method="post" action="${ctx.url('/bridge/keys')}" class="card" data-testid="key-form" novalidate>
${csrfField(ctx)}
<label for="label">${ctx.t('bridge.keys.label')}</label>
<input id="label" name="label" value="${v.label}" maxlength="100"${invalidAttrs(e, 'label')}>
${fieldError(e, 'label')}
<label for="units">${ctx.t('bridge.keys.units')}</label>
<input id="units" name="units" value="${v.units}" maxlength="2000"${invalidAttrs(e, 'units')}>
${fieldError(e, 'units')}
<button type="submit" data-testid="key-submit">${ctx.t('bridge.keys.create')}</button>
</form>
<table data-testid="keys-table"><caption>${ctx.t('bridge.keys.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('bridge.keys.colLabel')}</th><th scope="col">${ctx.t('bridge.keys.colUnits')}</th><th scope="col">${ctx.t('bridge.keys.colCreated')}</th><th scope="col">${ctx.t('bridge.keys.colLastUsed')}</th><th scope="col">${ctx.t('bridge.keys.colState')}</th></tr></thead>
<tbody>${keys.length === 0 ? html`<tr><td colspan="5">${ctx.t('bridge.keys.none')}</td></tr>` : keys.map((k) => keyRow(ctx, k))}</tbody></table>`;
  return layout(ctx, { title: ctx.t('bridge.keys.title'), active: 'bridgeKeys', body });
};
