import type { ReactNode } from 'react';

type Props = {
  /** The stored value as text: "1".."5", "0".."2", "true"/"false", or the option value. */
  value: string;
  selected: boolean;
  onSelect: () => void;
  disabled?: boolean;
  className?: string;
  children: ReactNode;
};

/** One big answer target (at least 80 px tall). A tick shows the choice, not colour alone. */
export const AnswerButton = ({ value, selected, onSelect, disabled = false, className = '', children }: Props) => (
  <button
    type="button"
    className={`answer ${selected ? 'is-selected' : ''} ${className}`}
    data-testid="answer-option"
    data-value={value}
    aria-pressed={selected}
    disabled={disabled}
    onClick={onSelect}
  >
    {children}
    <span className="answer-tick" aria-hidden="true">
      ✓
    </span>
  </button>
);
