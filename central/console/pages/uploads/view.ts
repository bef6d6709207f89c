import { type Html, html } from '../../html.ts';
import { csrfField, layout } from '../../layout.ts';
import type { DescribedResult } from '../../upload/describe.ts';
import { MAX_KBATCH_BYTES } from '../../upload/ingest-file.ts';
import type { AuthedView } from '../../view.ts';

export const resultRows = (results: readonly DescribedResult[]): Html =>
  html`${results.map(
    (r) =>
      html`<tr class="result-${r.status}" data-testid="upload-result" data-file="${r.file}" data-status="${r.status}"><td class="file">${r.file}</td><td><span class="badge ${r.status}">${r.label}</span></td><td>${r.summary}<br><small>${r.detail}</small></td></tr>`,
  )}`;

/** The upload page, with the results of the files just sent (the plain form) if any. */
export const uploadView = (ctx: AuthedView, results: readonly DescribedResult[] = [], message?: Html): Html =>
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
