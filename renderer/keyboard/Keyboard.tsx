import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { backspace, insertLetter, setLastWordTone, typeTelex } from '../telex/telex.ts';
import { Key } from './Key.tsx';
import { DIGITS, LETTER_ROWS, PATH_KEYS, PUNCTUATION, SHAPED_LETTERS, TONE_KEYS, fitEdit } from './layout.ts';

type Props = {
  value: string;
  onChange: (next: string) => void;
  /** In code points; keys that would grow the text past it do nothing. */
  maxLength?: number;
  /**
   * "text": Vietnamese with Telex and a diacritics row; "search": letters, digits and "." only;
   * "url": letters, digits and what addresses, codes and folder paths need (: / . - _ \), for IT.
   */
  layout: 'text' | 'search' | 'url';
  telexInitially?: boolean;
};

/**
 * On-screen keyboard of real buttons. In Telex mode letters compose Vietnamese as they are typed
 * ("tieesng" → "tiếng"); the diacritics row gives the same marks to people who do not know Telex.
 */
export const Keyboard = ({ value, onChange, maxLength, layout, telexInitially = true }: Props) => {
  const { t } = useTranslation();
  const [shift, setShift] = useState(false);
  const [telex, setTelex] = useState(telexInitially && layout === 'text');
  const edit = (next: string) => onChange(fitEdit(value, next, maxLength));

  const letter = (k: string) => {
    const ch = shift ? k.toUpperCase() : k;
    setShift(false);
    edit(telex ? typeTelex(value, ch) : value + ch);
  };

  const shaped = (k: string) => {
    const ch = shift ? k.toUpperCase() : k;
    setShift(false);
    edit(insertLetter(value, ch));
  };

  return (
    <div className={`keyboard keyboard-${layout}`} role="group" aria-label={t('keyboard.label')}>
      {layout === 'text' && (
        <div className="key-row key-row-diacritics" role="group" aria-label={t('keyboard.diacritics')}>
          {TONE_KEYS.map((k) => (
            <Key
              key={k.tone}
              dataKey={`tone-${k.tone}`}
              label={t(k.label)}
              onPress={() => edit(setLastWordTone(value, k.tone))}
            >
              <span className="key-mark">{k.mark}</span>
            </Key>
          ))}
          {SHAPED_LETTERS.map((k) => (
            <Key key={k} dataKey={k} onPress={() => shaped(k)}>
              {shift ? k.toUpperCase() : k}
            </Key>
          ))}
        </div>
      )}
      <div className="key-row">
        {DIGITS.map((d) => (
          <Key key={d} dataKey={d} onPress={() => edit(value + d)}>
            {d}
          </Key>
        ))}
      </div>
      {LETTER_ROWS.map((row, i) => (
        <div className="key-row" key={row[0]}>
          {i === 2 && layout !== 'search' && (
            <Key
              dataKey="shift"
              label={t('keyboard.shift')}
              pressed={shift}
              wide="x2"
              onPress={() => setShift((s) => !s)}
            >
              ⇧
            </Key>
          )}
          {row.map((k) => (
            <Key key={k} dataKey={k} onPress={() => letter(k)}>
              {shift ? k.toUpperCase() : k}
            </Key>
          ))}
          {i === 2 && (
            <Key dataKey="backspace" label={t('keyboard.backspace')} wide="x2" onPress={() => edit(backspace(value))}>
              ⌫
            </Key>
          )}
        </div>
      ))}
      <div className="key-row">
        {layout === 'text' ? (
          <>
            <Key dataKey="telex" pressed={telex} wide="x3" onPress={() => setTelex((x) => !x)}>
              {t('keyboard.telex')}
            </Key>
            <Key dataKey="," onPress={() => edit(value + ',')}>
              ,
            </Key>
            <Key dataKey="space" wide="x6" onPress={() => edit(value + ' ')}>
              {t('keyboard.space')}
            </Key>
            {PUNCTUATION.slice(1).map((p) => (
              <Key key={p} dataKey={p} onPress={() => edit(value + p)}>
                {p}
              </Key>
            ))}
          </>
        ) : layout === 'url' ? (
          <>
            {PATH_KEYS.map((p) => (
              <Key key={p} dataKey={p} onPress={() => edit(value + p)}>
                {p}
              </Key>
            ))}
            <Key dataKey="clear" wide="x3" onPress={() => onChange('')}>
              {t('keyboard.clear')}
            </Key>
          </>
        ) : (
          <>
            <Key dataKey="." onPress={() => edit(value + '.')}>
              .
            </Key>
            <Key dataKey="space" wide="x6" onPress={() => edit(value + ' ')}>
              {t('keyboard.space')}
            </Key>
            <Key dataKey="clear" wide="x3" onPress={() => onChange('')}>
              {t('keyboard.clear')}
            </Key>
          </>
        )}
      </div>
    </div>
  );
};
