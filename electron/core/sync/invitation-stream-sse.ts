import { StringDecoder } from 'node:string_decoder';

/** One server-sent event: its type (`message` when unnamed) and its data lines joined. */
export type SseEvent = { event: string; data: string };

/**
 * A server-sent-events reader (the WHATWG format, as central's invitation stream writes it): lines of
 * `field: value`, an empty line ends an event, lines starting with ":" are comments (central's
 * keep-alive). Bytes are decoded as UTF-8 across chunk boundaries. An event or a line longer than
 * `maxBytes` is refused (returns false): a stream that sends one is not central's, and is dropped.
 */
export const sseReader = (onEvent: (e: SseEvent) => void, maxBytes = 64 * 1024) => {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let event = '';
  let data: string[] = [];
  let size = 0;

  const line = (raw: string): void => {
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text === '') {
      if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      size = 0;
      return;
    }
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    const value = colon < 0 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') {
      data.push(value);
      size += value.length;
    }
    // `id` and `retry` are not used: central re-sends what is still valid on every (re)connect.
  };

  return (chunk: Buffer): boolean => {
    pending += decoder.write(chunk);
    let at: number;
    while ((at = pending.indexOf('\n')) >= 0) {
      line(pending.slice(0, at));
      pending = pending.slice(at + 1);
      if (size > maxBytes) return false;
    }
    return pending.length <= maxBytes;
  };
};
