/**
 * Characters a terminal would act on instead of showing: C0 controls other than tab and newline (a
 * carriage return only when not part of CRLF), DEL, the C1 controls (U+009B is a one-byte CSI on some
 * terminals) and the bidirectional overrides and isolates that reorder what is shown (U+061C,
 * U+200E/F, U+202A–U+202E, U+2066–U+2069).
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe to print on a terminal: each unsafe character is shown as `\uXXXX`, so a device label
 * like "\x1b[2J" cannot clear IT's screen. `\uXXXX` is also JSON's own escape, so JSON output
 * (which JSON.stringify leaves with raw C1 and bidi characters) keeps its meaning: one filter for
 * every line a CLI prints.
 */
export const terminalSafe = (text: string): string =>
  text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
