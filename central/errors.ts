import type { z } from 'zod';
import { SUPPORTED_PROTOCOLS, type SyncErrorBody, type SyncErrorCode } from '../shared/sync.ts';
import { errorMessage } from '../shared/error-message.ts';

/** HTTP status of each protocol error code (docs/sync-protocol.md, "Errors"). */
export const ERROR_STATUS: Record<SyncErrorCode, number> = {
  invalid_body: 400,
  unsupported_protocol: 400,
  bad_signature: 401,
  unknown_device: 401,
  device_revoked: 403,
  enrolment_code_invalid: 403,
  device_exists: 409,
  too_large: 413,
  rate_limited: 429,
  heartbeat_out_of_window: 400,
  server_busy: 503,
  internal: 500,
  unknown_key: 401,
  key_revoked: 401,
  unit_out_of_scope: 403,
  unknown_procedure: 422,
  unknown_counter: 422,
  not_found: 404,
};

type Extra = { field?: string; supported?: { min: number; max: number }; retryAfterSeconds?: number };

/** A refusal with a protocol error code. Thrown anywhere before a commit; the error handler answers it. */
export class SyncError extends Error {
  readonly status: number;
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly extra: Extra = {},
  ) {
    super(message);
    this.name = 'SyncError';
    this.status = ERROR_STATUS[code];
  }

  body(): SyncErrorBody {
    return {
      error: this.code,
      message: this.message,
      ...(this.extra.field !== undefined ? { field: this.extra.field } : {}),
      ...(this.extra.supported ? { supported: this.extra.supported } : {}),
    };
  }
}

export const fieldPath = (path: readonly PropertyKey[]): string => path.map(String).join('.');

/** Parses with a schema or throws 400 invalid_body naming the first offending field (prefixed, e.g. "headers."). */
export const parseOrThrow = <S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.infer<S> => {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = `${prefix}${fieldPath(issue?.path ?? [])}` || '(root)';
  throw new SyncError('invalid_body', `${what}: ${field}: ${issue?.message ?? 'invalid'}`, { field });
};

/**
 * Refuses a body whose `protocol` is an integer outside SUPPORTED_PROTOCOLS before validating the
 * rest: a newer client's body may legitimately have another shape. A missing or non-integer
 * protocol is left to the schema, which names the field.
 */
export const checkProtocol = (value: unknown): void => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const protocol = (value as { protocol?: unknown }).protocol;
  if (typeof protocol !== 'number' || !Number.isInteger(protocol)) return;
  if (protocol < SUPPORTED_PROTOCOLS.min || protocol > SUPPORTED_PROTOCOLS.max) {
    throw new SyncError(
      'unsupported_protocol',
      `protocol ${protocol} is not supported; this server speaks ${SUPPORTED_PROTOCOLS.min}..${SUPPORTED_PROTOCOLS.max}`,
      {
        field: 'protocol',
        supported: { ...SUPPORTED_PROTOCOLS },
      },
    );
  }
};

/** JSON.parse of a UTF-8 body, or 400 invalid_body. */
export const parseJsonBody = (raw: Buffer): unknown => {
  if (raw.length === 0)
    throw new SyncError('invalid_body', 'the request body is empty; expected JSON', { field: '(root)' });
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (e) {
    throw new SyncError('invalid_body', `the request body is not JSON: ${errorMessage(e)}`, { field: '(root)' });
  }
};
