import { pickText } from '../../../../shared/locale.ts';
import type { ConfigProblem } from '../../../../shared/node/config-loader.ts';
import type { ConfigDraft, listDrafts } from '../../../ops/config-drafts.ts';
import type { UnitPublishResult, latestVersions, publicationHistory } from '../../../ops/config-status.ts';
import type { DeviceReport } from '../../../ops/devices.ts';
import type { Unit } from '../../../ops/units.ts';
import { type StatusOptions, deviceStatus } from '../../device-status.ts';
import { shortId } from '../../format.ts';
import { type Html, html } from '../../html.ts';
import { formatTime } from '../../i18n.ts';
import { csrfField, layout, notice } from '../../layout.ts';
import type { AuthedView } from '../../view.ts';

type Versions = Awaited<ReturnType<typeof latestVersions>>;

export const problemsTable = (ctx: AuthedView, problems: readonly ConfigProblem[]): Html =>
  html`${notice('error', ctx.t('config.invalid', { n: problems.length }), 'config-error')}
<table class="problems" data-testid="config-problems"><caption>${ctx.t('config.problems')}</caption>
<thead><tr><th scope="col">${ctx.t('config.col.file')}</th><th scope="col">${ctx.t('config.col.field')}</th><th scope="col">${ctx.t('config.col.problem')}</th></tr></thead>
<tbody>${problems.map((p) => html`<tr data-testid="config-problem" data-path="${p.path}"><td>${p.file}</td><td><code>${p.path}</code></td><td>${p.message}</td></tr>`)}</tbody></table>`;

export type ConfigData = {
  /** The units and kiosks this account may see. */
  units: readonly Unit[];
  /** Every unit (a draft may be based on any, for a province admin). */
  allUnits: readonly Unit[];
  devices: readonly DeviceReport[];
  versions: Versions;
  history: Awaited<ReturnType<typeof publicationHistory>>;
  /** Drafts waiting (a province admin only). */
  drafts: Awaited<ReturnType<typeof listDrafts>>;
  statusOptions: StatusOptions;
};

/** Each unit's configuration and its kiosks' versions; for an admin the upload form and the drafts. */
export const configView = (ctx: AuthedView, data: ConfigData, options: { top?: Html } = {}): Html => {
  const { units: visibleUnits, allUnits: units, devices: visibleDevices, versions, history, drafts } = data;
  const admin = ctx.session.role === 'province_admin';
  const body = html`${options.top ?? ''}
<section aria-labelledby="units-h"><h2 id="units-h">${ctx.t('config.units')}</h2>
<table data-testid="unit-configs"><thead><tr><th scope="col">${ctx.t('config.col.unit')}</th><th scope="col">${ctx.t('config.col.version')}</th><th scope="col">${ctx.t(
    'config.col.published',
  )}</th><th scope="col">${ctx.t('config.col.kiosks')}</th></tr></thead>
<tbody>${visibleUnits.map((u) => {
    const v = versions.get(u.id);
    const ofUnit = visibleDevices.filter((d) => d.unit === u.id && !d.revoked);
    const upToDate = ofUnit.filter(
      (d) => v && deviceStatus(d, v.version, ctx.now, data.statusOptions).heartbeat?.configVersion === v.version,
    ).length;
    return html`<tr data-testid="unit-config" data-unit="${u.id}"><th scope="row">${u.name} <small>(${u.id})</small></th><td><code>${v?.version ?? ctx.t('config.nothingPublished')}</code></td><td>${
      v ? formatTime(ctx.locale, v.publishedAt) : ''
    }</td><td>${ctx.t('config.kiosksOnIt', { n: upToDate, total: ofUnit.length })}</td></tr>`;
  })}</tbody></table></section>
<section aria-labelledby="kiosks-h"><h2 id="kiosks-h">${ctx.t('config.kiosks')}</h2>
<table data-testid="kiosk-configs"><thead><tr><th scope="col">${ctx.t('devices.col.device')}</th><th scope="col">${ctx.t('config.col.unit')}</th><th scope="col">${ctx.t(
    'config.col.running',
  )}</th><th scope="col">${ctx.t('config.col.state')}</th></tr></thead>
<tbody>${
    visibleDevices.length === 0
      ? html`<tr><td colspan="4">${ctx.t('devices.empty')}</td></tr>`
      : visibleDevices.map((d) => {
          const wanted = versions.get(d.unit)?.version ?? null;
          const s = deviceStatus(d, wanted, ctx.now, data.statusOptions);
          const running = s.heartbeat?.configVersion ?? null;
          const state = d.revoked
            ? 'revoked'
            : running === null
              ? 'unknown'
              : wanted === null || running === wanted
                ? 'current'
                : 'outdated';
          return html`<tr data-testid="kiosk-config" data-device="${d.id}" data-state="${state}" data-running="${running ?? ''}"><th scope="row"><a href="${ctx.url(
            `/devices/${encodeURIComponent(d.id)}`,
          )}">${d.label ?? shortId(d.id)}</a></th><td>${d.unit}</td><td><code>${running ?? '–'}</code></td><td><span class="badge ${state === 'current' ? 'ok' : state === 'outdated' ? 'warn' : 'info'}">${ctx.t(
            `config.states.${state}`,
          )}</span>${state === 'outdated' && wanted ? html` <small>${ctx.t('devices.expected', { version: wanted })}</small>` : ''}</td></tr>`;
        })
  }</tbody></table></section>
${
  admin
    ? html`<section aria-labelledby="upload-h"><h2 id="upload-h">${ctx.t('config.upload')}</h2>
