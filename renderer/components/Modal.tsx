import { type ReactNode, useEffect, useRef } from 'react';

type Props = {
  labelledBy: string;
  describedBy?: string;
  testId?: string;
  className?: string;
  /** A tap on the backdrop (outside the card). */
  onBackdrop?: () => void;
  /** A tap anywhere, card included ("any touch continues"). */
  onAnyTap?: () => void;
  children: ReactNode;
};

/** A modal card over the screen; focus moves into it so keyboard and screen-reader users land there. */
export const Modal = ({ labelledBy, describedBy, testId, className = '', onBackdrop, onAnyTap, children }: Props) => {
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const first = card.current?.querySelector<HTMLElement>('button, input, [tabindex]');
    first?.focus();
  }, []);
  return (
    // Click, not pointerdown: the whole tap ends on the modal, so nothing underneath receives it.
    <div
      className="modal-backdrop"
      onClick={(e) => {
        if (e.target === e.currentTarget) onBackdrop?.();
        onAnyTap?.();
      }}
    >
      <div
        ref={card}
        className={`modal ${className}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        data-testid={testId}
      >
        {children}
      </div>
    </div>
  );
};
