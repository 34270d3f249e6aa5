// Every error the API can answer, in the staff's language: one dictionary (code → vi/en), used through
// ApiError.text and errorText by every screen that shows a server error. Meta's errors (graph_*) say
// what the agent can do, not what Graph said. An unknown code never shows raw English to a vi reader.
// test/error-dictionary.test.ts scans the server for codes and fails when one is missing here.
// Self-contained on purpose (no import of api.ts): the server's tests import it too.
import { REASON_TEXT } from '../../src/domain/reasons.ts';

type Lang = 'vi' | 'en';
type Bilingual = { vi: string; en: string };

export interface ErrorDetails {
  vi?: string;
  en?: string;
  nextAt?: string | null;
  notice?: Bilingual;
  /** Seconds, from the Retry-After header of a 429. */
  retryAfterS?: number;
  [k: string]: unknown;
}

const GRAPH_TEXT: Record<string, Bilingual> = {
  graph_outside_window: {
    vi: 'Facebook từ chối: đã ngoài khung gửi tin. Hãy chờ khách hàng nhắn lại, hoặc gửi thông báo theo chủ đề khách đã đăng ký.',
    en: 'Facebook refused: the messaging window has closed. Wait for the customer to write, or send a notification on a topic they subscribed to.',
  },
  graph_subscription_stopped: {
    vi: 'Khách hàng đã dừng nhận thông báo của chủ đề này; không thể gửi cho đến khi họ bật lại.',
    en: 'The customer stopped notifications on this topic; nothing can be sent until they resume.',
  },
  graph_cooldown: {
    vi: 'Facebook chưa cho gửi thông báo tiếp trên chủ đề này (đang giãn cách). Hãy thử lại sau.',
    en: 'Facebook does not allow another notification on this topic yet (cooldown). Try again later.',
  },
  graph_token_invalid: {
    vi: 'Đăng ký của khách hàng không còn hiệu lực với Facebook. Hãy mời khách hàng đăng ký lại khi họ nhắn tin.',
    en: "Facebook no longer accepts the customer's subscription. Invite them to subscribe again when they next write.",
  },
  graph_duplicate_optin: {
    vi: 'Facebook không cho gửi lại lời mời cùng tiêu đề cho khách hàng này trong 7 ngày. Hãy gửi lại sau.',
    en: 'Facebook does not allow the same invitation to this customer twice in 7 days. Send it again later.',
  },
  graph_optin_limit: {
    vi: 'Khách hàng đã nhận quá nhiều lời mời đăng ký; hãy tạm dừng mời và thử lại sau.',
    en: 'The customer has received too many invitations; pause inviting and try again later.',
  },
  graph_page_restricted: {
    vi: 'Facebook đang hạn chế Fanpage gửi tin. Chủ Fanpage cần kiểm tra Chất lượng Fanpage trên Facebook; việc gửi đã dừng.',
    en: 'Facebook has restricted the page from sending. The page owner should check Page Quality on Facebook; sending has stopped.',
  },
  graph_customer_unreachable: {
    vi: 'Khách hàng hiện không nhận được tin nhắn từ Fanpage (đã chặn hoặc tài khoản không còn).',
    en: 'The customer cannot receive messages from the page right now (blocked, or the account is gone).',
  },
  graph_rate_limited: {
    vi: 'Facebook đang giới hạn tốc độ gửi của Fanpage. Chờ vài phút rồi gửi lại.',
    en: "Facebook is limiting the page's sending rate. Wait a few minutes and send again.",
  },
  graph_transient: {
    vi: 'Facebook tạm thời không phản hồi. Chưa có gì được gửi; hãy thử lại.',
    en: 'Facebook is not answering right now. Nothing was sent; try again.',
  },
  graph_page_token_invalid: {
    vi: 'Kết nối Fanpage đã hết hạn. Quản trị viên cần kết nối lại Fanpage trong Cài đặt.',
    en: 'The page connection has expired. An admin must reconnect the page in Settings.',
  },
  graph_unknown: {
    vi: 'Facebook từ chối tin nhắn này. Chưa có gì được gửi; hãy kiểm tra nội dung rồi thử lại.',
    en: 'Facebook refused this message. Nothing was sent; check the content and try again.',
  },
  graph_marketing_campaign_inactive: {
    vi: 'Chiến dịch tin nhắn marketing trên Facebook đang không hoạt động. Chưa có gì được gửi; hãy kích hoạt lại chiến dịch.',
    en: 'The marketing-message campaign at Facebook is inactive. Nothing was sent; activate the campaign again.',
  },
  graph_marketing_campaign_invalid: {
    vi: 'Facebook không nhận ra chiến dịch tin nhắn marketing này cho Fanpage. Hãy kiểm tra tài khoản quảng cáo và Fanpage đã kết nối.',
    en: 'Facebook does not recognise this marketing-message campaign for the page. Check the connected ad account and page.',
  },
  graph_marketing_not_ready: {
    vi: 'Chiến dịch tin nhắn marketing vừa được tạo, Facebook chưa cho gửi. Hãy thử lại sau vài phút.',
    en: 'The marketing-message campaign was just created and Facebook does not accept sends yet. Try again in a few minutes.',
  },
  graph_marketing_token_invalid: {
    vi: 'Token nhận tin nhắn marketing của khách hàng không còn hiệu lực với Facebook.',
    en: "Facebook no longer accepts the customer's marketing-message token.",
  },
  graph_marketing_gap: {
    vi: 'Khách hàng vừa trò chuyện với Fanpage; Facebook chưa cho gửi tin nhắn marketing. Hãy thử lại sau.',
    en: 'The customer talked with the page recently; Facebook does not accept a marketing message yet. Try again later.',
  },
  graph_template_not_sendable: {
    vi: 'Facebook không cho gửi mẫu tin này (không tồn tại, bị tạm dừng hoặc vô hiệu hóa). Hãy kiểm tra trạng thái mẫu tin.',
    en: 'Facebook does not accept this template (missing, paused or disabled). Check the template status.',
  },
  graph_template_params_invalid: {
    vi: 'Facebook từ chối các giá trị điền vào mẫu tin (thiếu, thừa hoặc sai định dạng). Chưa có gì được gửi.',
    en: "Facebook refused the template's values (missing, extra or wrongly formatted). Nothing was sent.",
  },
};

