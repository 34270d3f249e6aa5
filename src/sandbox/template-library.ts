// Meta's pre-approved utility template library as the sandbox offers it (`GET /message_template_library`).
// The entries imitate the shape Meta prints (positional `{{1}}` bodies, example params, topic, use
// case, industry); Meta's real catalogue is larger and its wording is not published in full.

export interface LibraryTemplate {
  id: string;
  name: string;
  language: string;
  category: 'UTILITY';
  topic: string;
  usecase: string;
  industry: string[];
  header: string | null;
  body: string;
  body_params: string[];
  body_param_types: string[];
  buttons: Array<{ type: 'URL' | 'POSTBACK'; text: string; url?: string; payload?: string }>;
}

const ecommerce = ['E_COMMERCE'];
const entry = (
  id: string,
  name: string,
  language: string,
  topic: string,
  usecase: string,
  body: string,
  params: string[],
  buttons: LibraryTemplate['buttons'],
  header: string | null = null,
): LibraryTemplate => ({
  id,
  name,
  language,
  category: 'UTILITY',
  topic,
  usecase,
  industry: ecommerce,
  header,
  body,
  body_params: params,
  body_param_types: params.map(() => 'TEXT'),
  buttons,
});

export const TEMPLATE_LIBRARY: LibraryTemplate[] = [
  entry(
    '7635027653257090',
    'order_confirmation_1',
    'en',
    'ORDER_MANAGEMENT',
    'ORDER_CONFIRMATION',
    '{{1}}, your order {{2}} is confirmed. We will let you know when it ships.',
    ['John', '#12345'],
    [{ type: 'URL', text: 'Manage order', url: 'https://www.example.com' }],
  ),
  entry(
    '7635027653257091',
    'order_confirmation_1',
    'vi',
    'ORDER_MANAGEMENT',
    'ORDER_CONFIRMATION',
    '{{1}} ơi, đơn hàng {{2}} đã được xác nhận. Chúng tôi sẽ báo khi đơn được gửi đi.',
    ['Lan', '#12345'],
    [{ type: 'URL', text: 'Xem đơn hàng', url: 'https://www.example.com' }],
  ),
  entry(
    '7635027653257092',
    'shipping_update_1',
    'en',
    'ORDER_MANAGEMENT',
    'SHIPMENT_CONFIRMATION',
    'Good news {{1}}! Your order {{2}} has shipped.',
    ['John', '#12345'],
    [{ type: 'URL', text: 'Track shipment', url: 'https://www.example.com' }],
    'Order shipped',
  ),
  entry(
    '7635027653257093',
    'shipping_update_1',
    'vi',
    'ORDER_MANAGEMENT',
    'SHIPMENT_CONFIRMATION',
    'Tin vui {{1}}! Đơn hàng {{2}} đã được gửi đi.',
    ['Lan', '#12345'],
    [{ type: 'URL', text: 'Theo dõi đơn', url: 'https://www.example.com' }],
    'Đơn đã gửi',
  ),
  entry(
    '7635027653257094',
    'delivery_confirmation_1',
    'en',
    'ORDER_MANAGEMENT',
    'DELIVERY_CONFIRMATION',
    '{{1}}, your order was successfully delivered! Order number: {{2}}.',
    ['John', '#12345'],
    [{ type: 'URL', text: 'Manage order', url: 'https://www.example.com' }],
  ),
  entry(
    '7635027653257095',
    'delivery_confirmation_1',
    'vi',
    'ORDER_MANAGEMENT',
    'DELIVERY_CONFIRMATION',
    '{{1}} ơi, đơn hàng {{2}} đã giao thành công!',
    ['Lan', '#12345'],
    [{ type: 'URL', text: 'Xem đơn hàng', url: 'https://www.example.com' }],
  ),
  entry(
    '7635027653257096',
    'payment_reminder_1',
    'en',
    'PAYMENTS',
    'PAYMENT_REMINDER',
    'Hi {{1}}, a payment of {{2}} for order {{3}} is due on {{4}}.',
    ['John', '250,000 VND', '#12345', '2026-12-01'],
    [{ type: 'URL', text: 'Pay now', url: 'https://www.example.com' }],
  ),
  entry(
    '7635027653257097',
    'payment_reminder_1',
    'vi',
    'PAYMENTS',
    'PAYMENT_REMINDER',
    'Chào {{1}}, khoản thanh toán {{2}} cho đơn {{3}} đến hạn ngày {{4}}.',
    ['Lan', '250.000 đ', '#12345', '01/12/2026'],
    [{ type: 'URL', text: 'Thanh toán', url: 'https://www.example.com' }],
  ),
  entry(
    '7635027653257098',
    'appointment_reminder_1',
    'en',
    'APPOINTMENTS',
    'APPOINTMENT_REMINDER',
    'Reminder: {{1}}, your appointment is on {{2}} at {{3}}.',
    ['John', 'Monday', '10:00'],
    [{ type: 'POSTBACK', text: 'Reschedule', payload: 'RESCHEDULE' }],
  ),
  entry(
    '7635027653257099',
    'order_cancelled_1',
    'vi',
    'ORDER_MANAGEMENT',
    'ORDER_CANCELLATION',
    '{{1}} ơi, đơn hàng {{2}} đã bị hủy. Liên hệ shop nếu cần hỗ trợ.',
    ['Lan', '#12345'],
    [{ type: 'POSTBACK', text: 'Liên hệ shop', payload: 'CONTACT_SHOP' }],
  ),
];

/** `name_or_content` matches the name or the body, case-insensitively; `language` is exact when given. */
export function searchLibrary(q: {
  nameOrContent?: string;
  language?: string;
  topic?: string;
  usecase?: string;
  industry?: string;
}): LibraryTemplate[] {
  const needle = q.nameOrContent?.toLowerCase();
  return TEMPLATE_LIBRARY.filter(
    (t) =>
      (!needle || t.name.toLowerCase().includes(needle) || t.body.toLowerCase().includes(needle)) &&
      (!q.language || t.language === q.language || t.language === q.language.split('_')[0]) &&
      (!q.topic || t.topic === q.topic) &&
      (!q.usecase || t.usecase === q.usecase) &&
      (!q.industry || t.industry.includes(q.industry)),
  );
}
