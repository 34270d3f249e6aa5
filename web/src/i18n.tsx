// The console's words, Vietnamese first (labels from the source help pages), English second. Typed: the
// English table must have every key the Vietnamese one has, so a missing translation fails `tsc -p web`.
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { STATISTICS as S } from '../../src/domain/stats.ts';
import type { CtaText, Lang } from './api.ts';
import { accountsEn, accountsVi } from './i18n/accounts.ts';
import { assistantEn, assistantVi } from './i18n/assistant.ts';
import { campaignsEn, campaignsVi } from './i18n/campaigns.ts';
import { connectEn, connectVi } from './i18n/connect.ts';
import { consoleEn, consoleVi } from './i18n/console.ts';
import { inboxEn, inboxVi } from './i18n/inbox.ts';
import { marketingEn, marketingVi } from './i18n/marketing.ts';
import { shopsEn, shopsVi } from './i18n/shops.ts';
import { templatesEn, templatesVi } from './i18n/templates.ts';

export { fill } from './i18n/accounts.ts';

const vi = {
  appName: 'renotify',
  language: 'Ngôn ngữ',
  navTopics: 'Chủ đề',
  navAssistant: 'Trợ lý chat',
  navInbox: 'Hội thoại',
  navCampaigns: 'Chiến dịch',
  navSettings: 'Cài đặt',
  loading: 'Đang tải…',
  signIn: 'Đăng nhập',
  signOut: 'Đăng xuất',
  email: 'Email',
  password: 'Mật khẩu',
  save: 'Lưu',
  cancel: 'Hủy',
  edit: 'Sửa',
  delete: 'Xóa',
  add: 'Thêm',
  close: 'Đóng',
  saved: 'Đã lưu',
  none: 'Không có',
  // topics
  topicsTitle: 'Chủ đề thông báo',
  recurringTopics: 'Chủ đề thông báo định kỳ',
  otnTopics: 'Chủ đề OTN',
  newTopic: 'Chủ đề mới',
  topicName: 'Tên chủ đề',
  topicKind: 'Loại',
  kindRecurring: 'Định kỳ',
  kindOneTime: 'OTN (1 lần)',
  topicTitle: 'Tiêu đề trên thẻ đăng ký',
  topicImage: 'Ảnh (URL)',
  buttonLabel: 'Nội dung nút',
  frequency: 'Tần suất',
  freqDAILY: 'Hằng ngày',
  freqWEEKLY: 'Hằng tuần',
  freqMONTHLY: 'Hằng tháng',
  status: 'Trạng thái',
  active: 'Đang kích hoạt',
  inactive: 'Ngừng kích hoạt',
  activate: 'Kích hoạt',
  deactivate: 'Ngừng kích hoạt',
  // Statistics are named once, in the domain (src/domain/stats.ts STATISTICS).
  validSubscribers: S.validSubscribers.label.vi,
  acceptanceRate: S.acceptanceRate.label.vi,
  invitationsSent: S.invitationsSent.label.vi,
  acceptances: S.acceptances.label.vi,
  stops: S.stops.label.vi,
  sends: S.sends.label.vi,
  statistics: 'Thống kê',
  statsUnavailable: 'Chưa có số liệu thống kê.',
  preview: 'Xem trước',
  previewHint: 'Khách hàng sẽ thấy thẻ này trong Messenger',
  otnFixedButton: 'Nút "Thông báo cho tôi" cố định; khách hàng thấy theo ngôn ngữ Facebook của họ.',
  charsLeft: 'ký tự còn lại',
  deactivateHint:
    'Ngừng kích hoạt sẽ tạm dừng các đăng ký; kích hoạt lại sẽ khôi phục những đăng ký chưa hết hạn.',
  // inbox
  inboxTitle: 'Hội thoại',
  search: 'Tìm khách hàng',
  win_open: '< 24 giờ',
  win_human_agent: '24 giờ – 7 ngày',
  win_closed: '> 7 ngày',
  win_none: 'Chưa tương tác',
  lastInteraction: 'Tương tác cuối',
  pickConversation: 'Chọn một hội thoại',
  listUnavailable: 'Danh sách hội thoại chưa có; mở theo mã khách hàng:',
  openCustomer: 'Mở',
  customerId: 'Mã khách hàng',
  sentList: 'Đã gửi',
  notSentList: 'Chưa gửi',
  resendAfter: 'Có thể gửi lại sau',
  sentAt: 'Gửi lúc',
  optedInAt: 'Đồng ý lúc',
  expiresAt: 'Hết hạn',
  sendTopic: 'Gửi chủ đề',
  sendTopicHidden: 'Ngoài 24 giờ: không thể gửi chủ đề đăng ký (tính năng bị ẩn).',
  st_never_invited: 'Chưa mời',
  st_invited: 'Đã mời, chưa đồng ý',
  st_subscribed: 'Đã đăng ký',
  st_stopped: 'Đã dừng nhận',
  st_expired: 'Đã hết hạn',
  st_used: 'Đã dùng (OTN)',
  composerNormal: 'Trả lời',
  composerHumanAgent: 'Trả lời với thẻ HUMAN_AGENT (nhân viên)',
  composerNotification: 'Gửi tin nhắn thông báo theo chủ đề',
  composerPolicy: 'Chính sách 7 ngày của Facebook',
  whyNormal: 'Trong 24 giờ kể từ tương tác cuối: có thể gửi mọi tin nhắn.',
  whyHumanAgent: 'Đã quá 24 giờ: chỉ nhân viên được trả lời, với thẻ HUMAN_AGENT, đến hết 7 ngày.',
  whyNotification:
    'Đã quá 7 ngày: chỉ có thể gửi thông báo theo chủ đề khách hàng đang theo dõi (văn bản và emoji).',
  windowClosesAt: 'Khung hiện tại đóng lúc',
  nextAt: 'Có thể gửi lúc',
  typeMessage: 'Nhập tin nhắn',
  send: 'Gửi',
  sent: 'Đã gửi',
  notificationTopic: 'Chủ đề',
  textOnly: 'Chỉ văn bản và emoji',
  fromCustomer: 'Khách hàng',
  fromPage: 'Fanpage',
  optinEvent: 'Khách hàng đã đồng ý nhận tin',
  // settings
  settingsTitle: 'Cài đặt',
  pageConnection: 'Kết nối Fanpage',
  connected: 'Đã kết nối',
  notConnected: 'Chưa kết nối',
  pageName: 'Tên Fanpage',
  fbPageId: 'Page ID',
  profile: 'Quy định nền tảng',
  timeZone: 'Múi giờ',
  region: 'Khu vực',
  optInFeature: 'Tính năng đăng ký nhận tin (Nhắn tin nâng cao → Tính năng đã yêu cầu)',
  restricted: 'Bị hạn chế',
  secretNote: 'Mã truy cập không bao giờ được hiển thị lại.',
  ...accountsVi,
  ...assistantVi,
  ...campaignsVi,
  ...templatesVi,
  ...marketingVi,
  ...inboxVi,
  ...consoleVi,
  ...shopsVi,
  ...connectVi,
};

