import type { Session } from './auth/sessions.ts';
import type { ConsoleLocale, Translate } from './i18n.ts';

/**
 * What a view (pages/<page>/view.ts) gets besides its data: the language, the clock, links, who is
 * logged in. Plain values only: no request, reply or database, so a view renders HTML and nothing else.
 */
export type View = {
  locale: ConsoleLocale;
  t: Translate;
  now: Date;
  /** A console path as a link ("/devices" → "/console/devices"). */
  url: (path: string) => string;
  /** This page's own path and query (the language links come back to it). */
  here: string;
  session: Session | null;
};
export type AuthedView = View & { session: Session };