const OWN_TEXT: Record<string, Bilingual> = {
  page_taken: {
    vi: 'Fanpage này đang được kết nối với một cửa hàng khác. Hãy ngắt kết nối ở đó trước; không có gì thay đổi.',
    en: 'This page is connected to another shop. Disconnect it there first; nothing was changed.',
  },
  login_state_invalid: {
    vi: 'Phiên đăng nhập Facebook không hợp lệ hoặc đã hết hạn. Hãy bấm "Kết nối Fanpage" lại.',
    en: 'The Facebook sign-in round trip is invalid or has expired. Press "Connect page" again.',
  },
  login_offer_not_found: {
    vi: 'Danh sách Fanpage từ Facebook đã hết hạn hoặc đã dùng. Hãy kết nối lại.',
    en: 'The list of pages from Facebook has expired or was already used. Connect again.',
  },
  facebook_login_failed: {
    vi: 'Facebook không hoàn tất việc kết nối. Hãy thử lại.',
    en: 'Facebook did not complete the connection. Try again.',
  },
  // domain (src/domain/errors.ts)
  validation_failed: {
    vi: 'Dữ liệu nhập chưa hợp lệ; hãy kiểm tra lại.',
    en: 'Some input is not valid; please check it.',
  },
  name_required: { vi: 'Cần nhập tên.', en: 'A name is required.' },
  blank_text: {
    vi: 'Nội dung đang để trống (chỉ có khoảng trắng). Hãy nhập nội dung.',
    en: 'The text is blank (only spaces). Write something.',
  },
  name_too_long: { vi: 'Tên quá dài.', en: 'The name is too long.' },
  title_required: { vi: 'Cần nhập tiêu đề trên thẻ đăng ký.', en: 'The opt-in card needs a title.' },
  title_too_long: { vi: 'Tiêu đề tối đa 65 ký tự.', en: 'The title is at most 65 characters.' },
  invalid_kind: { vi: 'Loại chủ đề là Định kỳ hoặc OTN.', en: 'The topic kind is recurring or OTN.' },
  frequency_required: { vi: 'Chủ đề định kỳ cần chọn tần suất.', en: 'A recurring topic needs a frequency.' },
  frequency_on_otn: { vi: 'Chủ đề OTN không có tần suất.', en: 'An OTN topic has no frequency.' },
  invalid_frequency: {
    vi: 'Tần suất là Hằng ngày, Hằng tuần hoặc Hằng tháng.',
    en: 'The frequency is daily, weekly or monthly.',
  },
  invalid_cta_text: {
    vi: 'Nội dung nút không nằm trong danh sách cho phép.',
    en: 'The button label is not one of the allowed ones.',
  },
  cta_on_otn: {
    vi: 'Nút của chủ đề OTN là cố định ("Thông báo cho tôi").',
    en: 'An OTN topic\'s button is fixed ("Notify me").',
  },
  invalid_image_url: { vi: 'Ảnh cần là một đường dẫn http(s).', en: 'The image must be an http(s) URL.' },
  invalid_validity: { vi: 'Thời hạn đăng ký không hợp lệ.', en: 'The subscription validity is not valid.' },
  kind_change_refused: {
    vi: 'Không thể đổi loại chủ đề khi đã có người đăng ký hoặc lời mời.',
    en: 'The topic kind cannot change once it has invitations or subscribers.',
  },
  duplicate_topic_name: {
    vi: 'Fanpage đã có một chủ đề trùng tên; hãy chọn tên khác.',
    en: 'The page already has a topic with this name; pick another.',
  },
  topic_not_found: {
    vi: 'Không tìm thấy chủ đề (có thể đã bị xóa).',
    en: 'The topic was not found (it may have been deleted).',
  },
  topic_inactive: { vi: 'Chủ đề đã ngừng kích hoạt.', en: 'The topic is deactivated.' },
  topic_has_live_subscriptions: {
    vi: 'Chủ đề còn người đăng ký nên không thể xóa; hãy ngừng kích hoạt thay vì xóa.',
    en: 'The topic still has subscribers and cannot be deleted; deactivate it instead.',
  },
  page_not_found: { vi: 'Không tìm thấy Fanpage.', en: 'The page was not found.' },
  workspace_not_found: { vi: 'Không tìm thấy cửa hàng.', en: 'The workspace was not found.' },
  customer_not_found: { vi: 'Không tìm thấy khách hàng.', en: 'The customer was not found.' },
  invitation_not_found: { vi: 'Không tìm thấy lời mời đăng ký.', en: 'The invitation was not found.' },
  subscription_not_found: { vi: 'Không tìm thấy đăng ký.', en: 'The subscription was not found.' },
  token_already_used: {
    vi: 'Lượt thông báo một lần (OTN) này vừa được dùng; khách hàng cần đăng ký lại.',
    en: 'This one-time notification was just used; the customer must opt in again.',
  },
  invalid_profile: { vi: 'Quy định nền tảng không hợp lệ.', en: 'The platform rules setting is not valid.' },
  invalid_time_zone: {
    vi: 'Múi giờ không hợp lệ (ví dụ: Asia/Ho_Chi_Minh).',
    en: 'The time zone is not valid (e.g. Asia/Ho_Chi_Minh).',
  },
  send_refused: { vi: 'Không thể gửi tin nhắn này.', en: 'This message cannot be sent.' },
  invite_invalid: {
    vi: 'Lời mời không hợp lệ hoặc đã hết hạn.',
    en: 'This invitation is invalid or has expired.',
  },
  weak_password: { vi: 'Mật khẩu cần từ 10 đến 200 ký tự.', en: 'A password is 10 to 200 characters.' },
  wrong_password: { vi: 'Mật khẩu không đúng.', en: 'The password is wrong.' },
  email_taken: { vi: 'Email này đã có tài khoản.', en: 'An account with this email already exists.' },
  workspace_suspended: {
    vi: 'Cửa hàng này đang bị tạm ngưng. Hãy liên hệ người quản trị hệ thống.',
    en: 'This shop is suspended. Contact the operator of this service.',
  },
  signup_closed: {
    vi: 'Máy chủ này không mở đăng ký cửa hàng mới. Hãy nhờ người quản trị tạo cửa hàng và gửi lời mời.',
    en: 'This server does not take new sign-ups. Ask its operator to create your shop and invite you.',
  },
  campaign_not_found: {
    vi: 'Không tìm thấy chiến dịch (có thể đã bị xóa).',
    en: 'The campaign was not found (it may have been deleted).',
  },
  invalid_campaign: {
    vi: 'Chiến dịch chưa hợp lệ; hãy kiểm tra nội dung và nút bấm.',
    en: 'The campaign is not valid; check its content and buttons.',
  },
  campaign_state_conflict: {
    vi: 'Chiến dịch đang ở trạng thái không cho phép thao tác này; hãy tải lại trang.',
    en: 'The campaign is in a state that does not allow this; reload the page.',
  },
  // utility templates and order events (R13)
  invalid_template: {
    vi: 'Mẫu tiện ích chưa hợp lệ; hãy sửa trường được đánh dấu.',
    en: 'The utility template is not valid; fix the marked field.',
  },
  template_not_found: {
    vi: 'Không tìm thấy mẫu tiện ích (có thể đã bị xóa).',
    en: 'The utility template was not found (it may have been deleted).',
  },
  duplicate_template_name: {
    vi: 'Fanpage đã có mẫu cùng tên và ngôn ngữ này.',
    en: 'The page already has a template with this name and language.',
  },
  template_not_approved: {
    vi: 'Mẫu chưa được Meta phê duyệt nên chưa gửi được; hãy chờ phê duyệt hoặc sửa và gửi duyệt lại.',
    en: 'Meta has not approved this template, so it cannot be sent; wait for approval or edit and resubmit it.',
  },
  invalid_mapping: {
    vi: 'Hãy chọn trường dữ liệu của sự kiện cho mỗi tham số của mẫu.',
    en: "Choose an event field for each of the template's parameters.",
  },
  mapping_not_found: {
    vi: 'Không tìm thấy cấu hình gán mẫu cho loại sự kiện này.',
    en: 'No template mapping was found for this event type.',
  },
  invalid_order_event: {
    vi: 'Sự kiện đơn hàng chưa hợp lệ; hãy kiểm tra loại sự kiện, khách hàng và các trường.',
    en: 'The order event is not valid; check its type, customer and fields.',
  },
  idempotency_key_required: {
    vi: 'Thiếu tiêu đề Idempotency-Key: mỗi sự kiện cần một khóa riêng để không bị gửi hai lần.',
    en: 'The Idempotency-Key header is missing: every event needs its own key so it is never sent twice.',
  },
  idempotency_key_reused: {
    vi: 'Khóa Idempotency-Key này đã được dùng cho một sự kiện khác.',
    en: 'This Idempotency-Key was already used for a different event.',
  },
  utility_not_for_marketing: {
    vi: 'Mẫu tiện ích chỉ dùng cho cập nhật đơn hàng và tài khoản; chiến dịch và trợ lý chat không được dùng.',
    en: 'Utility templates are for order and account updates only; campaigns and the chat assistant cannot use them.',
  },
  missing_parameter: {
    vi: 'Hãy điền giá trị cho mọi tham số của mẫu.',
    en: "Fill in a value for every one of the template's parameters.",
  },
  meta_template_error: {
    vi: 'Meta không nhận mẫu này; hãy thử lại sau hoặc sửa nội dung mẫu.',
    en: 'Meta did not accept this template; try again later or change its content.',
  },
  // paid marketing messages (R14)
  ad_account_invalid: {
    vi: 'Thông tin tài khoản quảng cáo chưa hợp lệ: ID gồm các chữ số, mã truy cập không được trống, ngân sách là số nguyên.',
    en: 'The ad account details are not valid: the ID is digits, the token is not blank, the budget is a whole number.',
  },
  ad_account_rejected: {
    vi: 'Facebook không chấp nhận tài khoản quảng cáo hoặc mã truy cập này; kiểm tra quyền của người dùng hệ thống rồi thử lại.',
    en: "Facebook did not accept this ad account or token; check the system user's access and try again.",
  },
  ad_account_not_found: {
    vi: 'Chưa kết nối tài khoản quảng cáo nào.',
    en: 'No ad account is connected.',
  },
  marketing_unavailable: {
    vi: 'Máy chủ chưa được cấu hình để gửi tin nhắn quảng cáo trả phí.',
    en: 'This server is not set up to send paid marketing messages.',
  },
  // http (src/http)
  not_authenticated: {
    vi: 'Phiên đăng nhập đã hết; hãy đăng nhập lại.',
    en: 'Your session has ended; sign in again.',
  },
  forbidden: {
    vi: 'Vai trò của bạn không được phép làm việc này.',
    en: 'Your role is not allowed to do this.',
  },
  csrf_failed: { vi: 'Phiên làm việc đã thay đổi; hãy thử lại.', en: 'The session changed; try again.' },
  not_found: { vi: 'Không tìm thấy.', en: 'Not found.' },
  rate_limited: {
    vi: 'Quá nhiều yêu cầu; hãy thử lại sau giây lát.',
    en: 'Too many requests; try again in a moment.',
  },
  sign_in_blocked: {
    vi: 'Quá nhiều lần đăng nhập sai; hãy thử lại sau.',
    en: 'Too many failed sign-ins; try again later.',
  },
  invalid_credentials: { vi: 'Sai email hoặc mật khẩu.', en: 'Wrong email or password.' },
  not_a_user: { vi: 'Khóa API không có mật khẩu.', en: 'API keys have no password.' },
  not_supported: { vi: 'Máy chủ này chưa hỗ trợ chức năng này.', en: 'This server does not support this.' },
  verification_failed: {
    vi: 'Mã xác minh webhook không khớp.',
    en: 'The webhook verify token does not match.',
  },
  webhook_busy: {
    vi: 'Máy chủ đang nhận quá nhiều webhook cùng lúc; vui lòng thử lại sau ít giây.',
    en: 'Too many webhook deliveries are being received; retry shortly.',
  },
  signature_missing: { vi: 'Thiếu chữ ký webhook.', en: 'The webhook signature is missing.' },
  signature_invalid: { vi: 'Chữ ký webhook không khớp.', en: 'The webhook signature does not match.' },
  invalid_webhook: { vi: 'Dữ liệu webhook không hợp lệ.', en: 'The webhook body is not valid.' },
  internal_error: {
    vi: 'Máy chủ gặp lỗi; chưa có gì thay đổi. Hãy thử lại.',
    en: 'Something went wrong on our side; nothing was changed. Try again.',
  },
  body_too_large: { vi: 'Dữ liệu gửi lên quá lớn.', en: 'The request is too large.' },
  unsupported_media_type: {
    vi: 'Định dạng dữ liệu không được hỗ trợ.',
    en: 'The content type is not supported.',
  },
  invalid_json: { vi: 'Dữ liệu gửi lên không đúng định dạng JSON.', en: 'The request is not valid JSON.' },
  invalid_content_length: {
    vi: 'Độ dài dữ liệu gửi lên không hợp lệ.',
    en: 'The content length is not valid.',
  },
  bad_request: { vi: 'Yêu cầu không hợp lệ.', en: 'The request is not valid.' },
  // the client itself
  network: {
    vi: 'Không kết nối được máy chủ. Kiểm tra mạng rồi thử lại.',
    en: 'Cannot reach the server. Check the network and try again.',
  },
};

