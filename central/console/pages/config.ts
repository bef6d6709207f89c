import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { pickText } from '../../../shared/locale.ts';
import type { ConfigProblem } from '../../../shared/node/config-loader.ts';
import {
  MAX_CONFIG_FILE_BYTES,
  buildDraft,
  getDraft,
  listDrafts,
  publishedQuestionnaires,
  saveDraft,
} from '../../ops/config-drafts.ts';
import {
  type UnitPublishResult,
  baseBundle,
  latestVersions,
  publicationHistory,
  publishDraft,
} from '../../ops/config-status.ts';
import { listDevices } from '../../ops/devices.ts';
import { getUnit, listUnits } from '../../ops/units.ts';
import { audit } from '../audit.ts';
import { cleanFileName } from '../clean-text.ts';
import {
  type AuthedCtx,
  type ConsoleContext,
  ConsoleError,
  checkCsrf,
  route,
  sendHtml,
  unitScope,
} from '../context.ts';
import { deviceStatus } from '../device-status.ts';
import { formBody, formList, lenient } from '../forms.ts';
import { type Html, html } from '../html.ts';
import { formatTime } from '../i18n.ts';
import { csrfField, layout, notice } from '../layout.ts';
import { checkDeclaredLength } from './uploads.ts';
import { shortId } from './devices.ts';

const Kind = z.enum(['auto', 'catalog', 'questionnaire']);

const problemsTable = (ctx: AuthedCtx, problems: readonly ConfigProblem[]): Html =>
  html`${notice('error', ctx.t('config.invalid', { n: problems.length }), 'config-error')}
<table class="problems" data-testid="config-problems"><caption>${ctx.t('config.problems')}</caption>
<thead><tr><th scope="col">${ctx.t('config.col.file')}</th><th scope="col">${ctx.t('config.col.field')}</th><th scope="col">${ctx.t('config.col.problem')}</th></tr></thead>
<tbody>${problems.map((p) => html`<tr data-testid="config-problem" data-path="${p.path}"><td>${p.file}</td><td><code>${p.path}</code></td><td>${p.message}</td></tr>`)}</tbody></table>`;

const configPage = async (ctx: AuthedCtx, options: { top?: Html; status?: number } = {}) => {
  const db = ctx.cc.route.db;
  const scope = unitScope(ctx.session);
  const [units, versions, devices, history] = await Promise.all([
    listUnits(db),
    latestVersions(db),
    listDevices(db),
    publicationHistory(db, scope, 20),
  ]);
  const visibleUnits = units.filter((u) => scope === null || u.id === scope);
  const visibleDevices = devices.filter((d) => scope === null || d.unit === scope);
  const admin = ctx.session.role === 'province_admin';
  const drafts = admin ? await listDrafts(db) : [];
  const body = html`${options.top ?? ''}
<section aria-labelledby="units-h"><h2 id="units-h">${ctx.t('config.units')}</h2>
<table data-testid="unit-configs"><thead><tr><th scope="col">${ctx.t('config.col.unit')}</th><th scope="col">${ctx.t('config.col.version')}</th><th scope="col">${ctx.t(
    'config.col.published',
  )}</th><th scope="col">${ctx.t('config.col.kiosks')}</th></tr></thead>
<tbody>${visibleUnits.map((u) => {
    const v = versions.get(u.id);
    const ofUnit = visibleDevices.filter((d) => d.unit === u.id && !d.revoked);
    const upToDate = ofUnit.filter(
      (d) => v && deviceStatus(d, v.version, ctx.now, ctx.cc.options).heartbeat?.configVersion === v.version,
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
          const s = deviceStatus(d, wanted, ctx.now, ctx.cc.options);
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
  return sendHtml(
    ctx.reply,
    layout(ctx, { title: ctx.t('config.title'), active: 'config', body }),
    options.status ?? 200,
  );
};

const DraftParams = z.object({ id: z.coerce.number().int().positive() });

const draftPage = async (ctx: AuthedCtx, id: number, options: { top?: Html; status?: number } = {}) => {
  const db = ctx.cc.route.db;
  const draft = await getDraft(db, id);
  if (!draft) throw new ConsoleError(404, 'errors.notFound');
  const [units, versions] = await Promise.all([listUnits(db), latestVersions(db)]);
  const b = draft.bundle;
  const body = html`${options.top ?? ''}
<dl class="facts">
<dt>${ctx.t('config.col.file')}</dt><dd>${draft.fileName}</dd>
<dt>${ctx.t('config.col.version')}</dt><dd><code data-testid="draft-version">${draft.version}</code></dd>
<dt>${ctx.t('config.createdBy')}</dt><dd>${draft.createdBy} · ${formatTime(ctx.locale, draft.createdAt)}</dd>
<dt>${ctx.t('config.catalog')}</dt><dd>${ctx.t('config.catalogSummary', { version: b.catalog.version, fields: b.catalog.fields.length, procedures: b.catalog.procedures.length })}</dd>
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
  return sendHtml(
    ctx.reply,
    layout(ctx, { title: ctx.t('config.draftTitle', { id: draft.id }), active: 'config', body }),
    options.status ?? 200,
  );
};

