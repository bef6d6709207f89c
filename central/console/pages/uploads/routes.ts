import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cleanFileName } from '../../clean-text.ts';
import { type ConsoleContext, ConsoleError, checkCsrf, route, sendHtml } from '../../context.ts';
import { notice } from '../../layout.ts';
import { describeResult } from '../../upload/describe.ts';
import { type FileResult, MAX_KBATCH_BYTES, ingestKbatch, refusedFile } from '../../upload/ingest-file.ts';
import { MAX_FORM_FILES, MAX_FORM_UPLOAD_BYTES, checkDeclaredLength } from '../../upload/limits.ts';
import { uploadView } from './view.ts';

/** The script's upload: the file's bytes as the body (anything else reads as an empty file). */
const FileBody = z.instanceof(Buffer).catch(() => Buffer.alloc(0));

export const uploadRoutes = (app: FastifyInstance, cc: ConsoleContext): void => {
  route(app, cc, { method: 'GET', url: '/uploads', access: 'admin' }, async (ctx) =>
    sendHtml(ctx.reply, uploadView(ctx)),
  );

  // The plain form: every file in one multipart request; a results page comes back.
  route(app, cc, { method: 'POST', url: '/uploads', access: 'admin', csrf: 'handler' }, async (ctx) => {
    checkDeclaredLength(ctx.req, MAX_FORM_UPLOAD_BYTES);
    if (!ctx.req.isMultipart()) throw new ConsoleError(415, 'errors.badRequest');
    const results: FileResult[] = [];
    let tokenChecked = false;
    for await (const part of ctx.req.parts({
      limits: { fileSize: MAX_KBATCH_BYTES, files: MAX_FORM_FILES, fields: 4 },
    })) {
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
            opener: cc.route.ingest,
          }),
        );
    }
    if (!tokenChecked) checkCsrf(ctx.session, undefined);
    const message = results.length === 0 ? notice('error', ctx.t('upload.none'), 'upload-message') : undefined;
    return sendHtml(
      ctx.reply,
      uploadView(
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
        opener: cc.route.ingest,
      });
      return ctx.reply.code(200).send({ result, view: describeResult(ctx.t, result) });
    },
  );
};
