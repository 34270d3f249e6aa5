// The words of the home screen, confirmations, campaign drafts, statistics periods and the phone-width
// menu (merged into the console's dictionaries by i18n.tsx). Typed: English must have every Vietnamese key.

export const consoleVi = {
  navHome: 'Tổng quan',
  menu: 'Menu',
  actions: 'Thao tác',
  date: 'Ngày',
  open: 'Mở',
  period: 'Khoảng thời gian',
  // home
  today: 'Hôm nay',
  needsAttention: 'Cần chú ý',
  subscribersAnyTopic: 'Khách đăng ký (ít nhất một chủ đề)',
  subscribersByTopic: '{label} theo chủ đề',
  latestCampaigns: 'Chiến dịch gần đây',
  attRestricted: 'Trang đang bị Meta hạn chế, việc gửi đã dừng: {detail}',
  attOtnClosed:
    'Meta báo thông báo một lần (OTN) không còn dùng được cho trang này; các chủ đề OTN đã ngừng gửi: {detail}',
  attNotConnected: 'Trang chưa được kết nối (chưa có mã truy cập trang).',
  attOptInOff: 'Tính năng đăng ký nhận thông báo đang tắt trên trang.',
  attCampaignPaused: 'Chiến dịch “{name}” đang tạm dừng ({reason}).',
  attTopicSuspended: 'Chủ đề “{name}” đang tắt: {n} người đăng ký bị tạm ngưng.',
  attTemplateRejected:
    'Mẫu tiện ích “{name}” bị Meta từ chối ({reason}); sự kiện đơn hàng dùng mẫu này sẽ không gửi được.',
  // confirmations
  confirmSendNow: 'Gửi ngay cho {n} người?',
  confirmSchedule: 'Hẹn giờ gửi cho {n} người lúc {at}?',
  confirmSendBody: 'người sẽ nhận chiến dịch',
  confirmCost: '{n} tin nhắn marketing trả phí, chi phí ước tính theo Facebook: {amount} {currency}.',
  confirmCostUnknown:
    '{n} tin nhắn marketing trả phí; Facebook chưa cho ước tính chi phí (xem "Ước tính chi phí" ở bước chạy thử).',
  confirmDeferred: '{n} người khác sẽ nhận sau, khi được phép gửi.',
  confirmNotReached: '{n} người trong đối tượng sẽ không nhận được (xem lý do ở bước chạy thử).',
  confirmNoUndo: 'Tin đã gửi không thể thu hồi.',
  confirmCancelCampaign: 'Hủy chiến dịch “{name}”?',
  confirmCancelBody: '{n} người chưa được gửi sẽ không nhận được tin. Không thể tiếp tục chiến dịch đã hủy.',
  confirmCancelDraft: 'Chưa gửi cho ai; chiến dịch sẽ không được gửi. Không thể tiếp tục chiến dịch đã hủy.',
  confirmDeleteDraft: 'Xóa bản nháp “{name}”?',
  confirmDeactivate: 'Ngừng kích hoạt chủ đề “{name}”?',
  confirmDeactivateBody: 'người đăng ký sẽ bị tạm ngưng: không gửi được cho họ cho đến khi bật lại chủ đề.',
  confirmRoleChange: 'Đổi vai trò của {email} từ {from} thành {to}?',
  // campaign drafts
  sendEllipsis: 'Gửi…',
  closeKeepDraft: 'Đóng (giữ bản nháp)',
  textRequired: 'Hãy nhập nội dung tin nhắn.',
  buttonTitleRequired: 'Mỗi nút cần một tiêu đề (tối đa 20 ký tự).',
  badUrl: 'Liên kết chưa đúng: cần một địa chỉ đầy đủ bắt đầu bằng https:// hoặc http://',
  // topic form
  titleTooLong:
    'Tiêu đề dài hơn {max} ký tự ({over} ký tự thừa): Messenger không chấp nhận, hãy rút gọn để lưu.',
};

export const consoleEn: { [K in keyof typeof consoleVi]: string } = {
  navHome: 'Overview',
  menu: 'Menu',
  actions: 'Actions',
  date: 'Date',
  open: 'Open',
  period: 'Period',
  today: 'Today',
  needsAttention: 'Needs attention',
  subscribersAnyTopic: 'Subscribers (any topic)',
  subscribersByTopic: '{label} by topic',
  latestCampaigns: 'Latest campaigns',
  attRestricted: 'Meta restricted the page; sending stopped: {detail}',
  attOtnClosed:
    'Meta reported one-time notifications (OTN) unavailable for this page; OTN topics no longer send: {detail}',
  attNotConnected: 'The page is not connected (no page access token).',
  attOptInOff: 'The notification opt-in feature is off on the page.',
  attCampaignPaused: 'Campaign “{name}” is paused ({reason}).',
  attTopicSuspended: 'Topic “{name}” is off: {n} subscribers are suspended.',
  attTemplateRejected:
    'Meta rejected the utility template “{name}” ({reason}); order events that use it cannot be sent.',
  confirmSendNow: 'Send now to {n} people?',
  confirmSchedule: 'Schedule for {n} people at {at}?',
  confirmSendBody: 'people will receive the campaign',
  confirmCost: "{n} paid marketing messages, Facebook's estimated cost: {amount} {currency}.",
  confirmCostUnknown:
    '{n} paid marketing messages; Facebook gave no cost estimate yet (see "Estimated cost" in the dry run).',
  confirmDeferred: '{n} more will get it later, when sending is allowed.',
  confirmNotReached: '{n} people in the audience will not get it (see the reasons in the dry run).',
  confirmNoUndo: 'A sent message cannot be taken back.',
  confirmCancelCampaign: 'Cancel campaign “{name}”?',
  confirmCancelBody: '{n} people not yet sent to will not get it. A cancelled campaign cannot be resumed.',
  confirmCancelDraft: 'Nobody was sent it yet; it will not be sent. A cancelled campaign cannot be resumed.',
  confirmDeleteDraft: 'Delete the draft “{name}”?',
  confirmDeactivate: 'Deactivate topic “{name}”?',
  confirmDeactivateBody:
    'subscribers will be suspended: nothing can be sent to them until the topic is on again.',
  confirmRoleChange: 'Change the role of {email} from {from} to {to}?',
  sendEllipsis: 'Send…',
  closeKeepDraft: 'Close (keep the draft)',
  textRequired: 'Write the message text.',
  buttonTitleRequired: 'Every button needs a title (up to 20 characters).',
  badUrl: 'Not a valid link: use a full address starting with https:// or http://',
  titleTooLong:
    'The title is longer than {max} characters ({over} too many): Messenger refuses it; shorten it to save.',
};