export type Dict = { [K in keyof typeof vi]: string };

const en: Dict = {
  appName: 'renotify',
  language: 'Language',
  navTopics: 'Topics',
  navAssistant: 'Chat assistant',
  navInbox: 'Conversations',
  navCampaigns: 'Campaigns',
  navSettings: 'Settings',
  loading: 'Loading…',
  signIn: 'Sign in',
  signOut: 'Sign out',
  email: 'Email',
  password: 'Password',
  save: 'Save',
  cancel: 'Cancel',
  edit: 'Edit',
  delete: 'Delete',
  add: 'Add',
  close: 'Close',
  saved: 'Saved',
  none: 'None',
  topicsTitle: 'Notification topics',
  recurringTopics: 'Recurring notification topics',
  otnTopics: 'OTN topics',
  newTopic: 'New topic',
  topicName: 'Topic name',
  topicKind: 'Kind',
  kindRecurring: 'Recurring',
  kindOneTime: 'OTN (one-time)',
  topicTitle: 'Title on the opt-in card',
  topicImage: 'Image (URL)',
  buttonLabel: 'Button label',
  frequency: 'Frequency',
  freqDAILY: 'Daily',
  freqWEEKLY: 'Weekly',
  freqMONTHLY: 'Monthly',
  status: 'Status',
  active: 'Active',
  inactive: 'Deactivated',
  activate: 'Activate',
  deactivate: 'Deactivate',
  validSubscribers: S.validSubscribers.label.en,
  acceptanceRate: S.acceptanceRate.label.en,
  invitationsSent: S.invitationsSent.label.en,
  acceptances: S.acceptances.label.en,
  stops: S.stops.label.en,
  sends: S.sends.label.en,
  statistics: 'Statistics',
  statsUnavailable: 'No statistics yet.',
  preview: 'Preview',
  previewHint: 'The customer sees this card in Messenger',
  otnFixedButton: 'The "Notify me" button is fixed; customers see it in their Facebook language.',
  charsLeft: 'characters left',
  deactivateHint:
    'Deactivating suspends its subscriptions; reactivating restores those not expired meanwhile.',
  inboxTitle: 'Conversations',
  search: 'Find a customer',
  win_open: '< 24 h',
  win_human_agent: '24 h – 7 days',
  win_closed: '> 7 days',
  win_none: 'Never interacted',
  lastInteraction: 'Last interaction',
  pickConversation: 'Pick a conversation',
  listUnavailable: 'The conversation list is not available yet; open by customer id:',
  openCustomer: 'Open',
  customerId: 'Customer id',
  sentList: 'Sent',
  notSentList: 'Not sent',
  resendAfter: 'Can resend after',
  sentAt: 'Sent',
  optedInAt: 'Opted in',
  expiresAt: 'Expires',
  sendTopic: 'Send topic',
  sendTopicHidden: 'Outside 24 hours: topic invitations cannot be sent (hidden).',
  st_never_invited: 'Never invited',
  st_invited: 'Invited, not accepted',
  st_subscribed: 'Subscribed',
  st_stopped: 'Stopped',
  st_expired: 'Expired',
  st_used: 'Used (OTN)',
  composerNormal: 'Reply',
  composerHumanAgent: 'Reply with the HUMAN_AGENT tag (agent)',
  composerNotification: 'Send a notification on a topic',
  composerPolicy: "Facebook's 7-day policy",
  whyNormal: 'Within 24 hours of the last interaction: any message may be sent.',
  whyHumanAgent: 'More than 24 hours: only a human agent may reply, tagged HUMAN_AGENT, until 7 days.',
  whyNotification: 'More than 7 days: only a notification on a topic the customer holds (text and emoji).',
  windowClosesAt: 'This window closes at',
  nextAt: 'Can send at',
  typeMessage: 'Type a message',
  send: 'Send',
  sent: 'Sent',
  notificationTopic: 'Topic',
  textOnly: 'Text and emoji only',
  fromCustomer: 'Customer',
  fromPage: 'Page',
  optinEvent: 'The customer opted in',
  settingsTitle: 'Settings',
  pageConnection: 'Page connection',
  connected: 'Connected',
  notConnected: 'Not connected',
  pageName: 'Page name',
  fbPageId: 'Page ID',
  profile: 'Platform rules',
  timeZone: 'Time zone',
  region: 'Region',
  optInFeature: 'Opt-in feature (Advanced messaging → Requested features)',
  restricted: 'Restricted',
  secretNote: 'Access tokens are never shown again.',
  ...accountsEn,
  ...assistantEn,
  ...campaignsEn,
  ...templatesEn,
  ...marketingEn,
  ...inboxEn,
  ...consoleEn,
  ...shopsEn,
  ...connectEn,
};

