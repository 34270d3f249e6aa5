// The header's account corner: who is signed in and with which role (a link to the profile, where the
// password is changed), and "Đăng xuất".
import { fill, useI18n } from '../i18n.tsx';
import { navigate } from '../router.ts';
import { useSession } from '../session.tsx';

export function UserMenu() {
  const { t } = useI18n();
  const s = useSession();
  return (
    <div className="user">
      <a
        className="user__who"
        href="/profile"
        aria-label={fill(t.profileOf, { name: s.name })}
        title={s.email}
        onClick={(e) => {
          e.preventDefault();
          navigate('/profile');
        }}
      >
        <span className="user__avatar" aria-hidden="true">
          {(s.name.trim()[0] ?? '?').toUpperCase()}
        </span>
        <span className="user__text">
          <span className="user__name">{s.name}</span>
          <span className={`role role--${s.role}`}>{t[`role_${s.role}`]}</span>
        </span>
      </a>
      <button type="button" className="link" onClick={s.signOut}>
        {t.signOut}
      </button>
    </div>
  );
}
