// What a screen shows when the signed-in role may not use it (or the API answered 403): no data, the
// reason, and the way back to what the role may use.
import type { Role } from '../api.ts';
import { fill, useI18n } from '../i18n.tsx';
import { navigate } from '../router.ts';

export function Forbidden({ needed, role }: { needed: Role; role: Role }) {
  const { t } = useI18n();
  return (
    <section className="card forbidden" role="alert" aria-labelledby="h-forbidden">
      <div className="forbidden__icon" aria-hidden="true">
        🔒
      </div>
      <h1 id="h-forbidden">{t.forbiddenTitle}</h1>
      <p>{fill(t.forbiddenText, { needed: t[`role_${needed}`], role: t[`role_${role}`] })}</p>
      <a
        className="button"
        href="/inbox"
        onClick={(e) => {
          e.preventDefault();
          navigate('/inbox');
        }}
      >
        {t.goToInbox}
      </a>
    </section>
  );
}
