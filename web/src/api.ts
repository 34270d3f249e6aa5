// The one typed client of the renotify API: one function per call, returning the JSON body or throwing
// an ApiError (errors.ts). The wire types live in api-types.ts, the fetch and CSRF in api-http.ts; both
// are re-exported here so screens import from one place.
import type { ConversationsQuery } from '../../src/http/schemas/conversations.ts';
import type { RouteQuery } from '../../src/http/schemas/send-routes.ts';
import { del, get, patch, post, put, qs, setCsrfToken } from './api-http.ts';
import type {
  AdAccount,
  ApiKeyRow,
  AuditRow,
  Bilingual,
  Campaign,
  CampaignInput,
  CampaignStats,
  ConversationRow,
  CustomerDetail,
  DryRun,
  Invitation,
  Me,
  Member,
  Message,
  NewApiKey,
  OfferedPage,
  Overview,
  Page,
  PageStats,
  PaidStats,
  Role,
  RouteEstimate,
  RoutePreview,
  SendOk,
  SignedInUser,
  Topic,
  TopicInput,
  TopicStats,
  Trigger,
  TriggerInput,
} from './api-types.ts';

export { http, qs } from './api-http.ts';
export * from './api-types.ts';
export { ApiError, type ErrorDetails, errorText } from './errors.ts';

/** A window event: the workspace's pages changed (connected, disconnected); the shell reloads its list. */
export const PAGES_CHANGED = 'renotify:pages-changed';

