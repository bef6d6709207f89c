import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cleanFileName } from '../clean-text.ts';
import { type AuthedCtx, type ConsoleContext, ConsoleError, checkCsrf, route, sendHtml } from '../context.ts';
import { type Html, html } from '../html.ts';
import { csrfField, layout, notice } from '../layout.ts';
import { type DescribedResult, describeResult } from '../upload/describe.ts';
import { type FileResult, MAX_KBATCH_BYTES, ingestKbatch, refusedFile } from '../upload/ingest-file.ts';

/** The plain form (no script) sends every file in one request: its declared length is capped up front. */
export const MAX_FORM_UPLOAD_BYTES = 64 * 1024 * 1024;
const MAX_FILES = 500;

/**
 * Uploads refuse a body that does not say how long it is, or says it is too long, before reading
 * a byte of it: a 200 MB file is turned away at once, not buffered.
 */
export const checkDeclaredLength = (req: FastifyRequest, max: number): void => {
  const declared = req.headers['content-length'];
  if (declared === undefined) throw new ConsoleError(411, 'errors.lengthRequired');
  const n = Number(declared);
  if (!Number.isSafeInteger(n) || n < 0) throw new ConsoleError(400, 'errors.badRequest');
  if (n > max) throw new ConsoleError(413, 'errors.tooLarge', { max: Math.round(max / 1024 / 1024) });
};

export const resultRows = (results: readonly DescribedResult[]): Html =>
  html`${results.map(
    (r) =>
      html`<tr class="result-${r.status}" data-testid="upload-result" data-file="${r.file}" data-status="${r.status}"><td class="file">${r.file}</td><td><span class="badge ${r.status}">${r.label}</span></td><td>${r.summary}<br><small>${r.detail}</small></td></tr>`,
  )}`;

const uploadPage = (ctx: AuthedCtx, results: readonly DescribedResult[] = [], message?: Html): Html =>
  layout(ctx, {
    title: ctx.t('upload.title'),
    active: 'uploads',
    body: html`<p>${ctx.t('upload.intro')}</p>
${message ?? ''}
<form id="upload-form" method="post" action="${ctx.url('/uploads')}" enctype="multipart/form-data" class="card"
  data-endpoint="${ctx.url('/uploads/file')}" data-csrf="${ctx.session.csrfToken}" data-max-bytes="${MAX_KBATCH_BYTES}"
  data-msg-wrong-type="${ctx.t('upload.reject.wrong_type')}" data-msg-too-large="${ctx.t('upload.reject.too_large')}"
  data-msg-empty="${ctx.t('upload.reject.empty')}" data-msg-network="${ctx.t('upload.network')}" data-msg-progress="${ctx.t('upload.progress')}"
  data-msg-done="${ctx.t('upload.done')}" data-label-rejected="${ctx.t('upload.status.rejected')}" data-msg-session="${ctx.t('errors.sessionExpired')}">
  ${csrfField(ctx)}
  <div id="drop-zone" class="drop-zone" data-testid="drop-zone">
    <p>${ctx.t('upload.drop')}</p>
    <label for="kbatch-files">${ctx.t('upload.choose')}</label>
    <input id="kbatch-files" name="files" type="file" multiple accept=".kbatch" data-testid="kbatch-input">
  </div>
  <button type="submit" id="upload-submit">${ctx.t('upload.submit')}</button>
</form>
<div id="upload-progress" class="progress" hidden><progress max="1" value="0"></progress> <span role="status" data-testid="upload-progress"></span></div>
<table class="results" id="upload-results" data-testid="upload-results"${results.length === 0 ? html` hidden` : ''}>
  <caption>${ctx.t('upload.results')}</caption>
  <thead><tr><th scope="col">${ctx.t('upload.col.file')}</th><th scope="col">${ctx.t('upload.col.result')}</th><th scope="col">${ctx.t('upload.col.details')}</th></tr></thead>
  <tbody>${resultRows(results)}</tbody>
</table>
<p><a href="${ctx.url('/devices')}">${ctx.t('upload.seeReconciliation')}</a></p>`,
  });

/** The script's upload: the file's bytes as the body (anything else reads as an empty file). */
const FileBody = z.instanceof(Buffer).catch(() => Buffer.alloc(0));

export const uploadRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/uploads', access: 'admin' }, async (ctx) =>
    sendHtml(ctx.reply, uploadPage(ctx)),
  );

  // The plain form: every file in one multipart request; a results page comes back.
  route(app, cc, { method: 'POST', url: '/uploads', access: 'admin', csrf: 'handler' }, async (ctx) => {
    checkDeclaredLength(ctx.req, MAX_FORM_UPLOAD_BYTES);
    if (!ctx.req.isMultipart()) throw new ConsoleError(415, 'errors.badRequest');
    const results: FileResult[] = [];
    let tokenChecked = false;
    for await (const part of ctx.req.parts({ limits: { fileSize: MAX_KBATCH_BYTES, files: MAX_FILES, fields: 4 } })) {
      if (part.type === 'field') {
        if (part.fieldname === '_csrf' && !tokenChecked) {
          checkCsrf(ctx.session, typeof part.value === 'string' ? part.value : undefined);
          tokenChecked = true;
        }
        continue;
      }
      // The token comes first in the form: no file is read before it is checked.
      if (!tokenChecked) checkCsrf(ctx.session, undefined);
      const name = cleanFileName(part.filename);
      const bytes = await part.toBuffer();
      if (part.file.truncated) results.push(refusedFile(name, 'too_large'));
      else if (part.filename === '' && bytes.length === 0)
        continue; // the form sent with no file chosen
      else
        results.push(
          await ingestKbatch(cc.route.db, {
            file: name,
            bytes,
            now: cc.route.now(),
            username: ctx.session.username,
            ip: ctx.req.ip,
          }),
        );
    }
    if (!tokenChecked) checkCsrf(ctx.session, undefined);
    const message = results.length === 0 ? notice('error', ctx.t('upload.none'), 'upload-message') : undefined;
    return sendHtml(
      ctx.reply,
      uploadPage(
        ctx,
        results.map((r) => describeResult(ctx.t, r)),
        message,
      ),
      results.length === 0 ? 400 : 200,
    );
  });

  // The page's script: one file per request, its bytes as the body, a JSON result back.
  route(
    app,
    cc,
    {
      method: 'POST',
      url: '/uploads/file',
      access: 'admin',
      json: true,
      bodyLimit: MAX_KBATCH_BYTES,
      schema: { body: FileBody },
    },
    async (ctx, { body }) => {
      const raw = ctx.req.headers['x-file-name'];
      let file = '';
      if (typeof raw === 'string') {
        try {
          file = decodeURIComponent(raw);
        } catch {
          file = raw;
        }
      }
      const result = await ingestKbatch(cc.route.db, {
        file: cleanFileName(file),
        bytes: body,
        now: cc.route.now(),
        username: ctx.session.username,
        ip: ctx.req.ip,
      });
      return ctx.reply.code(200).send({ result, view: describeResult(ctx.t, result) });
    },
  );
};
