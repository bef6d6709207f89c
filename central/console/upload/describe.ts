import type { Translate } from '../i18n.ts';
import type { FileResult } from './ingest-file.ts';

/** A file's result in words, for the results table (server-rendered, or sent to the upload script). */
export type DescribedResult = {
  file: string;
  status: FileResult['status'];
  label: string;
  summary: string;
  detail: string;
};

const seqList = (seqs: number[]): string =>
  seqs.length <= 10 ? seqs.join(', ') : `${seqs.slice(0, 10).join(', ')}, … (+${seqs.length - 10})`;

export const describeResult = (t: Translate, r: FileResult): DescribedResult => {
  const label = t(`upload.status.${r.status}`);
  if (r.status === 'rejected') {
    return {
      file: r.file,
      status: r.status,
      label,
      summary: t(`upload.reject.${r.code}`),
      detail: r.field ? `${r.message} (${r.field})` : r.message,
    };
  }
  const vars = {
    device: r.deviceId,
    from: r.seqFrom,
    to: r.seqTo,
    received: r.received,
    inserted: r.inserted,
    duplicates: r.duplicates,
    h: r.highestContiguousSeq,
  };
  const summary =
    r.status === 'new'
      ? t('upload.summary.new', vars)
      : r.status === 'duplicate'
        ? t('upload.summary.duplicate', vars)
        : t('upload.summary.conflicts', {
            ...vars,
            conflicts: r.conflicts.length,
            seqs: seqList(r.conflicts.map((c) => c.seq)),
          });
  return { file: r.file, status: r.status, label, summary, detail: t('upload.summary.gapFree', vars) };
};
