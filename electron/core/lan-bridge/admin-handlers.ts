import { networkInterfaces } from 'node:os';
import type { Database } from 'better-sqlite3';
import type { AdminLanStatus } from '../../../shared/admin-lan.ts';
import type { KioskHandlers, Result } from '../../../shared/api.ts';
import type { StaffAuth } from '../staff-auth.ts';
import { audit } from '../store/audit.ts';
import { type StoredSettings, setSetting } from '../store/settings.ts';
import type { LanBridge } from './index.ts';
import { issuePairingCode, listClients, pairingCodeState, revokeClient } from './pairing.ts';

/**
 * The admin panel's LAN bridge section (shared/admin-lan.ts), behind the same admin session as the
 * rest of the panel (electron/core/admin/handlers.ts). Every change is audited; a pairing code is
 * returned once, when made, and stored only hashed.
 */

export type AdminLanMethod = 'adminLanStatus' | 'adminLanSetEnabled' | 'adminLanNewCode' | 'adminLanRevoke';
export type AdminLanHandlers = Pick<KioskHandlers, AdminLanMethod>;

export type AdminLanDeps = {
  db: Database;
  auth: StaffAuth;
  sessionMs: () => number;
  settings: () => StoredSettings;
  bridge: LanBridge;
  now: () => number;
};

/** The addresses a counter PC can reach: this PC's non-loopback IPv4 addresses when listening on all of them. */
const reachableAddresses = (host: string): string[] =>
  host === '0.0.0.0' || host === '::'
    ? Object.values(networkInterfaces())
        .flatMap((list) => list ?? [])
        .filter((a) => a.family === 'IPv4' && !a.internal)
        .map((a) => a.address)
    : [host.includes(':') ? `[${host}]` : host];

export const lanStatus = (d: Pick<AdminLanDeps, 'db' | 'settings' | 'bridge' | 'now'>): AdminLanStatus => {
  const s = d.settings();
  const state = d.bridge.state();
  return {
    enabled: s.lanBridgeEnabled,
    host: s.lanBridgeHost,
    port: s.lanBridgePort,
    listening: state.listening,
    error: state.enabled ? state.error : null,
    pageUrls: state.listening ? reachableAddresses(s.lanBridgeHost).map((a) => `http://${a}:${s.lanBridgePort}/`) : [],
    openCode: pairingCodeState(d.db, d.now()),
    clients: listClients(d.db),
  };
};

export const createAdminLanHandlers = (d: AdminLanDeps): AdminLanHandlers => {
  const withAdmin = <T>(session: string, run: () => Result<T> | Promise<Result<T>>) =>
    d.auth.check(session, 'admin', d.sessionMs())
      ? run()
      : ({
          ok: false,
          error: { code: 'session_expired', message: 'the admin session has ended; enter the admin PIN again' },
        } as const);
  return {
    adminLanStatus: ({ session }) => withAdmin(session, () => ({ ok: true, value: lanStatus(d) })),
    adminLanSetEnabled: ({ session, enabled }) =>
      withAdmin(session, async () => {
        if (d.settings().lanBridgeEnabled !== enabled) {
          d.db
            .transaction(() => {
              const set = setSetting(d.db, 'lanBridgeEnabled', enabled);
              if (!set.ok) throw new Error(set.message);
              audit(d.db, 'admin', 'settings_changed', { lanBridgeEnabled: { from: !enabled, to: enabled } });
            })
            .immediate();
        }
        // Listening starts (or stops) now, so the status below says whether it worked.
        await d.bridge.refresh();
        return { ok: true, value: lanStatus(d) };
      }),
    adminLanNewCode: ({ session }) =>
      withAdmin(session, () => {
        const made = issuePairingCode(d.db, d.now());
        audit(d.db, 'admin', 'lan_pairing_code', { expiresAt: made.expiresAt });
        return { ok: true, value: made };
      }),
    adminLanRevoke: ({ session, clientId }) =>
      withAdmin(session, () => {
        const client = revokeClient(d.db, clientId, d.now());
        if (!client) return { ok: false, error: { code: 'not_found', message: `no paired PC ${clientId}` } };
        const { changed, ...view } = client;
        if (changed) audit(d.db, 'admin', 'lan_client_revoked', { clientId, label: view.label });
        return { ok: true, value: view };
      }),
  };
};
