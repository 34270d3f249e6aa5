// The words of "Kết nối Fanpage" (connecting pages through Facebook Login; issue 12). Typed: English must
// have every Vietnamese key (merged into the console's dictionaries by i18n.tsx).

export const connectVi = {
  navConnect: 'Kết nối Fanpage',
  connectTitle: 'Kết nối Fanpage',
  connectIntro: 'Đăng nhập Facebook, chọn các Fanpage bạn quản trị, rồi bấm Kết nối.',
  connectButton: 'Kết nối Fanpage',
  connectedPages: 'Fanpage đã kết nối',
  reconnect: 'Kết nối lại',
  disconnect: 'Ngắt kết nối',
  confirmDisconnect:
    'Ngắt kết nối Fanpage “{name}”? Lịch sử hội thoại được giữ lại; không thể gửi tin cho đến khi kết nối lại.',
  statusConnected: 'Đã kết nối',
  statusNeedsReconnect: 'Cần kết nối lại',
  statusDisconnected: 'Đã ngắt kết nối',
  choosePages: 'Chọn Fanpage để kết nối',
  alreadyHere: 'Đã có trong cửa hàng',
  takenElsewhere: 'Đang kết nối với cửa hàng khác',
  regionAsk: 'Khu vực của Fanpage',
  connectTicked: 'Kết nối các Fanpage đã chọn',
  loginDenied: 'Bạn đã hủy đăng nhập Facebook; chưa có gì thay đổi.',
  connectDone: 'Đã kết nối {n} Fanpage.',
  noPagesOffered: 'Facebook không trả về Fanpage nào bạn cho phép.',
} as const;

export const connectEn: { [K in keyof typeof connectVi]: string } = {
  navConnect: 'Connect pages',
  connectTitle: 'Connect pages',
  connectIntro: 'Sign in with Facebook, choose the pages you administer, then press Connect.',
  connectButton: 'Connect a page',
  connectedPages: 'Connected pages',
  reconnect: 'Reconnect',
  disconnect: 'Disconnect',
  confirmDisconnect:
    'Disconnect the page “{name}”? Conversation history is kept; nothing can be sent until it is reconnected.',
  statusConnected: 'Connected',
  statusNeedsReconnect: 'Reconnect needed',
  statusDisconnected: 'Disconnected',
  choosePages: 'Choose the pages to connect',
  alreadyHere: 'Already in this shop',
  takenElsewhere: 'Connected to another shop',
  regionAsk: "The page's region",
  connectTicked: 'Connect the chosen pages',
  loginDenied: 'You cancelled the Facebook sign-in; nothing changed.',
  connectDone: 'Connected {n} page(s).',
  noPagesOffered: 'Facebook returned no page you allowed.',
};
