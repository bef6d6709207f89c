import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ConfigProblem } from '../../../../shared/node/config-loader.ts';
import {
  MAX_CONFIG_FILE_BYTES,
  buildDraft,
  getDraft,
  listDrafts,
  publishedQuestionnaires,
  saveDraft,
} from '../../../ops/config-drafts.ts';
import { baseBundle, latestVersions, publicationHistory, publishDraft } from '../../../ops/config-status.ts';
import { listDevices } from '../../../ops/devices.ts';
import { getUnit, listUnits } from '../../../ops/units.ts';
import { audit } from '../../audit.ts';
import { cleanFileName } from '../../clean-text.ts';
import {
  type AuthedCtx,
  type ConsoleContext,
  ConsoleError,
  checkCsrf,
  route,
  sendHtml,
  unitScope,
} from '../../context.ts';
import { formBody, formList, lenient } from '../../forms.ts';
import type { Html } from '../../html.ts';
import { notice } from '../../layout.ts';
import { checkDeclaredLength } from '../../upload/limits.ts';
import { configView, draftView, problemsTable, publishResults } from './view.ts';

const Kind = z.enum(['auto', 'catalog', 'questionnaire']);
const DraftParams = z.object({ id: z.coerce.number().int().positive() });

const configPage = async (ctx: AuthedCtx, options: { top?: Html; status?: number } = {}) => {
  const db = ctx.cc.route.db;
  const scope = unitScope(ctx.session);
  const [units, versions, devices, history] = await Promise.all([
    listUnits(db),
    latestVersions(db),
    listDevices(db),
    publicationHistory(db, scope, 20),
  ]);
  const drafts = ctx.session.role === 'province_admin' ? await listDrafts(db) : [];
  const data = {
    units: units.filter((u) => scope === null || u.id === scope),
    allUnits: units,
    devices: devices.filter((d) => scope === null || d.unit === scope),
    versions,
    history,
    drafts,
    statusOptions: ctx.cc.options,
  };
  return sendHtml(ctx.reply, configView(ctx, data, options), options.status ?? 200);
};

const draftPage = async (ctx: AuthedCtx, id: number, options: { top?: Html; status?: number } = {}) => {
  const db = ctx.cc.route.db;
  const draft = await getDraft(db, id);
  if (!draft) throw new ConsoleError(404, 'errors.notFound');
  const [units, versions] = await Promise.all([listUnits(db), latestVersions(db)]);
  return sendHtml(ctx.reply, draftView(ctx, { draft, units, versions }, options), options.status ?? 200);
};

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
