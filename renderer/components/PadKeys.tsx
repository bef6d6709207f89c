/**
 * The large keys of the kiosk's number pads (staff PIN, the admin panel's PIN change, the follow-up
 * phone number): one look, one test id per pad, and `data-key` naming the key for the tests.
 */
type KeysProps = { keys: readonly string[]; testId: string; disabled?: boolean; onKey: (key: string) => void };

export const PadKeys = ({ keys, testId, disabled, onKey }: KeysProps) => (
  <>
    {keys.map((k) => (
      <button
        key={k}
        type="button"
        className="pin-key"
        data-testid={testId}
        data-key={k}
        disabled={disabled}
        onClick={() => onKey(k)}
      >
        {k}
      </button>
    ))}
  </>
);

type BackProps = { testId: string; label: string; disabled?: boolean; onBack: () => void };

/** Deletes the last character typed. */
export const BackKey = ({ testId, label, disabled, onBack }: BackProps) => (
  <button
    type="button"
    className="pin-key"
    data-testid={testId}
    data-key="back"
    aria-label={label}
    disabled={disabled}
    onClick={onBack}
  >
    ⌫
  </button>
);
