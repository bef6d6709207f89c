import { useTranslation } from 'react-i18next';
import { backspace } from '../telex/telex.ts';
import { Key } from './Key.tsx';
import {
  KHMER_CONSONANT_ROWS,
  KHMER_DIGITS,
  KHMER_INDEPENDENT_VOWELS,
  KHMER_PUNCTUATION,
  KHMER_SIGNS,
  KHMER_VOWEL_ROWS,
  keyFace,
} from './khmer-layout.ts';
import { fitEdit } from './layout.ts';

type Props = {
  value: string;
  onChange: (next: string) => void;
  /** In code points; keys that would grow the text past it do nothing. */
  maxLength?: number;
};

/** The comment keyboard for a Khmer language pack: each key appends its character (khmer-layout.ts). */
export const KhmerKeyboard = ({ value, onChange, maxLength }: Props) => {
  const { t } = useTranslation();
  const edit = (next: string) => onChange(fitEdit(value, next, maxLength));
  const type = (ch: string) => edit(value + ch);
  const row = (keys: readonly string[], name: string) => (
    <div className="key-row" key={name}>
      {keys.map((k) => (
        <Key key={k} dataKey={k} onPress={() => type(k)}>
          <span lang="km">{keyFace(k)}</span>
        </Key>
      ))}
    </div>
  );
  return (
    <div className="keyboard keyboard-text keyboard-khmer" role="group" aria-label={t('keyboard.label')} lang="km">
      {row(KHMER_DIGITS, 'digits')}
      {KHMER_CONSONANT_ROWS.map((r, i) => row(r, `consonants-${i}`))}
      {KHMER_VOWEL_ROWS.map((r, i) => row(r, `vowels-${i}`))}
      {row([...KHMER_SIGNS, ...KHMER_INDEPENDENT_VOWELS.slice(0, 4)], 'signs')}
      {row(KHMER_INDEPENDENT_VOWELS.slice(4), 'independent')}
      <div className="key-row">
        {KHMER_PUNCTUATION.map((p) => (
          <Key key={p} dataKey={p} onPress={() => type(p)}>
            {p}
          </Key>
        ))}
        <Key dataKey="space" wide="x6" onPress={() => type(' ')}>
          {t('keyboard.space')}
        </Key>
        <Key dataKey="backspace" label={t('keyboard.backspace')} wide="x2" onPress={() => edit(backspace(value))}>
          ⌫
        </Key>
      </div>
    </div>
  );
};
