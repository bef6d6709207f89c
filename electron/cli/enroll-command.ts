import type { Database } from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { enrol } from '../core/sync/enrolment.ts';
import { getSetting } from '../core/store/settings.ts';
import { errorMessage } from '../../shared/error-message.ts';
import type { Outcome } from './commands.ts';

/**
 * `kioskctl enroll`. The one-time code is a credential for a few hours: typed on the command line it
 * lands in the shell's history and in the process list, so it may also come from a file
 * (`--code-file`, e.g. from a USB stick) or be typed at a prompt when kioskctl runs in a terminal.
 */

export type EnrollValues = { central?: string; code?: string; 'code-file'?: string; label?: string };

/** Where a prompt reads from: process.stdin in kioskctl, a stream in tests. */
export type PromptInput = NodeJS.ReadableStream & { isTTY?: boolean };
export type PromptOutput = { write: (s: string) => unknown };

const fail = (message: string, exitCode = 1, extra: Record<string, unknown> = {}): Outcome => ({
  exitCode,
  out: { error: message, ...extra },
  text: `error: ${message}`,
});

export const ENROLL_USAGE =
  'usage: kioskctl enroll --central URL [--code CODE | --code-file PATH] (or type the code when asked)';

const ask = (input: PromptInput, output: PromptOutput, question: string): Promise<string | undefined> =>
  new Promise((resolveAnswer) => {
    const rl = createInterface({ input, terminal: false });
    let answered = false;
    output.write(question);
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolveAnswer(line);
    });
    rl.once('close', () => {
      if (!answered) resolveAnswer(undefined);
    });
  });

/** The enrolment code from --code, --code-file or a prompt on a terminal; an Outcome when there is none. */
export const enrolmentCodeFrom = async (
  values: EnrollValues,
  input: PromptInput,
  output: PromptOutput,
): Promise<string | Outcome> => {
  if (values.code !== undefined && values['code-file'] !== undefined)
    return fail('give the code either with --code or with --code-file, not both', 2);
  if (values.code !== undefined) return values.code;
  const file = values['code-file'];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      return fail(`cannot read the enrolment code from ${file}: ${errorMessage(e)}`, 2);
    }
    const code = text
      .split(/\r?\n/)
      .find((l) => l.trim() !== '')
      ?.trim();
    return code ?? fail(`${file} holds no enrolment code`, 2);
  }
  if (!input.isTTY)
    return fail(
      `no enrolment code: pass --code-file PATH (or --code CODE), or run kioskctl in a terminal to type it\n${ENROLL_USAGE}`,
      2,
    );
  const typed = (await ask(input, output, 'enrolment code (from the central console): '))?.trim();
  return typed ? typed : fail('no enrolment code typed', 2);
};

export const runEnroll = async (
  dataDir: string,
  db: Database,
  values: EnrollValues,
  code: string,
): Promise<Outcome> => {
  const label = values.label ?? `${getSetting(db, 'officeName')} / ${getSetting(db, 'counterName')}`;
  const r = await enrol({ db, dataDir, centralUrl: values.central!, code, label });
  if (!r.ok) return fail(`enrolment failed (${r.code}): ${r.message}`, 1, { code: r.code, status: r.status });
  const e = r.enrolment;
  return {
    exitCode: 0,
    out: { ...e, retried: r.retried },
    text: [
      `enrolled${r.retried ? ' (already enrolled with this key and code)' : ''}`,
      `device   ${e.deviceId}`,
      `unit     ${e.unit.name} (${e.unit.id})`,
      `central  ${e.centralUrl}`,
    ].join('\n'),
  };
};