export const api = {
  adAccount: () => get<{ adAccount: AdAccount | null }>('/api/ad-account').then((r) => r.adAccount),
  connectAdAccount: (b: {
    adAccountId: string;
    accessToken: string;
    defaultBudgetMinor: number | null;
    minConversationGapSeconds: number;
  }) => put<{ adAccount: AdAccount }>('/api/ad-account', b).then((r) => r.adAccount),
  disconnectAdAccount: () => del('/api/ad-account'),
  routeEstimate: (pageId: number, budgetMinor?: number | null) =>
    get<RouteEstimate>(`/api/pages/${pageId}/route-estimate${qs({ budgetMinor })}`),
  setCampaignBudget: (id: number, budgetMinor: number | null) =>
    put<{ budgetMinor: number | null }>(`/api/campaigns/${id}/budget`, { budgetMinor }),
  paidStats: (q: { campaignId: number } | { topicId: number }) => get<PaidStats>(`/api/stats/paid${qs(q)}`),
  signIn: async (email: string, password: string) => {
    const r = await post<{ user: SignedInUser; csrfToken: string }>('/api/auth/sign-in', { email, password });
    setCsrfToken(r.csrfToken);
    return r.user;
  },
  signUpOpen: () => get<{ open: boolean }>('/api/auth/sign-up').then((r) => r.open),
  signUp: async (b: { shopName: string; ownerName: string; email: string; password: string }) => {
    const r = await post<{ user: SignedInUser; csrfToken: string }>('/api/auth/sign-up', b);
    setCsrfToken(r.csrfToken);
    return r.user;
  },
  me: async () => {
    const r = await get<Me>('/api/auth/me');
    if (r.csrfToken) setCsrfToken(r.csrfToken);
    return r;
  },
  changePassword: (current: string, next: string) => post<void>('/api/auth/password', { current, next }),
  acceptInvite: (b: { token: string; name?: string; password: string }) =>
    post<{ userId: number; workspaceId: number; role: Role }>('/api/auth/invites/accept', b),
  members: () => get<{ users: Member[] }>('/api/users').then((r) => r.users),
  inviteMember: (email: string, role: Role) => post<Invitation>('/api/users/invites', { email, role }),
  setMemberRole: (id: number, role: Role) => patch<{ id: number; role: Role }>(`/api/users/${id}`, { role }),
  removeMember: (id: number) => del(`/api/users/${id}`),
  apiKeys: () => get<{ apiKeys: ApiKeyRow[] }>('/api/api-keys').then((r) => r.apiKeys),
  createApiKey: (name: string, role: Role) => post<NewApiKey>('/api/api-keys', { name, role }),
  revokeApiKey: (id: number) => del(`/api/api-keys/${id}`),
  audit: (limit = 200) =>
    get<{ entries: AuditRow[] }>(`/api/audit${qs({ format: 'json', limit })}`).then((r) => r.entries),
  auditCsvUrl: (limit = 10_000) => `/api/audit${qs({ format: 'csv', limit })}`,
  signOut: async () => {
    await post<void>('/api/auth/sign-out');
    setCsrfToken(null);
  },
  pages: () => get<{ pages: Page[] }>('/api/pages').then((r) => r.pages),
  startConnect: () => post<{ url: string }>('/api/facebook/connect').then((r) => r.url),
  offer: (id: number) => get<{ pages: OfferedPage[] }>(`/api/facebook/offers/${id}`).then((r) => r.pages),
  connectPages: (id: number, pages: Array<{ fbPageId: string; region?: string | null }>) =>
    post<{ pages: Page[] }>(`/api/facebook/offers/${id}/connect`, { pages }).then((r) => r.pages),
  disconnectPage: (id: number) => post<{ page: Page }>(`/api/pages/${id}/disconnect`).then((r) => r.page),
  page: (id: number) => get<Page>(`/api/pages/${id}`),
  updatePage: (
    id: number,
    b: Partial<Pick<Page, 'name' | 'profile' | 'timeZone' | 'region' | 'optInFeatureEnabled'>>,
  ) => patch<Page>(`/api/pages/${id}`, b),
  notice: (pageId: number) => get<Bilingual>(`/api/pages/${pageId}/notice`),
  setNotice: (pageId: number, b: Partial<Bilingual>) => put<Bilingual>(`/api/pages/${pageId}/notice`, b),

  topics: (pageId: number) => get<{ topics: Topic[] }>(`/api/pages/${pageId}/topics`).then((r) => r.topics),
  createTopic: (pageId: number, b: TopicInput) => post<Topic>(`/api/pages/${pageId}/topics`, b),
  editTopic: (id: number, b: Partial<TopicInput>) => patch<Topic>(`/api/topics/${id}`, b),
  setTopicActive: (id: number, active: boolean) =>
    post<Topic>(`/api/topics/${id}/${active ? 'activate' : 'deactivate'}`),
  deleteTopic: (id: number) => del(`/api/topics/${id}`),
  topicStats: (id: number, days?: number) => get<TopicStats>(`/api/topics/${id}/stats${qs({ days })}`),
  pageStats: (pageId: number, days?: number) => get<PageStats>(`/api/pages/${pageId}/stats${qs({ days })}`),
  overview: (pageId: number) => get<Overview>(`/api/pages/${pageId}/overview`),

  triggers: (pageId: number) =>
    get<{ triggers: Trigger[] }>(`/api/pages/${pageId}/assistant/triggers`).then((r) => r.triggers),
  createTrigger: (pageId: number, b: TriggerInput) =>
    post<Trigger>(`/api/pages/${pageId}/assistant/triggers`, b),
  updateTrigger: (id: number, b: Partial<TriggerInput>) => patch<Trigger>(`/api/assistant/triggers/${id}`, b),
  deleteTrigger: (id: number) => del(`/api/assistant/triggers/${id}`),

  campaigns: (pageId: number) =>
    get<{ campaigns: Campaign[] }>(`/api/pages/${pageId}/campaigns`).then((r) => r.campaigns),
  campaign: (id: number) => get<Campaign>(`/api/campaigns/${id}`),
  createCampaign: (pageId: number, b: CampaignInput) => post<Campaign>(`/api/pages/${pageId}/campaigns`, b),
  updateCampaign: (id: number, b: Partial<CampaignInput>) => patch<Campaign>(`/api/campaigns/${id}`, b),
  deleteCampaign: (id: number) => del(`/api/campaigns/${id}`),
  dryRun: (id: number) => post<DryRun>(`/api/campaigns/${id}/dry-run`),
  startCampaign: (id: number, at?: string) => post<Campaign>(`/api/campaigns/${id}/start`, at ? { at } : {}),
  campaignAction: (id: number, verb: 'pause' | 'resume' | 'cancel') =>
    post<Campaign>(`/api/campaigns/${id}/${verb}`),
  campaignStats: (id: number) => get<CampaignStats>(`/api/campaigns/${id}/stats`),

  /** One page of the inbox; `after` is the previous page's `next` (keyset paging). */
  conversations: (pageId: number, q: ConversationsQuery = {}) =>
    get<{ conversations: ConversationRow[]; next: string | null }>(
      `/api/pages/${pageId}/conversations${qs(q)}`,
    ),
  labels: (pageId: number) =>
    get<{ labels: Array<{ label: string; customers: number }> }>(`/api/pages/${pageId}/labels`).then(
      (r) => r.labels,
    ),
  customer: (id: number) => get<CustomerDetail>(`/api/customers/${id}`),
  messages: (id: number) =>
    get<{ messages: Message[] }>(`/api/customers/${id}/messages`).then((r) => r.messages),
  reply: (id: number, text: string) => post<SendOk>(`/api/customers/${id}/messages`, { text }),
  route: (id: number, q: Partial<RouteQuery>) => get<RoutePreview>(`/api/customers/${id}/route${qs(q)}`),
  invite: (id: number, topicId: number) => post<SendOk>(`/api/customers/${id}/invitations`, { topicId }),
  notify: (id: number, topicId: number, text: string) =>
    post<SendOk>(`/api/customers/${id}/notifications`, { topicId, text }),
};
