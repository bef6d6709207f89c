import { z } from 'zod';
import { copyBoolean, copyNumber, copyText } from '../db/copy-text.ts';
import type { Queryable } from '../db/types.ts';

/**
 * The count rows a batch queues (queue-rows.ts), and their sum over the batches of one drain.
 *
 * The form: the distinct (question id, value) cells, listed once (k and x, index by index), and the
 * groups: report_daily's columns other than question and value under one-letter keys, each with its
 * 1-based cell numbers (i) and counts (n). A batch of 1,000 per-case responses spread over a month has
 * about 7,000 count rows in some 500 groups but only about 40 cells, so naming the cells by number keeps
 * the question ids from being most of the JSON. (The first form of migration 14, still drained, was an
 * array of groups carrying their ids and values themselves.)
 *
 * The drain sums its batches' counts here rather than in SQL: a drain of 50,000 responses reads some
 * 350,000 of them, and PostgreSQL hashing each on its eleven columns cost as much as the rest of the
 * drain; here each is one lookup by number, and PostgreSQL receives only the sums.
 */

/** The columns a group's rows share (report_daily's, but question and value). */
export type GroupColumns = {
  u: string;
  d: string;
  q: string;
  v: number;
  f: string;
  p: string;
  o: string;
  c: string;
  g: boolean;
};
type Group = GroupColumns & { i: number[]; n: number[] };
/** A group being built, and where each of its cells sits in i and n (by cell number; a hole: not yet). */
type GroupInProgress = { group: Group; at: number[] };

/**
 * A new group of these columns (only them: `columns` may carry other fields), as one literal. Not a
 * spread: spreading the columns into a new object was most of what counting a batch cost, as about
 * every other response of a batch spread over a month starts a group of its own.
 */
const groupOf = ({ u, d, q, v, f, p, o, c, g }: GroupColumns): Group => ({ u, d, q, v, f, p, o, c, g, i: [], n: [] });

/** A group's key: its columns joined by NUL, which no column can hold (PostgreSQL text refuses it). */
const groupKey = (c: GroupColumns): string =>
  `${c.u}\u0000${c.d}\u0000${c.q}\u0000${c.v}\u0000${c.f}\u0000${c.p}\u0000${c.o}\u0000${c.c}\u0000${c.g}`;

/** Builds counts in the current form: cells numbered in the order first seen, groups by their columns. */
export const countsBuilder = () => {
  const byQuestion = new Map<string, Map<string, number>>();
  const k: string[] = [];
  const x: string[] = [];
  const groups = new Map<string, GroupInProgress>();
  return {
    cell: (question: string, value: string): number => {
      let values = byQuestion.get(question);
      if (!values) byQuestion.set(question, (values = new Map()));
      let cell = values.get(value);
      if (cell === undefined) {
        k.push(question);
        x.push(value);
        values.set(value, (cell = k.length));
      }
      return cell;
    },
    /** The group of these columns (read from `columns`, which may carry other fields: they are left out). */
    group: (columns: GroupColumns): GroupInProgress => {
      const key = groupKey(columns);
      let held = groups.get(key);
      if (!held) groups.set(key, (held = { group: groupOf(columns), at: [] }));
      return held;
    },
    add: ({ group, at }: GroupInProgress, cell: number, n: number): void => {
      const index = at[cell];
      if (index !== undefined) group.n[index]! += n;
      else {
        at[cell] = group.i.length;
        group.i.push(cell);
        group.n.push(n);
      }
    },
    value: (): QueuedCountsValue => ({ k, x, g: [...groups.values()].map(({ group }) => group) }),
  };
};

