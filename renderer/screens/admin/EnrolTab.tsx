import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type AdminStatus, CentralUrlInput, EnrolmentCodeInput } from '../../../shared/admin.ts';
import type { MethodOutput } from '../../../shared/api.ts';
import { useApi } from '../../api/context.ts';
import { Keyboard } from '../../keyboard/Keyboard.tsx';
import type { TabProps } from './tab-props.ts';
import { EnrolmentCard, TrustNotes } from './EnrolmentCard.tsx';
import { ENROL_ERROR_KEYS } from './words.ts';

type Field = 'url' | 'code';

/** The prefilled scheme alone is not a mistake yet. */
const typed = (v: string) => v !== '' && v !== 'https://' && v !== 'http://';
/** A refused enrolment; success is shown by the tab, above the enrolment card that replaces the form. */
type Failure = { text: string; detail: string | null };

/**
 * Enrolment: the enrolment in force (and its reset), or the central URL and the one-time code from
 * the central console, typed on the kiosk. An enrolled kiosk is never re-enrolled from the form.
 */
export const EnrolTab = (props: TabProps) => {
  const { session, onExpired } = props;
  const api = useApi();
  const [status, setStatus] = useState<Pick<AdminStatus, 'enrolment' | 'trust'> | null>(null);
  const { t } = useTranslation();
  const [notice, setNotice] = useState<string | null>(null);
  const [enrolledNow, setEnrolledNow] = useState<MethodOutput<'adminEnrol'> | null>(null);
  const refresh = useCallback(async () => {
    const r = await api.adminStatus({ session });
    if (r.ok) setStatus(r.value);
    else if (r.error.code === 'session_expired') onExpired();
  }, [api, session, onExpired]);
  useEffect(() => {
    void refresh();
  }, [refresh]);
  if (!status) return null;
  return (
    <>
      <TrustNotes trust={status.trust} />
      {notice && (
        <p className="admin-result is-ok" data-testid="admin-reset-done" role="status">
          {notice}
        </p>
      )}
      {enrolledNow && (
        <div className="admin-result is-ok" data-testid="admin-enrol-result" data-ok="yes" role="status">
          <p>
            {t(enrolledNow.retried ? 'admin.enrolAgain' : 'admin.enrolled', {
              unit: enrolledNow.unit.name,
              url: enrolledNow.centralUrl,
            })}
          </p>
        </div>
      )}
      {status.enrolment ? (
        <EnrolmentCard
          session={session}
          enrolment={status.enrolment}
          onExpired={onExpired}
          onReset={(text) => {
            setNotice(text);
            setEnrolledNow(null);
            void refresh();
          }}
        />
      ) : (
        <EnrolForm
          {...props}
          onEnrolled={(value) => {
            setEnrolledNow(value);
            setNotice(null);
            void refresh();
          }}
        />
      )}
    </>
  );
};

const EnrolForm = ({
  session,
  onExpired,
  onEnrolled,
}: TabProps & { onEnrolled: (value: MethodOutput<'adminEnrol'>) => void }) => {
  const { t } = useTranslation();
  const api = useApi();
  const [url, setUrl] = useState('https://');
  const [code, setCode] = useState('');
  const [field, setField] = useState<Field>('url');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);

  // The contract's own schemas: what the panel refuses is exactly what the core would.
  const urlOk = CentralUrlInput.safeParse(url).success;
  const codeOk = EnrolmentCodeInput.safeParse(code).success;

  const submit = async () => {
    if (!urlOk || !codeOk || busy) return;
    setBusy(true);
    setFailure(null);
    const r = await api.adminEnrol({ session, centralUrl: url, code });
    setBusy(false);
    // Success is shown by the tab above the enrolment card that replaces this form.
    if (r.ok) return onEnrolled(r.value);
    const e = r.error;
    if (e.code === 'session_expired') return onExpired();
    if (e.code === 'enrol_failed') return setFailure({ text: t(ENROL_ERROR_KEYS[e.reason]), detail: e.message });
    if (e.code === 'invalid_input')
      return setFailure({
        text: t('admin.enrolInvalid'),
        detail: e.issues.map((i) => `${i.path}: ${i.message}`).join('; '),
      });
    setFailure({ text: t('staff.failed'), detail: e.message });
  };

  const input = (
    which: Field,
    value: string,
    set: (v: string) => void,
    ok: boolean,
    testId: string,
    label: string,
    hint: string,
  ) => (
    <label className={`admin-field ${field === which ? 'is-focused' : ''}`}>
      <span className="field-label">{label}</span>
      <input
        className="case-input"
        data-testid={testId}
        value={value}
        inputMode="none"
        autoComplete="off"
        spellCheck={false}
        aria-invalid={typed(value) && !ok}
        onFocus={() => setField(which)}
        onChange={(e) => set(e.target.value)}
      />
      <span className={`admin-hint ${typed(value) && !ok ? 'is-error' : ''}`}>{hint}</span>
    </label>
  );

  return (
    <div className="admin-form">
      <p className="admin-lead">{t('admin.enrolLead')}</p>
      {input('url', url, setUrl, urlOk, 'admin-enrol-url', t('admin.centralUrl'), t('admin.centralUrlHint'))}
      {input(
        'code',
        code,
        (v) => setCode(v.toUpperCase()),
        codeOk,
        'admin-enrol-code',
        t('admin.enrolCode'),
        t('admin.enrolCodeHint'),
      )}
      <div className="admin-actions">
        <button
          type="button"
          className="btn btn-primary btn-big"
          data-testid="admin-enrol-submit"
          disabled={!urlOk || !codeOk || busy}
          onClick={() => void submit()}
        >
          {busy ? t('admin.enrolling') : t('admin.enrol')}
        </button>
      </div>
      {failure && (
        <div className="admin-result is-error" data-testid="admin-enrol-result" data-ok="no" role="status">
          <p>{failure.text}</p>
          {failure.detail && <p className="admin-raw">{failure.detail}</p>}
        </div>
      )}
      {/* Last, so the button and the answer stay in view above it on a landscape screen. */}
      <Keyboard
        layout="url"
        value={field === 'url' ? url : code}
        onChange={field === 'url' ? setUrl : (v) => setCode(v.toUpperCase())}
        maxLength={field === 'url' ? 200 : 14}
      />
    </div>
  );
};
