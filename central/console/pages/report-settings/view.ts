import { DEFAULT_REPORT_SETTINGS, type ReportSettings } from '../../../../shared/reports/settings.ts';
import { type Html, html } from '../../html.ts';
import { type ConsoleKey, formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

export type SettingsData = {
  settings: ReportSettings;
  saved: { by: string; at: Date } | undefined;
  /** What the textarea shows: the settings in force, or what was sent when it was refused. */
  text: string;
};
export type SettingsOptions = { top?: Html; status?: number };

const KEYS = Object.keys(DEFAULT_REPORT_SETTINGS) as (keyof ReportSettings)[];
const meaningKey = (k: keyof ReportSettings): ConsoleKey => `reportSettings.keys.${k}`;

/** The settings in force with each default and what it means; a JSON form to replace them. */
export const reportSettingsView = (ctx: AuthedView, data: SettingsData, options: SettingsOptions): Html => {
  const rows = KEYS.map((k) => {
    const value = JSON.stringify(data.settings[k]);
    const fallback = JSON.stringify(DEFAULT_REPORT_SETTINGS[k]);
    return html`<tr data-testid="setting-row" data-key="${k}"><th scope="row"><code>${k}</code></th><td><code>${value}</code> <span class="badge ${
      value === fallback ? 'info' : 'warn'
    }">${ctx.t(value === fallback ? 'reportSettings.isDefault' : 'reportSettings.changed')}</span></td><td><code>${fallback}</code></td><td>${ctx.t(meaningKey(k))}</td></tr>`;
  });
  const body = html`<p>${ctx.t('reportSettings.intro')}</p>
${options.top ?? ''}
<p>${data.saved ? ctx.t('reportSettings.lastSaved', { who: data.saved.by, at: formatTime(ctx.locale, data.saved.at) }) : ctx.t('reportSettings.neverSaved')}</p>
<table data-testid="settings-table"><caption>${ctx.t('reportSettings.caption')}</caption>
<thead><tr><th scope="col">${ctx.t('reportSettings.key')}</th><th scope="col">${ctx.t('reportSettings.value')}</th><th scope="col">${ctx.t('reportSettings.default')}</th><th scope="col">${ctx.t('reportSettings.meaning')}</th></tr></thead>
<tbody>${rows}</tbody></table>
<form method="post" action="${ctx.url('/report-settings')}" class="card" data-testid="settings-form">
${csrfField(ctx)}
<label for="settings">${ctx.t('reportSettings.json')}</label>
<textarea id="settings" name="settings" rows="20" cols="80" spellcheck="false">${data.text}</textarea>
<button type="submit">${ctx.t('reportSettings.save')}</button>
</form>`;
  return layout(ctx, { title: ctx.t('reportSettings.title'), active: 'reportSettings', body });
};

export const settingsNotice = (kind: 'ok' | 'error', text: string | Html): Html =>
  notice(kind, text, `settings-${kind}`);
