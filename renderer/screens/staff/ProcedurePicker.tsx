import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Catalog } from '../../../shared/catalog.ts';
import { pickText } from '../../../shared/locale.ts';
import { Keyboard } from '../../keyboard/Keyboard.tsx';
import { type ProcedureSection, procedureSections } from './procedure-sections.ts';

type Props = {
  catalog: Catalog;
  recent: readonly string[];
  favourites: readonly string[];
  selected: string | null;
  locale: string;
  onSelect: (code: string) => void;
  onToggleFavourite: (code: string) => void;
};

/** Search by code or name (without diacritics is fine), favourites and recent first, then by field. */
export const ProcedurePicker = ({
  catalog,
  recent,
  favourites,
  selected,
  locale,
  onSelect,
  onToggleFavourite,
}: Props) => {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [keyboard, setKeyboard] = useState(false);
  const sections = useMemo(
    () => procedureSections(catalog, query, recent, favourites),
    [catalog, query, recent, favourites],
  );
  const favSet = new Set(favourites);

  const title = (s: ProcedureSection): string =>
    s.kind === 'favourites'
      ? t('staff.favourites')
      : s.kind === 'recent'
        ? t('staff.recent')
        : pickText(s.title, locale);

  return (
    <div className="picker">
      <div className="picker-search">
        <input
          type="search"
          className="search-input"
          data-testid="procedure-search"
          value={query}
          inputMode="none"
          autoComplete="off"
          spellCheck={false}
          aria-label={t('staff.search')}
          placeholder={t('staff.search')}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button
          type="button"
          className="btn"
          data-testid="search-keyboard"
          aria-pressed={keyboard}
          onClick={() => setKeyboard((k) => !k)}
        >
          {keyboard ? t('keyboard.hide') : t('keyboard.show')}
        </button>
      </div>
      {keyboard && <Keyboard layout="search" value={query} onChange={setQuery} maxLength={80} />}
      <div className="picker-results" data-testid="procedure-results">
        {sections.length === 0 && <p className="picker-empty">{t('staff.noResults')}</p>}
        {sections.map((s) => (
          <section
            key={s.kind === 'field' ? `field-${s.fieldCode}` : s.kind}
            className={`picker-section picker-${s.kind}`}
            aria-label={title(s)}
          >
            <h3>{title(s)}</h3>
            <ul>
              {s.items.map((p) => {
                const name = pickText(p.name, locale);
                const fav = favSet.has(p.code);
                return (
                  <li key={p.code} className="picker-row">
                    <button
                      type="button"
                      className={`procedure-option ${p.code === selected ? 'is-selected' : ''}`}
                      data-testid="procedure-option"
                      data-code={p.code}
                      aria-pressed={p.code === selected}
                      onClick={() => onSelect(p.code)}
                    >
                      <span className="procedure-code">{p.code}</span>
                      <span className="procedure-title">{name}</span>
                    </button>
                    <button
                      type="button"
                      className={`star ${fav ? 'is-on' : ''}`}
                      data-testid="favourite-toggle"
                      data-code={p.code}
                      aria-pressed={fav}
                      aria-label={fav ? t('staff.removeFavourite', { name }) : t('staff.addFavourite', { name })}
                      onClick={() => onToggleFavourite(p.code)}
                    >
                      <span aria-hidden="true">{fav ? '★' : '☆'}</span>
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
};
