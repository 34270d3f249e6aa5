// The words of sign-up, the page picker and a shop with no page yet (issue 12; merged into the
// console's dictionaries by i18n.tsx). Typed: English must have every Vietnamese key.

export const shopsVi = {
  signUpTitle: 'Đăng ký cửa hàng mới',
  signUpLink: 'Đăng ký cửa hàng mới',
  signUpHaveAccount: 'Đã có tài khoản? Đăng nhập',
  shopName: 'Tên cửa hàng',
  ownerName: 'Tên của bạn',
  passwordRule: 'Ít nhất 10 ký tự.',
  signUpSubmit: 'Tạo cửa hàng',
  signingUp: 'Đang tạo…',
  pagePicker: 'Fanpage',
  noPageTitle: 'Cửa hàng chưa có Fanpage nào',
  noPageHint:
    'Hãy kết nối Fanpage để nhận tin nhắn của khách hàng, tạo chủ đề thông báo và gửi chiến dịch. Các mục Hội thoại, Chủ đề, Trợ lý chat, Chiến dịch sẽ mở sau khi có Fanpage.',
  noPageOwnerOnly: 'Chủ cửa hàng hoặc quản trị viên kết nối Fanpage.',
};

export const shopsEn: Record<keyof typeof shopsVi, string> = {
  signUpTitle: 'Sign up a new shop',
  signUpLink: 'Sign up a new shop',
  signUpHaveAccount: 'Have an account? Sign in',
  shopName: "Shop's name",
  ownerName: 'Your name',
  passwordRule: 'At least 10 characters.',
  signUpSubmit: 'Create the shop',
  signingUp: 'Creating…',
  pagePicker: 'Page',
  noPageTitle: 'This shop has no page yet',
  noPageHint:
    "Connect a Facebook page to receive your customers' messages, create notification topics and send campaigns. The inbox, topics, chat assistant and campaigns open once a page is connected.",
  noPageOwnerOnly: "The shop's owner or an admin connects pages.",
};
