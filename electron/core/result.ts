import type { Result } from '../../shared/api.ts';

/** A refusal the renderer shows as it is (the error codes the core's own handlers use). */
export const refuse = (code: 'draft_unknown' | 'not_found' | 'session_expired', message: string): Result<never> => ({
  ok: false,
  error: { code, message },
});