export const DICTS: Record<Lang, Dict> = { vi, en };

/** The opt-in card's button as Messenger shows it in the customer's language (R5a). */
export const CTA_LABEL: Record<Lang, Record<CtaText | 'NOTIFY_ME', string>> = {
  vi: {
    ALLOW: 'Cho phép nhận tin nhắn',
    GET: 'Nhận tin nhắn',
    GET_UPDATES: 'Nhận thông tin cập nhật',
    OPT_IN: 'Chọn nhận tin nhắn',
    SIGN_UP: 'Đăng ký nhận tin nhắn',
    NOTIFY_ME: 'Thông báo cho tôi',
  },
  en: {
    ALLOW: 'Allow messages',
    GET: 'Get messages',
    GET_UPDATES: 'Get updates',
    OPT_IN: 'Opt in to messages',
    SIGN_UP: 'Sign up for messages',
    NOTIFY_ME: 'Notify me',
  },
};

interface I18n {
  lang: Lang;
  t: Dict;
  setLang(l: Lang): void;
}

const Ctx = createContext<I18n>({ lang: 'vi', t: vi, setLang: () => {} });

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() =>
    localStorage.getItem('renotify.lang') === 'en' ? 'en' : 'vi',
  );
  const value = useMemo<I18n>(
    () => ({
      lang,
      t: DICTS[lang],
      setLang(l) {
        localStorage.setItem('renotify.lang', l);
        document.documentElement.lang = l;
        setLangState(l);
      },
    }),
    [lang],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export const useI18n = () => useContext(Ctx);
