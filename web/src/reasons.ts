// Short labels for the reason codes the API reports in dry runs and delivery results (R9c/d); an
// unknown code is shown as is.
import type { Lang } from './api.ts';

const LABELS: Record<string, { vi: string; en: string }> = {
  subscription_stopped: { vi: 'Đã dừng nhận', en: 'Stopped' },
  subscription_expired: { vi: 'Hết hạn', en: 'Expired' },
  token_used: { vi: 'OTN đã dùng', en: 'OTN used' },
  cooldown: { vi: 'Đang giãn cách', en: 'Cooling down' },
  no_subscription: { vi: 'Chưa đăng ký', en: 'Not subscribed' },
  topic_inactive: { vi: 'Chủ đề ngừng kích hoạt', en: 'Topic deactivated' },
  page_restricted: { vi: 'Fanpage bị hạn chế', en: 'Page restricted' },
  page_needs_reconnect: { vi: 'Cần kết nối lại', en: 'Reconnect needed' },
  page_disconnected: { vi: 'Đã ngắt kết nối', en: 'Disconnected' },
  customer_unreachable: { vi: 'Khách hàng chặn / không nhận', en: 'Blocked / unreachable' },
  region_not_allowed: { vi: 'Khu vực không cho phép', en: 'Region not allowed' },
  token_invalid: { vi: 'Mã đăng ký không hợp lệ', en: 'Token invalid' },
  outside_window: { vi: 'Ngoài khung gửi', en: 'Outside the window' },
  cancelled: { vi: 'Chiến dịch bị hủy', en: 'Campaign cancelled' },
};

export function reasonLabel(code: string, lang: Lang): string {
  const bare = code.replace(/^(failed|skipped|sent):/, '');
  return LABELS[bare]?.[lang] ?? bare;
}
