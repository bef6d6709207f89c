import type { Database } from 'better-sqlite3';
import { issuePairingCode, listClients, revokeClient } from '../core/lan-bridge/pairing.ts';
import { audit } from '../core/store/audit.ts';
import { getSetting } from '../core/store/settings.ts';
import type { Outcome } from './commands.ts';

/** kioskctl's LAN bridge commands (issue 11): a pairing code for a counter PC, the paired PCs, revoke. */

export const LAN_USAGE = `  lan-pair                       a one-time code (8 digits, 10 minutes, single use) a counter PC pairs with
  lan-clients [--revoke ID]      the paired counter PCs; --revoke ID locks one out at once`;

const offNote = (db: Database): string =>
  getSetting(db, 'lanBridgeEnabled')
    ? ''
    : '\nnote: the LAN bridge is off; turn it on with: kioskctl config set lanBridgeEnabled true';

export const lanPair = (db: Database, now: number): Outcome => {
  const made = issuePairingCode(db, now);
  audit(db, 'kioskctl', 'lan_pairing_code', { expiresAt: made.expiresAt });
  const port = getSetting(db, 'lanBridgePort');
  return {
    exitCode: 0,
    out: { ...made, enabled: getSetting(db, 'lanBridgeEnabled'), port },
    text: `pairing code: ${made.code.slice(0, 4)} ${made.code.slice(4)}  (valid once, until ${made.expiresAt})
on the counter PC open http://<this kiosk's address>:${port}/ and type it${offNote(db)}`,
  };
};

export const lanClients = (db: Database, revoke: string | undefined, now: number): Outcome => {
  if (revoke !== undefined) {
    const client = revokeClient(db, revoke, now);
    if (!client)
      return { exitCode: 1, out: { error: `no paired PC ${revoke}` }, text: `error: no paired PC ${revoke}` };
    audit(db, 'kioskctl', 'lan_client_revoked', { clientId: client.id, label: client.label });
    return {
      exitCode: 0,
      out: { revoked: client },
      text: `revoked ${client.id} (${client.label}) at ${client.revokedAt}`,
    };
  }
  const clients = listClients(db);
  const lines = clients.map(
    (c) =>
      `${c.id}  ${c.label}  paired ${c.pairedAt}  last seen ${c.lastSeenAt ?? 'never'}${c.revokedAt ? `  REVOKED ${c.revokedAt}` : ''}`,
  );
  return {
    exitCode: 0,
    out: { clients },
    text: clients.length === 0 ? `no counter PC is paired${offNote(db)}` : lines.join('\n'),
  };
};
