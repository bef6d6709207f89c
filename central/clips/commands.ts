import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_CLIP_BYTES } from '../../shared/read-aloud.ts';
import { type CtlContext, UsageError } from '../cli/context.ts';
import { ClipRefusedError, addClip, listClips, removeClip } from './store.ts';

/**
 * `centralctl clips add|remove|list` (issue 15): the province's read-aloud recordings. A clip goes to
 * kiosks with the next publication of a configuration (its manifest is part of the signed document).
 */

const textOptions = { locale: { type: 'string' }, text: { type: 'string' } } as const;

const localeAndText = (values: { locale?: string | undefined; text?: string | undefined }) => {
  if (!values.locale || values.text === undefined) throw new UsageError('--locale and --text are both needed');
  return { locale: values.locale, text: values.text };
};

const add = async (args: string[], ctx: CtlContext): Promise<number> => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: textOptions });
  if (positionals.length !== 1) throw new UsageError('expected one audio FILE');
  const file = resolve(ctx.cwd, positionals[0]!);
  // Refuse a huge file before reading it.
  if (statSync(file).size > MAX_CLIP_BYTES) {
    ctx.err(`centralctl clips add: ${file} is over ${MAX_CLIP_BYTES} bytes; one clip is one sentence\n`);
    return 1;
  }
  try {
    const clip = await addClip(ctx.db, { ...localeAndText(values), audio: readFileSync(file), now: ctx.now() });
    ctx.out(
      `clip for ${clip.locale} text ${clip.textSha256.slice(0, 12)}… kept (${clip.bytes} bytes, ${clip.mime}); publish a configuration to send it\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof ClipRefusedError)) throw e;
    ctx.err(`centralctl clips add: ${e.message}\n`);
    return 1;
  }
};

const remove = async (args: string[], ctx: CtlContext): Promise<number> => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: textOptions });
  if (positionals.length !== 0) throw new UsageError('clips remove takes no FILE');
  const { locale, text } = localeAndText(values);
  if (await removeClip(ctx.db, locale, text)) {
    ctx.out('clip removed; publish a configuration to take it off the kiosks\n');
    return 0;
  }
  ctx.err(`centralctl clips remove: no clip for that exact ${locale} text\n`);
  return 1;
};

const list = async (args: string[], ctx: CtlContext): Promise<number> => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const clips = await listClips(ctx.db);
  if (values.json) ctx.out(`${JSON.stringify(clips, null, 2)}\n`);
  else for (const c of clips) ctx.out(`${c.locale}\t${c.bytes}\t${c.mime}\t${c.text}\n`);
  return 0;
};

export const clipsCommand = async (args: string[], ctx: CtlContext): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub === 'add') return add(rest, ctx);
  if (sub === 'remove') return remove(rest, ctx);
  if (sub === 'list') return list(rest, ctx);
  throw new UsageError('expected clips add, clips remove or clips list');
};
