import type { ReactNode } from 'react';

type Props = {
  dataKey: string;
  label?: string;
  pressed?: boolean;
  wide?: 'x2' | 'x3' | 'x6';
  onPress: () => void;
  children: ReactNode;
};

export const Key = ({ dataKey, label, pressed, wide, onPress, children }: Props) => (
  <button
    type="button"
    className={`key ${wide ? `key-${wide}` : ''}`}
    data-testid="keyboard-key"
    data-key={dataKey}
    aria-label={label}
    aria-pressed={pressed}
    onClick={onPress}
  >
    {children}
  </button>
);
