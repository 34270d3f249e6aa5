// Chiến dịch → Tin nhắn thông báo. Placeholder until the campaigns API lands.
import type { Page } from '../../api.ts';
import { useI18n } from '../../i18n.tsx';

export function CampaignsPage(_p: { page: Page; campaignId: number | null }) {
  const { t } = useI18n();
  return (
    <div className="stack">
      <h1>{t.campaignsTitle}</h1>
      <p className="muted">{t.campaignsUnavailable}</p>
    </div>
  );
}