<p>${ctx.t('config.uploadIntro')}</p>
<form method="post" action="${ctx.url('/config/drafts')}" enctype="multipart/form-data" class="card" data-testid="config-form">
${csrfField(ctx)}
<label for="baseUnit">${ctx.t('config.baseUnit')}</label>
<select id="baseUnit" name="baseUnit">${units.map((u) => html`<option value="${u.id}">${u.name} (${u.id})</option>`)}</select>
<label for="kind">${ctx.t('config.kind')}</label>
<select id="kind" name="kind"><option value="auto">${ctx.t('config.kinds.auto')}</option><option value="catalog">${ctx.t('config.kinds.catalog')}</option><option value="questionnaire">${ctx.t(
        'config.kinds.questionnaire',
      )}</option></select>
<label for="config-file">${ctx.t('config.file')}</label>
<input id="config-file" name="file" type="file" accept=".json,application/json" required data-testid="config-file">
<button type="submit" data-testid="config-submit">${ctx.t('config.validate')}</button>
</form></section>
<section aria-labelledby="drafts-h"><h2 id="drafts-h">${ctx.t('config.drafts')}</h2>
${
  drafts.length === 0
    ? html`<p>${ctx.t('config.noDrafts')}</p>`
    : html`<ul>${drafts.map(
        (d) =>
          html`<li><a href="${ctx.url(`/config/drafts/${d.id}`)}">#${d.id} ${d.fileName}</a> · <code>${d.version}</code> · ${d.createdBy} · ${formatTime(ctx.locale, d.createdAt)}</li>`,
      )}</ul>`
}</section>`
    : ''
}
<section aria-labelledby="history-h"><h2 id="history-h">${ctx.t('config.history')}</h2>
<ul>${history.map((h) => html`<li>${formatTime(ctx.locale, h.publishedAt)} · ${h.unitId} · <code>${h.version}</code></li>`)}</ul></section>`;
  return layout(ctx, { title: ctx.t('config.title'), active: 'config', body });
};

export type DraftData = { draft: ConfigDraft; units: readonly Unit[]; versions: Versions };

/** A validated draft: what it holds, and the form to publish it to chosen units. */
export const draftView = (ctx: AuthedView, data: DraftData, options: { top?: Html } = {}): Html => {
  const { draft, units, versions } = data;
  const b = draft.bundle;
  const body = html`${options.top ?? ''}
<dl class="facts">
<dt>${ctx.t('config.col.file')}</dt><dd>${draft.fileName}</dd>
<dt>${ctx.t('config.col.version')}</dt><dd><code data-testid="draft-version">${draft.version}</code></dd>
<dt>${ctx.t('config.createdBy')}</dt><dd>${draft.createdBy} · ${formatTime(ctx.locale, draft.createdAt)}</dd>
<dt>${ctx.t('config.catalog')}</dt><dd>${ctx.t('config.catalogSummary', { version: b.catalog.version, fields: b.catalog.fields.length, procedures: b.catalog.procedures.length })}</dd>
${
  b.languagePacks?.length
    ? html`<dt>${ctx.t('config.languagePacks')}</dt><dd data-testid="draft-language-packs">${b.languagePacks.map(
        (p, i) =>
          html`${i > 0 ? '; ' : ''}<span lang="${p.locale}">${ctx.t('config.languagePack', { locale: p.locale, name: p.name, review: ctx.t(p.review === 'reviewed' ? 'config.packReview.reviewed' : 'config.packReview.needs-native-speaker') })}</span>`,
      )}</dd>`
    : ''
}
</dl>
<table><caption>${ctx.t('config.questionnaires')}</caption><thead><tr><th scope="col">${ctx.t('config.col.id')}</th><th scope="col">${ctx.t('config.col.qversion')}</th><th scope="col">${ctx.t(
    'config.col.title',
  )}</th><th scope="col">${ctx.t('config.col.questions')}</th></tr></thead>
<tbody>${b.questionnaires.map((q) => html`<tr><th scope="row">${q.id}</th><td>${q.version}</td><td>${pickText(q.title, ctx.locale)}</td><td class="num">${q.questions.length}</td></tr>`)}</tbody></table>
<form method="post" action="${ctx.url(`/config/drafts/${draft.id}/publish`)}" class="card" data-testid="publish-form">
${csrfField(ctx)}
<fieldset><legend>${ctx.t('config.publishTo')}</legend>
${units.map(
  (u) =>
    html`<div class="check"><input type="checkbox" id="unit-${u.id}" name="units" value="${u.id}"${u.id === draft.baseUnitId ? html` checked` : ''}><label for="unit-${u.id}">${u.name} (${u.id}) <small>${ctx.t(
      'config.currently',
      { version: versions.get(u.id)?.version ?? ctx.t('config.nothingPublished') },
    )}</small></label></div>`,
)}
</fieldset>
<p class="hint">${ctx.t('config.publishExplain')}</p>
<button type="submit" data-testid="publish-submit">${ctx.t('config.publish')}</button>
</form>`;
  return layout(ctx, { title: ctx.t('config.draftTitle', { id: draft.id }), active: 'config', body });
};

export const publishResults = (ctx: AuthedView, results: readonly UnitPublishResult[]): Html =>
  html`<ul class="publish-results" data-testid="publish-results">${results.map((r) =>
    r.ok
      ? html`<li data-testid="publish-result" data-unit="${r.unitId}" data-status="${r.outcome.status}">${ctx.t(
          r.outcome.status === 'published' ? 'config.published' : 'config.unchanged',
          {
            unit: r.unitId,
            version: r.outcome.version,
          },
        )}</li>`
      : html`<li data-testid="publish-result" data-unit="${r.unitId}" data-status="refused">${ctx.t('config.refused', { unit: r.unitId })}<ul>${r.problems.map((p) => html`<li>${p}</li>`)}</ul></li>`,
  )}</ul>`;
