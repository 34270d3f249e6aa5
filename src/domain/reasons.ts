// Why a message cannot go (R1d): a stable code, a sentence in Vietnamese and English, and the next time
// it could go when there is one. The inbox, the API and campaign dry runs show these verbatim.
import type { Bilingual } from './model.ts';

export const REASON_TEXT = {
  never_interacted: {
    vi: 'Khách hàng chưa từng nhắn tin cho Fanpage.',
    en: 'The customer has never messaged the page.',
  },
  outside_24h_window: {
    vi: 'Đã quá 24 giờ kể từ tương tác cuối: chỉ nhân viên mới được trả lời (thẻ HUMAN_AGENT).',
    en: 'More than 24 hours since the last interaction: only a human agent may reply (HUMAN_AGENT tag).',
  },
  outside_7d_window: {
    vi: 'Đã quá 7 ngày kể từ tương tác cuối: theo chính sách của Facebook, chỉ có thể gửi tin nhắn thông báo theo chủ đề khách hàng đã đăng ký.',
    en: "More than 7 days since the last interaction: under Facebook's policy only a notification on a topic the customer subscribed to can be sent.",
  },
  invitation_outside_window: {
    vi: 'Chỉ có thể gửi lời mời đăng ký chủ đề trong vòng 24 giờ kể từ tương tác cuối.',
    en: 'A topic invitation can only be sent within 24 hours of the last interaction.',
  },
  feature_disabled: {
    vi: 'Fanpage chưa bật tính năng (Cài đặt trang → Nhắn tin nâng cao → Tính năng đã yêu cầu).',
    en: 'The page has not enabled the feature (Page settings → Advanced messaging → Requested features).',
  },
  invitation_too_soon: {
    vi: 'Chủ đề này đã được gửi cho khách hàng trong 7 ngày qua; có thể gửi lại sau ngày hiển thị.',
    en: 'This topic was sent to the customer in the last 7 days; it can be resent after the date shown.',
  },
  already_subscribed: {
    vi: 'Khách hàng đang đăng ký chủ đề này; có thể gửi lại sau khi hết hạn.',
    en: 'The customer already holds this topic; it can be resent once it expires.',
  },
  topic_inactive: {
    vi: 'Chủ đề đã ngừng kích hoạt.',
    en: 'The topic is deactivated.',
  },
  no_subscription: {
    vi: 'Khách hàng chưa đăng ký chủ đề này.',
    en: 'The customer has not subscribed to this topic.',
  },
  subscription_stopped: {
    vi: 'Khách hàng đã dừng nhận thông báo của chủ đề này.',
    en: 'The customer stopped notifications on this topic.',
  },
  subscription_expired: {
    vi: 'Đăng ký chủ đề đã hết hạn.',
    en: 'The subscription to this topic has expired.',
  },
  token_used: {
    vi: 'Lượt thông báo một lần (OTN) đã được sử dụng; khách hàng cần đăng ký lại.',
    en: 'The one-time notification was already used; the customer must opt in again.',
  },
  cooldown: {
    vi: 'Chủ đề này vừa được gửi thông báo; có thể gửi lại sau thời điểm hiển thị.',
    en: 'A notification was sent on this topic recently; the next one can go after the time shown.',
  },
  region_not_allowed: {
    vi: 'Từ 2026, Facebook chỉ cho phép thông báo định kỳ tại AU, EU, JP, KR, UK.',
    en: 'Since 2026 Facebook allows recurring notifications only in AU, EU, JP, KR and the UK.',
  },
  page_restricted: {
    vi: 'Facebook đang hạn chế Fanpage gửi tin nhắn; việc gửi đã dừng.',
    en: 'Facebook has restricted the page from sending; sending has stopped.',
  },
  page_needs_reconnect: {
    vi: 'Fanpage cần kết nối lại với Facebook (quyền truy cập đã bị thu hồi hoặc thiếu quyền); việc gửi đã dừng.',
    en: 'The page needs to be reconnected to Facebook (access was revoked or a permission is missing); sending has stopped.',
  },
  page_disconnected: {
    vi: 'Fanpage đã bị ngắt kết nối; không thể gửi tin nhắn.',
    en: 'The page has been disconnected; nothing can be sent.',
  },
  customer_unreachable: {
    vi: 'Khách hàng hiện không nhận được tin nhắn từ Fanpage.',
    en: 'The customer is not receiving messages from the page right now.',
  },
  content_not_allowed: {
    vi: 'Tin nhắn thông báo chỉ gồm văn bản và biểu tượng emoji.',
    en: 'A notification from a conversation may only contain text and emoji.',
  },
  optin_limit: {
    vi: 'Facebook báo khách hàng nhận quá nhiều lời mời đăng ký; tạm ngưng gửi lời mời đến thời điểm hiển thị.',
    en: 'Facebook reported too many opt-in requests to this person; invitations pause until the time shown.',
  },
  human_agent_not_for_bots: {
    vi: 'Trợ lý chat và chiến dịch không được dùng thẻ HUMAN_AGENT.',
    en: 'The chat assistant and campaigns may not use the HUMAN_AGENT tag.',
  },
  // R12–R14: the routes after 24 hours under the 2026 profile.
  otn_closed: {
    vi: 'Facebook đã báo thông báo một lần (OTN) không còn dùng được cho Fanpage này.',
    en: 'Facebook reported that one-time notifications are no longer available for this page.',
  },
  no_ad_account: {
    vi: 'Chưa kết nối tài khoản quảng cáo: hãy kết nối một tài khoản quảng cáo (token người dùng hệ thống, có phương thức thanh toán) để gửi tin nhắn marketing trả phí.',
    en: 'No ad account connected: connect an ad account (system-user token, with a payment method) to send paid marketing messages.',
  },
  no_marketing_token: {
    vi: 'Khách hàng chưa có token đăng ký nhận tin nhắn marketing của Facebook.',
    en: 'The customer holds no Facebook marketing-message subscription token.',
  },
  marketing_unsubscribed: {
    vi: 'Khách hàng đã hủy nhận tin nhắn marketing của Fanpage.',
    en: "The customer unsubscribed from the page's marketing messages.",
  },
  marketing_token_limit: {
    vi: 'Facebook chỉ cho phép một tin nhắn marketing mỗi 12 giờ cho mỗi khách hàng (tính chung mọi chủ đề); có thể gửi sau thời điểm hiển thị.',
    en: 'Facebook allows one marketing message per customer every 12 hours (across all topics); the next one can go after the time shown.',
  },
  marketing_not_active: {
    vi: 'Chiến dịch tin nhắn của Facebook chưa hoạt động (Facebook yêu cầu chờ sau khi tạo); có thể gửi sau thời điểm hiển thị.',
    en: "Facebook's message campaign is not active yet (Facebook asks for a wait after creating it); the message can go after the time shown.",
  },
  conversation_gap: {
    vi: 'Khách hàng vừa trò chuyện với Fanpage; tin nhắn marketing chỉ được gửi sau khoảng cách tối thiểu đã cấu hình (thời điểm hiển thị).',
    en: 'The customer talked with the page recently; a marketing message may only go after the configured minimum gap (the time shown).',
  },
  budget_exhausted: {
    vi: 'Gửi tin này sẽ vượt ngân sách của chiến dịch.',
    en: "Sending this message would exceed the campaign's budget.",
  },
  template_missing: {
    vi: 'Chưa chọn mẫu tin tiện ích (utility) cho tin nhắn này.',
    en: 'No utility template is chosen for this message.',
  },
  template_not_approved: {
    vi: 'Mẫu tin tiện ích chưa được Facebook duyệt (APPROVED) nên chưa thể gửi.',
    en: 'The utility template is not APPROVED by Facebook, so it cannot be sent.',
  },
  marketing_on_utility: {
    vi: 'Mẫu tin tiện ích không được chứa nội dung marketing: chiến dịch không thể gửi qua mẫu tin tiện ích.',
    en: 'A utility template may not carry marketing: a campaign cannot go through the utility route.',
  },
  route_not_available: {
    vi: 'Tuyến gửi này chưa được hỗ trợ trong phiên bản hiện tại; tin nhắn chưa được gửi.',
    en: 'This route cannot be sent by this version yet; nothing was sent.',
  },
} as const satisfies Record<string, Bilingual>;

export type ReasonCode = keyof typeof REASON_TEXT;

export interface Refusal {
  ok: false;
  reason: ReasonCode;
  text: Bilingual;
  /** When the message could next go, if that depends only on time; null when it needs the customer. */
  nextAt: Date | null;
}

export function refuse(reason: ReasonCode, nextAt: Date | null = null): Refusal {
  return { ok: false, reason, text: REASON_TEXT[reason], nextAt };
}
