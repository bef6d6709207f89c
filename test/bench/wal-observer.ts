import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Row } from './types.ts';
import { summarize } from './stats.ts';

/**
 * Watches a WAL file from outside SQLite (untimed, after each commit) to tell what each commit
 * cost the disk: appended to a growing WAL (the first cycle after the database is opened: every
 * fsync also commits the file's new size), overwrote frames of a reused WAL in place, ran the
 * automatic checkpoint (the commit before a restart: the WAL and the database file are fsync'd),
 * or restarted the WAL (new header, its own fsync, then the frames and theirs).
 */
export type CommitKind = 'growing' | 'in place' | 'checkpoint' | 'restart';

export const walObserver = (walPath: string) => {
  const fd = openSync(walPath, 'r');
  const header = Buffer.alloc(4);
  const salt = (): number => (readSync(fd, header, 0, 4, 16) === 4 ? header.readUInt32BE(0) : 0);
  let lastSize = fstatSync(fd).size;
  let lastSalt = salt();
  const kinds: CommitKind[] = [];
  return {
    /** Call right after each commit being measured. */
    observe: (): void => {
      const size = fstatSync(fd).size;
      const s = salt();
      if (s !== lastSalt) {
        kinds.push('restart');
        if (kinds.length > 1) kinds[kinds.length - 2] = 'checkpoint';
      } else kinds.push(size > lastSize ? 'growing' : 'in place');
      lastSize = size;
      lastSalt = s;
    },
    /** Rows for each kind of commit, from the samples observed in the same order. */
    split: (partOf: string, label: string, samples: readonly number[]): Row[] => {
      const parts = (['growing', 'in place', 'checkpoint', 'restart'] as const)
        .map((kind) => ({ kind, picked: samples.filter((_, i) => kinds[i] === kind) }))
        .filter((x) => x.picked.length > 0);
      return parts.length < 2
        ? []
        : parts.map((x) => ({ ...summarize(`${label}${KIND_LABEL[x.kind]}`, x.picked), partOf }));
    },
    close: () => closeSync(fd),
  };
};

const KIND_LABEL: Record<CommitKind, string> = {
  growing: 'WAL growing (first cycle)',
  'in place': 'WAL reused in place',
  checkpoint: 'ran the autocheckpoint',
  restart: 'restarted the WAL',
};