const Count = z.number().int().positive();
const Columns = {
  u: z.string(),
  d: z.string(),
  q: z.string(),
  v: z.number().int(),
  f: z.string(),
  p: z.string(),
  o: z.string(),
  c: z.string(),
  g: z.boolean(),
};
const CurrentForm = z.object({
  k: z.array(z.string()),
  x: z.array(z.string()),
  g: z.array(z.object({ ...Columns, i: z.array(Count), n: z.array(Count) })),
});
const FirstForm = z.array(z.object({ ...Columns, k: z.array(z.string()), x: z.array(z.string()), n: z.array(Count) }));
const QueuedCounts = z.union([CurrentForm, FirstForm]);
/** A batch's counts in the current form, as queued (JSON) or held (held-rows.ts). */
export type QueuedCountsValue = z.infer<typeof CurrentForm>;
const Row = z.object({ counts: QueuedCounts });

/** Many batches' counts (either form) summed into one, in the current form. */
export const mergeQueuedCounts = (all: readonly z.infer<typeof QueuedCounts>[]): QueuedCountsValue => {
  const merged = countsBuilder();
  for (const counts of all) {
    if (Array.isArray(counts)) {
      for (const g of counts) {
        const held = merged.group(g);
        g.n.forEach((n, j) => merged.add(held, merged.cell(g.k[j]!, g.x[j]!), n));
      }
      continue;
    }
    // The batch's cell numbers as the merged counts number them.
    const cells = counts.k.map((question, j) => merged.cell(question, counts.x[j]!));
    for (const g of counts.g) {
      const held = merged.group(g);
      for (let j = 0; j < g.i.length; j++) {
        const cell = cells[g.i[j]! - 1];
        if (cell === undefined) throw new Error(`queued counts name cell ${g.i[j]} of ${cells.length}`);
        merged.add(held, cell, g.n[j]!);
      }
    }
  }
  return merged.value();
};

/**
 * Counts as report_daily rows (its columns and n) in COPY's text format, one line per (group, cell). The
 * group's columns are written once per group, and each count appends its question, value and n.
 */
export const countLines = (counts: QueuedCountsValue): string[] => {
  const cells = counts.k.map((question, j) => `${copyText(question)}\t${copyText(counts.x[j]!)}\t`);
  return counts.g.map((g) => {
    const columns =
      `${copyText(g.u)}\t${copyText(g.d)}\t${copyText(g.q)}\t${copyNumber(g.v)}\t${copyText(g.f)}\t` +
      `${copyText(g.p)}\t${copyText(g.o)}\t${copyText(g.c)}\t${copyBoolean(g.g)}\t`;
    let lines = '';
    for (let j = 0; j < g.i.length; j++) {
      const cell = cells[g.i[j]! - 1];
      if (cell === undefined) throw new Error(`counts name cell ${g.i[j]} of ${cells.length}`);
      lines += `${columns}${cell}${copyNumber(g.n[j]!)}\n`;
    }
    return lines;
  });
};

/**
 * The counts of the batches in `queued` (a FROM clause whose report_pending rows are named `p`), and
 * those `held` in this process's memory (held-rows.ts), summed here into the temporary table `into`
 * (report_daily's columns and n, one row per key, written by COPY: PostgreSQL parses no JSON), for the
 * caller to upsert.
 */
export const sumQueuedCounts = async (
  tx: Queryable,
  queued: string,
  into: string,
  held: readonly QueuedCountsValue[] = [],
): Promise<void> => {
  const rows = (await tx.query(`SELECT p.counts FROM ${queued} WHERE p.counts IS NOT NULL`)).rows;
  const merged = mergeQueuedCounts([...rows.map((row) => Row.parse(row).counts), ...held]);
  await tx.query(`DROP TABLE IF EXISTS ${into}`);
  await tx.query(
    `CREATE TEMP TABLE ${into} (unit_id text, day date, questionnaire_id text, version integer, field_code text,
       procedure_code text, officer_id text, counter_id text, flagged boolean, question_id text, value text, n bigint)
     ON COMMIT DROP`,
  );
  await tx.copyIn(`COPY ${into} FROM STDIN`, countLines(merged));
};
