// The language menu (Vietnamese default, English), remembered in localStorage.
import { useI18n } from '../i18n.tsx';

export function LangSwitch() {
  const { t, lang, setLang } = useI18n();
  return (
    <label className="lang">
      <span className="sr-only">{t.language}</span>
      <select aria-label={t.language} value={lang} onChange={(e) => setLang(e.target.value as 'vi' | 'en')}>
        <option value="vi">Tiếng Việt</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}
