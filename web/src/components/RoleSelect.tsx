// The role picker shared by invitations, members and API keys (owner ⊇ admin ⊇ agent).
import { ROLES } from '../api.ts';
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
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {t[`role_${r}`]}
        </option>
      ))}
    </select>
  );
}
