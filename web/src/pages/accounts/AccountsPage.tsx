// "Tài khoản & bảo mật" (owner): members and invitations, API keys, the audit log. Every change reloads
// the audit log, which records it.
import { useState } from 'react';
import { useI18n } from '../../i18n.tsx';
import { ApiKeysSection } from './ApiKeysSection.tsx';
import { AuditSection } from './AuditSection.tsx';
import { MembersSection } from './MembersSection.tsx';

export function AccountsPage() {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const bump = () => setVersion((v) => v + 1);
  return (
    <div className="stack">
      <h1>{t.navAccounts}</h1>
      <MembersSection onChange={bump} />
      <ApiKeysSection onChange={bump} />
      <AuditSection version={version} />
    </div>
  );
}
