/**
 * The loopback host hands the page a per-launch secret in the URL hash (`#token=…`). It is read
 * once, kept in sessionStorage (so a reload still works) and removed from the visible URL.
 */
const KEY = 'kiosk-token';

export const readToken = (loc: Location = window.location, storage: Storage = window.sessionStorage): string | null => {
  const hash = new URLSearchParams(loc.hash.replace(/^#/, ''));
  const fromHash = hash.get('token');
  if (fromHash) {
    storage.setItem(KEY, fromHash);
    hash.delete('token');
    const rest = hash.toString();
    window.history.replaceState(window.history.state, '', `${loc.pathname}${loc.search}${rest ? `#${rest}` : ''}`);
    return fromHash;
  }
  return storage.getItem(KEY);
};
