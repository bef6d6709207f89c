import type { ReactNode } from 'react';

/**
 * Pictures for the reasons of the default quick questionnaire (option values in
 * assets/config/questionnaires/quick.json), drawn on a 48×48 grid with strokes in the text colour so
 * they hold in high contrast. An option without its own picture gets the "other" dots: the words under
 * it still say what it is. Decorative for assistive technology: the label is the button's name.
 */
const PICTURES: Readonly<Record<string, ReactNode>> = {
  // A clock: waiting long.
  'cho-lau': (
    <>
      <circle cx="24" cy="24" r="18" />
      <path d="M24 12 V24 L32 29" />
    </>
  ),
  // A calendar with a cross: late against the promised date.
  'tre-hen': (
    <>
      <rect x="7" y="10" width="34" height="30" rx="3" />
      <path d="M7 18 H41 M15 6 V13 M33 6 V13 M18 24 L30 35 M30 24 L18 35" />
    </>
  ),
  // Arrows going round: coming back again and again.
  'di-lai-nhieu': (
    <>
      <path d="M10 22 A14 14 0 0 1 36 16 M38 26 A14 14 0 0 1 12 32" />
      <path d="M36 8 V16 H28 M12 40 V32 H20" />
    </>
  ),
  // A question mark in a speech bubble: unclear guidance.
  'huong-dan': (
    <>
      <path d="M8 8 H40 V32 H22 L13 40 V32 H8 Z" />
      <path d="M19 16 A5 5 0 1 1 25 21 Q24 22 24 25 M24 28.5 V29" />
    </>
  ),
  // A frowning head: the officer's attitude.
  'thai-do': (
    <>
      <circle cx="24" cy="24" r="18" />
      <path d="M17 20 V21 M31 20 V21 M16 33 Q24 26 32 33" />
    </>
  ),
  // A banknote crossed out: asked to pay extra.
  'phien-ha': (
    <>
      <rect x="5" y="14" width="38" height="20" rx="2" />
      <circle cx="24" cy="24" r="5" />
      <path d="M6 42 L42 6" />
    </>
  ),
  // A chair: the waiting area and facilities.
  'co-so-vat-chat': (
    <>
      <path d="M14 6 V26 H34 V6 M14 14 H34" />
      <path d="M10 26 H38 V31 H10 Z M13 31 V42 M35 31 V42" />
    </>
  ),
};

const OTHER = (
  <>
    <circle cx="12" cy="24" r="3" />
    <circle cx="24" cy="24" r="3" />
    <circle cx="36" cy="24" r="3" />
  </>
);

/** The picture for an answer option: its own where one is drawn, else the "other" dots. */
export const OptionPicture = ({ value }: { value: string }) => (
  <svg className="option-picture" data-testid="option-picture" viewBox="0 0 48 48" aria-hidden="true" focusable="false">
    {PICTURES[value] ?? OTHER}
  </svg>
);
