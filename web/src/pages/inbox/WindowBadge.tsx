import type { WindowState } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';

/** R1's windows as a coloured badge: < 24 h, the human-agent window, > 7 days. */
export function WindowBadge({ window }: { window: WindowState }) {
  const { t } = useI18n();
  return <span className={`badge badge--win-${window}`}>{t[`win_${window}`]}</span>;
}