/** code → sentence: the R1d refusal reasons (the domain's own sentences), Meta's errors, the rest. */
export const ERROR_TEXT: Readonly<Record<string, Bilingual>> = {
  ...REASON_TEXT,
  ...GRAPH_TEXT,
  ...OWN_TEXT,
};

// Where the server's own (English) message is more precise than the dictionary's, an en reader gets it.
const EN_MESSAGE_WINS = new Set(['validation_failed', 'invalid_campaign']);

/** The sentence for an API error: the server's vi/en pair (R1d) when it sent one, else the dictionary. */
export function describeError(
  e: { code: string; message: string; status?: number; details?: ErrorDetails },
  lang: Lang,
): string {
  const sent = e.details?.[lang];
  if (typeof sent === 'string' && sent) return sent;
  if (lang === 'en' && EN_MESSAGE_WINS.has(e.code) && e.message) return e.message;
  const known = ERROR_TEXT[e.code];
  if (known) return known[lang];
  const status = e.status ?? 0;
  // Unknown code (a newer server, a proxy): say what kind of failure it is, never the raw English.
  const generic =
    status >= 500
      ? ERROR_TEXT.internal_error!
      : status === 404
        ? ERROR_TEXT.not_found!
        : { vi: 'Máy chủ từ chối yêu cầu.', en: e.message || 'The server refused the request.' };
  return lang === 'vi' ? `${generic.vi} (${e.code})` : generic.en;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
  /** The reason in the UI's language (one dictionary for every screen). */
  text(lang: Lang): string {
    return describeError(this, lang);
  }
}

/** Any failure a screen caught, in the UI's language: API errors by code, anything else as a network failure. */
export function errorText(err: unknown, lang: Lang): string {
  if (err instanceof ApiError) return err.text(lang);
  return ERROR_TEXT.network![lang];
}
