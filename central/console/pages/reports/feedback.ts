import type { FeedbackFigures } from '../../../reports/engine/feedback.ts';
import { type Html, html } from '../../html.ts';
import { formatNumber } from '../../i18n.ts';
import type { AuthedView } from '../../view.ts';

const percent = (v: AuthedView, share: number | null): string =>
  share === null ? '–' : `${formatNumber(v.locale, Math.round(share * 1000) / 10)} %`;

/** Feedback handling for the report's units and period (central/reports/engine/feedback.ts says what is counted). */
export const feedbackSection = (v: AuthedView, rows: readonly FeedbackFigures[]): Html => {
  const total = rows.at(-1);
  if (!total || total.asked === 0)
    return html`<section data-testid="report-feedback"><h2>${v.t('followUps.figures.title')}</h2><p>${v.t('followUps.figures.none')}</p></section>`;
  const cols = ['asked', 'closed', 'onTime', 'late', 'pending'] as const;
  const line = (r: FeedbackFigures): Html =>
    html`<tr data-testid="feedback-row" data-unit="${r.unitId ?? ''}"><th scope="row">${r.unitId ?? v.t('followUps.figures.total')}</th>${cols.map(
      (k) => html`<td>${formatNumber(v.locale, r[k])}</td>`,
    )}<td data-testid="feedback-share">${percent(v, r.shareOnTime)}</td></tr>`;
  return html`<section data-testid="report-feedback"><h2>${v.t('followUps.figures.title')}</h2>
<div class="scroll"><table><caption>${v.t('followUps.figures.caption')}</caption>
<thead><tr><th scope="col">${v.t('followUps.unit')}</th>${cols.map(
    (k) => html`<th scope="col">${v.t(`followUps.figures.${k}`)}</th>`,
  )}<th scope="col">${v.t('followUps.figures.share')}</th></tr></thead>
<tbody>${rows.map(line)}</tbody></table></div></section>`;
};
