// The role picker shared by invitations, members and API keys (owner ⊇ admin ⊇ agent).
import { useI18n } from '../i18n.tsx';

/** The role picker shared by invitations, members and API keys. */
export function RoleSelect(props: {
  label: string;
  value: string;
  onChange(v: string): void;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  return (
    <select
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.target.value)}
    >
      <option value="agent">{t.role_agent}</option>
      <option value="admin">{t.role_admin}</option>
      <option value="owner">{t.role_owner}</option>
    </select>
  );
}
