import { UNIT_KINDS, type UnitNode } from '../../../ops/units.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, html } from '../../html.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type NewUnitValues = { id: string; name: string; parent: string; kind: string };
export type UnitsOptions = { top?: Html; values?: NewUnitValues; errors?: FieldErrors; status?: number };

const kindSelect = (ctx: AuthedView, id: string, current: string): Html =>
  html`<select id="${id}" name="kind">${UNIT_KINDS.map(
    (k) => html`<option value="${k}"${k === current ? html` selected` : ''}>${ctx.t(`units.kinds.${k}`)}</option>`,
  )}</select>`;

const parentSelect = (ctx: AuthedView, units: readonly UnitNode[], id: string, current: string, self?: string): Html =>
  html`<select id="${id}" name="parent"><option value="">${ctx.t('units.noParent')}</option>${units
    .filter((u) => u.id !== self)
    .map(
      (u) =>
        html`<option value="${u.id}"${u.id === current ? html` selected` : ''}>${'\u00a0\u00a0'.repeat(u.depth)}${u.name} (${u.id})</option>`,
    )}</select>`;

const row = (ctx: AuthedView, units: readonly UnitNode[], u: UnitNode): Html => {
  const f = `u-${u.id}`;
  return html`<tr data-testid="unit-row" data-unit="${u.id}" data-depth="${u.depth}"><td><code>${'\u00a0\u00a0'.repeat(u.depth)}${u.id}</code></td>
<td colspan="4"><form method="post" action="${ctx.url(`/units/${u.id}`)}" class="inline" data-testid="unit-form-${u.id}">
${csrfField(ctx)}
<label for="${f}-name">${ctx.t('units.name')}</label><input id="${f}-name" name="name" value="${u.name}" maxlength="120">
<label for="${f}-kind">${ctx.t('units.kind')}</label>${kindSelect(ctx, `${f}-kind`, u.kind)}
<label for="${f}-parent">${ctx.t('units.parent')}</label>${parentSelect(ctx, units, `${f}-parent`, u.parentId ?? '', u.id)}
<label for="${f}-public">${ctx.t('units.public')}</label><select id="${f}-public" name="public"><option value="off"${u.publicReport ? '' : html` selected`}>${ctx.t('units.publicOff')}</option><option value="on"${u.publicReport ? html` selected` : ''}>${ctx.t('units.publicOn')}</option></select>
<button type="submit">${ctx.t('units.save')}</button></form></td></tr>`;
};

/** The unit tree, each unit editable (name, kind, parent, public page), and a form to add one. */
export const unitsView = (ctx: AuthedView, units: readonly UnitNode[], options: UnitsOptions): Html => {
  const v = options.values ?? { id: '', name: '', parent: '', kind: 'commune' };
  const e = options.errors ?? {};
  const body = html`${options.top ?? ''}
<table data-testid="units-table"><caption>${ctx.t('units.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('units.id')}</th><th scope="col" colspan="4">${ctx.t('units.name')} · ${ctx.t('units.kind')} · ${ctx.t('units.parent')} · ${ctx.t('units.public')}</th></tr></thead>
<tbody>${units.map((u) => row(ctx, units, u))}</tbody></table>
<h2>${ctx.t('units.add')}</h2>
<p class="hint">${ctx.t('units.addHint')}</p>
${Object.keys(e).length > 0 ? notice('error', ctx.t('common.fixErrors'), 'form-error') : ''}
<form method="post" action="${ctx.url('/units')}" class="card" data-testid="unit-add-form" novalidate>
${csrfField(ctx)}
<label for="id">${ctx.t('units.id')}</label>
<input id="id" name="id" value="${v.id}" maxlength="63"${invalidAttrs(e, 'id')}>${fieldError(e, 'id')}
<label for="name">${ctx.t('units.name')}</label>
<input id="name" name="name" value="${v.name}" maxlength="120"${invalidAttrs(e, 'name')}>${fieldError(e, 'name')}
<label for="kind">${ctx.t('units.kind')}</label>${kindSelect(ctx, 'kind', v.kind)}${fieldError(e, 'kind')}
<label for="parent">${ctx.t('units.parent')}</label>${parentSelect(ctx, units, 'parent', v.parent)}${fieldError(e, 'parent')}
<button type="submit">${ctx.t('units.add')}</button>
</form>`;
  return layout(ctx, { title: ctx.t('units.title'), active: 'units', body });
};
