import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AuditTab } from './AuditTab.tsx';
import { EnrolTab } from './EnrolTab.tsx';
import { ExportTab } from './ExportTab.tsx';
import { LanTab } from './LanTab.tsx';
import { PinsTab } from './PinsTab.tsx';
import { SettingsTab } from './SettingsTab.tsx';
import { StatusTab } from './StatusTab.tsx';
import type { TabProps } from './tab-props.ts';

const TABS = [
  { id: 'status', label: 'admin.tab.status' },
  { id: 'enrol', label: 'admin.tab.enrol' },
  { id: 'export', label: 'admin.tab.export' },
  { id: 'audit', label: 'admin.tab.audit' },
  { id: 'pins', label: 'admin.tab.pins' },
  { id: 'settings', label: 'admin.tab.settings' },
  { id: 'lan', label: 'admin.tab.lan' },
] as const;
type Tab = (typeof TABS)[number]['id'];

type Props = TabProps & { onClose: () => void };

/** Behind the admin PIN: one tab per job IT does at a kiosk. */
export const AdminWorkspace = ({ session, locale, onExpired, onBusy, onClose }: Props) => {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('status');
  const props: TabProps = { session, locale, onExpired, onBusy };
  return (
    <div className="workspace admin-workspace">
      <header className="workspace-head">
        <h2 id="admin-title">{t('admin.title')}</h2>
        <button type="button" className="btn" data-testid="admin-close" onClick={onClose}>
          {t('staff.close')}
        </button>
      </header>
      <nav className="admin-tabs" aria-label={t('admin.tabs')}>
        {TABS.map((x) => (
          <button
            key={x.id}
            type="button"
            className={`admin-tab ${tab === x.id ? 'is-current' : ''}`}
            data-testid={`admin-tab-${x.id}`}
            aria-current={tab === x.id ? 'page' : undefined}
            onClick={() => setTab(x.id)}
          >
            {t(x.label)}
          </button>
        ))}
      </nav>
      <div className="admin-body">
        {tab === 'status' && <StatusTab {...props} />}
        {tab === 'enrol' && <EnrolTab {...props} />}
        {tab === 'export' && <ExportTab {...props} />}
        {tab === 'audit' && <AuditTab {...props} />}
        {tab === 'pins' && <PinsTab {...props} />}
        {tab === 'settings' && <SettingsTab {...props} />}
        {tab === 'lan' && <LanTab {...props} />}
      </div>
    </div>
  );
};
