/** Faces for satisfaction levels on a 5-step mood scale (1 very unhappy .. 5 very happy). Decorative: the word beside it carries the meaning. */
const MOUTHS: Readonly<Record<1 | 2 | 3 | 4 | 5, string>> = {
  1: 'M19 48 Q32 33 45 48',
  2: 'M20 46 Q32 39 44 46',
  3: 'M21 44 L43 44',
  4: 'M20 40 Q32 49 44 40',
  5: 'M18 38 Q32 57 46 38 Z',
};

export type Mood = 1 | 2 | 3 | 4 | 5;

export const Face = ({ mood }: { mood: Mood }) => (
  <svg className={`face face-${mood}`} viewBox="0 0 64 64" aria-hidden="true" focusable="false">
    <circle className="face-disc" cx="32" cy="32" r="29" />
    {mood === 1 && <path className="face-line" d="M15 22 L25 18 M49 22 L39 18" />}
    <circle className="face-eye" cx="23" cy="28" r="3.6" />
    <circle className="face-eye" cx="41" cy="28" r="3.6" />
    <path className={mood === 5 ? 'face-mouth face-mouth-open' : 'face-mouth'} d={MOUTHS[mood]} />
  </svg>
);
