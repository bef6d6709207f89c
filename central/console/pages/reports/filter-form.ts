import { Grouping } from '../../../../shared/reports/query.ts';
import { type FieldErrors, fieldError, invalidAttrs } from '../../forms.ts';
import { type Html, flag, html } from '../../html.ts';
import type { ConsoleKey } from '../../i18n.ts';
import type { AuthedView } from '../../view.ts';
import { PeriodKind, REPORT_KINDS, type ReportForm } from './filters.ts';
import type { UnitOption } from './units.ts';

export type FormData = {
  form: ReportForm;
  errors: FieldErrors;
  units: readonly UnitOption[];
  /** Whether this viewer may group or filter by officer (settings.officerFiguresRoles). */
  officerFigures: boolean;
  /** A province admin may ask for every unit at once; a unit viewer picks among their own. */
  allUnitsOption: boolean;
};

const PERIOD_LABELS: Record<PeriodKind, ConsoleKey> = {
  month: 'reports.form.periodMonth',
  quarter: 'reports.form.periodQuarter',
  year: 'reports.form.periodYear',
  range: 'reports.form.periodRange',
};

const text = (
  v: AuthedView,
  d: FormData,
  name: keyof ReportForm & string,
  label: ConsoleKey,
  more: Html = html``,
): Html => {
  const value = d.form[name];
  return html`<div class="field"><label for="f-${name}">${v.t(label)}</label>
<input id="f-${name}" name="${name}" value="${typeof value === 'string' ? value : ''}"${more}${invalidAttrs(d.errors, name)}>${fieldError(d.errors, name)}</div>`;
};

const select = (
  v: AuthedView,
  d: FormData,
  name: string,
  id: string,
  label: ConsoleKey,
  options: readonly { value: string; label: string }[],
  selected: string,
): Html =>
  html`<div class="field"><label for="${id}">${v.t(label)}</label>
<select id="${id}" name="${name}"${invalidAttrs(d.errors, name)}>${options.map(
    (o) => html`<option value="${o.value}"${flag('selected', o.value === selected)}>${o.label}</option>`,
  )}</select></div>`;

const periodFields = (v: AuthedView, d: FormData): Html => {
  const kind = PeriodKind.safeParse(d.form.period).data ?? 'range';
  return html`<fieldset class="period"><legend>${v.t('reports.form.period')}</legend>
<div class="choices">${PeriodKind.options.map(
    (k) =>
      html`<span class="check"><input type="radio" id="f-period-${k}" name="period" value="${k}"${flag('checked', k === kind)}><label for="f-period-${k}">${v.t(
        PERIOD_LABELS[k],
      )}</label></span>`,
  )}</div>
<div class="period-inputs">
${text(v, d, 'month', 'reports.form.month', html` type="month" placeholder="2026-10" pattern="\\d{4}-\\d{2}"`)}
${select(
  v,
  d,
  'quarter',
  'f-quarter',
  'reports.form.quarter',
  ['1', '2', '3', '4'].map((q) => ({ value: q, label: `Q${q}` })),
  d.form.quarter,
)}
${text(v, d, 'year', 'reports.form.year', html` inputmode="numeric" placeholder="2026" size="5"`)}
${text(v, d, 'from', 'reports.form.from', html` type="date"`)}
${text(v, d, 'to', 'reports.form.to', html` type="date"`)}
</div>${fieldError(d.errors, 'quarter')}</fieldset>`;
};

const unitField = (v: AuthedView, d: FormData): Html => {
  const options = [
    ...(d.allUnitsOption ? [{ value: '', label: v.t('reports.form.allUnits') }] : []),
    ...d.units.map((u) => ({ value: u.id, label: `${'— '.repeat(u.depth)}${u.name}` })),
  ];
  return html`${select(v, d, 'unit', 'f-unit', 'reports.form.unit', options, d.form.unit)}
<div class="field check"><input type="checkbox" id="f-withSubunits" name="withSubunits" value="1"${flag(
    'checked',
    d.form.withSubunits !== '',
  )}><label for="f-withSubunits">${v.t('reports.form.withSubunits')}</label></div>`;
};

const groupingFields = (v: AuthedView, d: FormData): Html => {
  const choices = Grouping.options.filter((g) => g !== 'officer' || d.officerFigures);
  const options = [
    { value: '', label: v.t('reports.form.noGrouping') },
    ...choices.map((g) => ({ value: g, label: v.t(`reports.groupings.${g}`) })),
  ];
  return html`${select(v, d, 'by', 'f-by1', 'reports.form.by1', options, d.form.by[0] ?? '')}
${select(v, d, 'by', 'f-by2', 'reports.form.by2', options, d.form.by[1] ?? '')}${fieldError(d.errors, 'by')}`;
};

/**
 * The filters as a GET form: submitting it makes the URL the report, so a leader can bookmark
 * "this quarter, my commune, by procedure" and open it again next quarter with one change.
 */
export const filterForm = (v: AuthedView, d: FormData): Html =>
  html`<form method="get" action="${v.url('/reports')}" class="report-filters no-print" data-testid="report-form" novalidate>
${
  Object.keys(d.errors).length > 0
    ? html`<div class="notice error" role="alert" data-testid="report-form-error">${v.t('reports.form.invalid')}<ul>${Object.values(
        d.errors,
      ).map((e) => html`<li>${e}</li>`)}</ul></div>`
    : ''
}
<fieldset><legend class="visually-hidden">${v.t('reports.form.legend')}</legend>
<div class="row">
${select(
  v,
  d,
  'report',
  'f-report',
  'reports.form.report',
  REPORT_KINDS.map((k) => ({ value: k, label: v.t(`reports.kinds.${k}`) })),
  d.form.report,
)}${fieldError(d.errors, 'report')}
${unitField(v, d)}
</div>
${periodFields(v, d)}
<div class="row">${groupingFields(v, d)}</div>
<details class="more"${flag('open', moreOpen(d))}><summary>${v.t('reports.form.more')}</summary>
<div class="row">
${text(v, d, 'field', 'reports.form.field', html` size="12"`)}
${text(v, d, 'procedure', 'reports.form.procedure', html` size="14"`)}
${d.officerFigures || d.form.officer !== '' ? text(v, d, 'officer', 'reports.form.officer', html` size="10"`) : ''}
${text(v, d, 'counter', 'reports.form.counter', html` size="8"`)}
${text(v, d, 'questionnaire', 'reports.form.questionnaire', html` size="12"`)}
${text(v, d, 'version', 'reports.form.version', html` inputmode="numeric" size="4"`)}
</div>
</details>
<div class="row">
${text(v, d, 'search', 'reports.form.search', html` type="search" size="30" maxlength="200"`)}
<div class="field check"><input type="checkbox" id="f-includeFlagged" name="includeFlagged" value="1"${flag(
    'checked',
    d.form.includeFlagged !== '',
  )}><label for="f-includeFlagged">${v.t('reports.form.includeFlagged')}</label></div>
</div>
<button type="submit" data-testid="report-submit">${v.t('reports.form.submit')}</button>
</fieldset>
</form>`;

/** The "more filters" box starts open when one of its filters is set or wrong, so nothing is hidden from the reader. */
const moreOpen = (d: FormData): boolean =>
  (['field', 'procedure', 'officer', 'counter', 'questionnaire', 'version'] as const).some(
    (k) => d.form[k] !== '' || d.errors[k] !== undefined,
  );
