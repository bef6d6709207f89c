import { type PinRole, type PinRuleReason, pinRuleProblem } from '../../../shared/admin.ts';
import { type PinHash, verifyPin } from './pin-hash.ts';

/** Why a new PIN is refused: the shared rules, plus the one only the store can check. */
export type PinRefusal = { reason: PinRuleReason | 'same_as_other'; message: string };

export const PIN_RULE_MESSAGES: Record<PinRefusal['reason'], string> = {
  too_short: 'an admin PIN has at least 6 digits',
  repeated: 'a PIN of one repeated digit is too easy to guess',
  sequence: 'a PIN of consecutive digits (1234, 9876) is too easy to guess',
  demo: 'this is the published demo PIN: choose another',
  same_as_other: 'the staff PIN and the admin PIN must differ',
};

/**
 * The one check every path that sets a PIN goes through (the store's setSetting, so the admin panel,
 * kioskctl config set and anything later alike): the shared rules the panel shows before sending, and
 * the staff PIN must differ from the admin PIN (two roles with one PIN would make the staff PIN an
 * admin PIN). `otherRoleHash` is the other role's stored hash, when there is one.
 */
export const pinRefusal = (role: PinRole, pin: string, otherRoleHash: PinHash | undefined): PinRefusal | null => {
  const rule = pinRuleProblem(role, pin);
  if (rule) return { reason: rule, message: PIN_RULE_MESSAGES[rule] };
  if (otherRoleHash && verifyPin(pin, otherRoleHash))
    return { reason: 'same_as_other', message: PIN_RULE_MESSAGES.same_as_other };
  return null;
};
