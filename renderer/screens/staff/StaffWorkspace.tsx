import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError, Assignment, MethodOutput } from '../../../shared/api.ts';
import { pickText } from '../../../shared/locale.ts';
import { useApi } from '../../api/context.ts';
import { CaseNumberField, caseNumberOk } from './CaseNumberField.tsx';
import { ChoiceChips } from './ChoiceChips.tsx';
import { ProcedurePicker } from './ProcedurePicker.tsx';

type Loaded = { catalog: MethodOutput<'getCatalog'>['catalog']; context: MethodOutput<'staffContext'> };

type Props = {
  session: string;
  locale: string;
  onExpired: () => void;
  onApplied: (a: Assignment) => void;
  onClose: () => void;
};

/** Behind the PIN: choose the procedure just handled, optional case number, officer and counter, apply. */
export const StaffWorkspace = ({ session, locale, onExpired, onApplied, onClose }: Props) => {
  const { t } = useTranslation();
  const api = useApi();
  const [data, setData] = useState<Loaded | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [caseNumber, setCaseNumber] = useState('');
  const [officer, setOfficer] = useState<string | null>(null);
  const [counter, setCounter] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<'failed' | 'pick' | null>(null);

  /** session_expired anywhere closes the workspace; other failures show a message. */
  const handle = (e: ApiError) => (e.code === 'session_expired' ? onExpired() : setFailed('failed'));

  useEffect(() => {
    let live = true;
    void Promise.all([api.getCatalog({}), api.staffContext({ session })]).then(([cat, ctx]) => {
      if (!live) return;
      if (!ctx.ok) return handle(ctx.error);
      if (!cat.ok) return handle(cat.error);
      setData({ catalog: cat.value.catalog, context: ctx.value });
      setSelected(ctx.value.assignment.procedureCode);
      setOfficer(ctx.value.assignment.officerId);
      setCounter(ctx.value.assignment.counterId);
    });
    return () => {
      live = false;
    };
    // Loaded once per session; `handle` only reports.
  }, [api, session]);

  const toggleFavourite = async (code: string) => {
    const r = await api.toggleFavourite({ session, procedureCode: code });
    if (!r.ok) return handle(r.error);
    setData((d) => (d ? { ...d, context: { ...d.context, favourites: r.value.favourites } } : d));
  };

  const apply = async () => {
    if (!selected) return setFailed('pick');
    if (!caseNumberOk(caseNumber) || busy) return;
    setBusy(true);
    setFailed(null);
    const r = await api.setAssignment({
      session,
      procedureCode: selected,
      caseNumber: caseNumber.trim() || null,
      officerId: officer,
      counterId: counter,
    });
    setBusy(false);
    if (!r.ok) return handle(r.error);
    onApplied(r.value);
  };

  const current = data?.context.assignment;
  return (
    <div className="workspace">
      <header className="workspace-head">
        <div>
          <h2 id="staff-title">{t('staff.title')}</h2>
          {current && (
            <p className="workspace-current" data-testid="staff-current" data-code={current.procedureCode}>
              {t('staff.current')}: <strong>{pickText(current.procedureName, locale)}</strong> ({current.procedureCode})
            </p>
          )}
        </div>
        <button type="button" className="btn" data-testid="staff-close" onClick={onClose}>
          {t('staff.close')}
        </button>
      </header>
      {!data ? (
        <p className="workspace-loading" role="status">
          {failed ? t('staff.failed') : t('staff.loading')}
        </p>
      ) : (
        <div className="workspace-body">
          <ProcedurePicker
            catalog={data.catalog}
            recent={data.context.recent}
            favourites={data.context.favourites}
            selected={selected}
            locale={locale}
            onSelect={(code) => {
              setSelected(code);
              setFailed(null);
            }}
            onToggleFavourite={(code) => void toggleFavourite(code)}
          />
          <aside className="workspace-side">
            <div className="side-fields">
              <CaseNumberField value={caseNumber} onChange={setCaseNumber} />
              <ChoiceChips
                label={t('staff.officer')}
                testId="staff-officer"
                items={data.context.officers}
                value={officer}
                onChange={setOfficer}
              />
              <ChoiceChips
                label={t('staff.counter')}
                testId="staff-counter"
                items={data.context.counters}
                value={counter}
                onChange={setCounter}
              />
            </div>
            <div className="side-actions">
              <p className="staff-message is-error" data-testid="staff-error" role="alert">
                {failed === 'pick' ? t('staff.pickFirst') : failed === 'failed' ? t('staff.failed') : ''}
              </p>
              <button
                type="button"
                className="btn btn-primary btn-big"
                data-testid="staff-apply"
                disabled={busy || !caseNumberOk(caseNumber)}
                onClick={() => void apply()}
              >
                {busy ? t('staff.applying') : t('staff.apply')}
              </button>
            </div>
          </aside>
        </div>
      )}
    </div>
  );
};