const publishResults = (ctx: AuthedCtx, results: readonly UnitPublishResult[]): Html =>
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

export const configRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/config', access: 'viewer' }, async (ctx) => configPage(ctx));

  route(app, cc, { method: 'POST', url: '/config/drafts', access: 'admin', csrf: 'handler' }, async (ctx) => {
    checkDeclaredLength(ctx.req, MAX_CONFIG_FILE_BYTES + 64 * 1024);
    if (!ctx.req.isMultipart()) throw new ConsoleError(415, 'errors.badRequest');
    const fields: Record<string, string> = {};
    let file: { name: string; bytes: Buffer; truncated: boolean } | undefined;
    let tokenChecked = false;
    for await (const part of ctx.req.parts({ limits: { fileSize: MAX_CONFIG_FILE_BYTES, files: 1, fields: 5 } })) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : '';
        if (part.fieldname === '_csrf' && !tokenChecked) {
          checkCsrf(ctx.session, value);
          tokenChecked = true;
        } else fields[part.fieldname] = value;
        continue;
      }
      if (!tokenChecked) checkCsrf(ctx.session, undefined);
      const bytes = await part.toBuffer();
      file = { name: cleanFileName(part.filename), bytes, truncated: part.file.truncated };
    }
    if (!tokenChecked) checkCsrf(ctx.session, undefined);
    const refuse = (problems: ConfigProblem[]) => configPage(ctx, { top: problemsTable(ctx, problems), status: 400 });
    if (!file || (file.bytes.length === 0 && file.name === '(no name)'))
      return configPage(ctx, { top: notice('error', ctx.t('config.noFile'), 'config-error'), status: 400 });
    if (file.truncated)
      return refuse([
        {
          file: file.name,
          path: '(root)',
          message: ctx.t('config.tooLarge', { max: MAX_CONFIG_FILE_BYTES / 1024 / 1024 }),
        },
      ]);
    if (!/\.json$/i.test(file.name))
      return refuse([{ file: file.name, path: '(root)', message: ctx.t('config.wrongType') }]);
    const kind = Kind.catch('auto').parse(fields['kind']);
    const baseUnit = fields['baseUnit'] && (await getUnit(cc.route.db, fields['baseUnit'])) ? fields['baseUnit'] : null;
    const base = await baseBundle(cc.route.db, baseUnit, cc.route.centralKey);
    const built = buildDraft(
      base,
      { fileName: file.name, bytes: file.bytes, kind },
      await publishedQuestionnaires(cc.route.db),
    );
    if (!built.ok) return refuse(built.problems);
    const id = await cc.route.db.transaction(async (tx) => {
      const draftId = await saveDraft(tx, {
        createdBy: ctx.session.username,
        baseUnitId: baseUnit,
        fileName: file.name,
        loaded: built.loaded,
        now: ctx.now,
      });
      await audit(tx, {
        username: ctx.session.username,
        action: 'config_draft_created',
        detail: { draft: draftId, file: file.name, version: built.loaded.version, change: built.change },
        ip: ctx.req.ip,
        at: ctx.now,
      });
      return draftId;
    });
    return ctx.reply.redirect(`${cc.prefix}/config/drafts/${id}?valid=1`, 303);
  });

  route(
    app,
    cc,
    {
      method: 'GET',
      url: '/config/drafts/:id',
      access: 'admin',
      schema: { params: DraftParams, querystring: z.object({ valid: lenient(z.string()) }) },
    },
    async (ctx, { params, query }) => {
      return draftPage(ctx, params.id, {
        top: query.valid ? notice('ok', ctx.t('config.validDraft'), 'config-ok') : undefined,
      });
    },
  );

  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/config/drafts/:id/publish',
      access: 'admin',
      schema: { params: DraftParams, body: formBody({ units: formList() }) },
    },
    async (ctx, { params, body }) => {
      const draft = await getDraft(cc.route.db, params.id);
      if (!draft) throw new ConsoleError(404, 'errors.notFound');
      const wanted = [...new Set(body.units)];
      const known = new Set((await listUnits(cc.route.db)).map((u) => u.id));
      const unknown = wanted.filter((u) => !known.has(u));
      if (wanted.length === 0 || unknown.length > 0) {
        const message =
          wanted.length === 0
            ? ctx.t('config.chooseUnits')
            : ctx.t('config.unknownUnits', { units: unknown.join(', ') });
        return draftPage(ctx, draft.id, { top: notice('error', message, 'config-error'), status: 400 });
      }
      const results = await publishDraft(cc.route.db, draft, wanted, cc.route.centralKey, ctx.now);
      for (const r of results) {
        await audit(cc.route.db, {
          username: ctx.session.username,
          action: 'config_published',
          detail: r.ok
            ? { draft: draft.id, unit: r.unitId, status: r.outcome.status, version: r.outcome.version }
            : { draft: draft.id, unit: r.unitId, status: 'refused', problems: r.problems },
          ip: ctx.req.ip,
          at: ctx.now,
        });
      }
      return draftPage(ctx, draft.id, { top: publishResults(ctx, results) });
    },
  );
};
