import type { Database } from 'better-sqlite3';
import type { ApiError, MethodOutput, Result } from '../../../shared/api.ts';
import type { KeyProtector } from '../sync/device-key.ts';
import type { Timeouts } from '../sync/client.ts';
import { type EnrolResult, enrol } from '../sync/enrolment.ts';
import { audit } from '../store/audit.ts';
import { getSetting } from '../store/settings.ts';

type Reason = Extract<ApiError, { code: 'enrol_failed' }>['reason'];

/**
 * The panel waits for the answer over a transport with its own 20 s timeout: a central URL that
 * swallows packets must fail here first, with a reason IT can act on.
 */
export const PANEL_ENROL_TIMEOUTS: Partial<Timeouts> = { idleMs: 8_000, smallDeadlineMs: 15_000 };

/** What a failed enrolment means, from the failure's code and HTTP status (docs/sync-protocol.md, "Enrolment"). */
export const enrolFailureReason = (code: string, status: number | null): Reason => {
  switch (code) {
    case 'invalid_url':
      return 'invalid_url';
    case 'invalid_code':
      return 'invalid_code';
    case 'network':
    case 'timeout':
      return 'unreachable';
    case 'enrolment_code_invalid':
      return 'code_rejected';
    case 'device_exists':
      return 'device_exists';
    case 'device_revoked':
      return 'device_revoked';
    case 'unsupported_protocol':
      return 'unsupported_protocol';
    case 'bad_reply':
      return 'not_central';
    case 'already_enrolled':
    case 'demo_pins':
    case 'plain_http':
    case 'central_key_mismatch':
      return code;
    case 'server_error':
    case 'internal':
    case 'rate_limited':
      return 'server_error';
  }
  if (status !== null && status >= 500) return 'server_error';
  // A web server that is not central answers 404/405 to POST /v1/enrol, or redirects somewhere else.
  if (status === 404 || status === 405 || (status !== null && status >= 300 && status < 400)) return 'not_central';
  return 'refused';
};

export type EnrolDeps = {
  db: Database;
  dataDir: string;
  protector?: KeyProtector;
  timeouts?: Partial<Timeouts>;
  now: () => number;
};

export const adminEnrol = async (
  deps: EnrolDeps,
  centralUrl: string,
  code: string,
): Promise<Result<MethodOutput<'adminEnrol'>>> => {
  const label = `${getSetting(deps.db, 'officeName')} / ${getSetting(deps.db, 'counterName')}`;
  const r: EnrolResult = await enrol({
    db: deps.db,
    dataDir: deps.dataDir,
    centralUrl,
    code,
    label,
    protector: deps.protector,
    timeouts: deps.timeouts ?? PANEL_ENROL_TIMEOUTS,
    now: deps.now,
    actor: 'admin',
  });
  if (!r.ok) {
    const reason = enrolFailureReason(r.code, r.status);
    audit(deps.db, 'admin', 'enrol_failed', { centralUrl, reason, code: r.code, status: r.status });
    return { ok: false, error: { code: 'enrol_failed', reason, message: r.message, status: r.status } };
  }
  const e = r.enrolment;
  return {
    ok: true,
    value: {
      centralUrl: e.centralUrl,
      unit: e.unit,
      deviceId: e.deviceId,
      enrolledAt: e.enrolledAt,
      retried: r.retried,
    },
  };
};
