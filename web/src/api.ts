// The one typed client of the renotify API (same origin). Every call returns the JSON body or throws an
// ApiError carrying the API's { error: { code, message, details } } so screens can show the reason.

// The option lists and roles are the domain's own (src/domain/options.ts imports nothing, so bundling it
// is cheap); the request bodies are Static<> of the TypeBox schemas the server validates with (types
// only: nothing of the server is bundled). Adding a profile or a role touches the domain and the labels.
import type { Block } from '../../src/domain/assistant.ts';
import type { CtaText, Frequency, Profile, Role, TriggerKind } from '../../src/domain/options.ts';
import type { WindowState } from '../../src/domain/send-resolver.ts';
import type {
  CampaignAudience,
  CampaignContent,
  CampaignCreateBody,
} from '../../src/http/schemas/campaigns.ts';
import type { ConversationItem, ConversationsQuery } from '../../src/http/schemas/conversations.ts';
import type { RoutePreview as RoutePreviewSchema, RouteQuery } from '../../src/http/schemas/send-routes.ts';
import type * as Stats from '../../src/http/schemas/stats.ts';
import type { TopicInput, TopicKind } from '../../src/http/schemas/topics.ts';
// The error type and its sentences live in errors.ts (one dictionary for every screen).
import { ApiError, type ErrorDetails } from './errors.ts';

export { ApiError, type ErrorDetails, errorText } from './errors.ts';

export type Lang = 'vi' | 'en';
export interface Bilingual {
  vi: string;
  en: string;
}

/** owner ⊇ admin ⊇ agent (the API's rule; the console only hides what the API would refuse). */
export {
  CTA_TEXTS,
  type CtaText,
  FREQUENCIES,
  type Frequency,
  PROFILES,
  type Profile,
  ROLES,
  type Role,
  roleAtLeast,
  TRIGGER_KINDS,
  type TriggerKind,
} from '../../src/domain/options.ts';
export type { CampaignContent, TopicInput, TopicKind };
export type Audience = CampaignAudience;
/** What the campaign wizard sends: the create body (a draft is edited with any part of it). */
export type CampaignInput = CampaignCreateBody;

export interface SignedInUser {
  userId: number;
  email: string;
  name: string;
  workspaceId: number;
  role: Role;
}
/** GET /api/auth/me: `actor` is "user:<email>" for a session. */
export interface Me {
  actor: string;
  kind: 'session' | 'api_key';
  workspaceId: number;
  role: Role;
  userId: number | null;
  csrfToken: string | null;
}
export interface Member {
  id: number;
  email: string;
  name: string;
  role: Role;
  created_at: string;
}
export interface Invitation {
  id: number;
  email: string;
  role: Role;
  expires_at: string;
  token: string;
  link: string;
}
export interface ApiKeyRow {
  id: number;
  name: string;
  prefix: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}
export type NewApiKey = Omit<ApiKeyRow, 'last_used_at' | 'revoked_at'> & { key: string };
export interface AuditRow {
  id?: number;
  at: string;
  actor: string;
  /** METHOD /route that was called. */
  action: string;
  /** Readable action (topic.delete); null on entries written before it existed. */
  action_key?: string | null;
  target: string | null;
  /** The target's name when the action happened. */
  target_name?: string | null;
  status: number;
}

export interface Page {
  id: number;
  fbPageId: string;
  name: string;
  profile: Profile;
  timeZone: string;
  region: string | null;
  optInFeatureEnabled: boolean;
  restrictedReason: string | null;
  connected: boolean;
  connection: 'connected' | 'needs_reconnect' | 'disconnected';
  connectionReason: string | null;
}

/** A page Facebook listed after the Login dialog (GET /api/facebook/offers/:id). */
export interface OfferedPage {
  fbPageId: string;
  name: string;
  tasks: string[];
  here: Page['connection'] | null;
  taken: boolean;
}

export interface Topic {
  id: number;
  pageId: number;
  name: string;
  kind: TopicKind;
  title: string;
  imageUrl: string | null;
  ctaText: CtaText | null;
  frequency: Frequency | null;
  validityMonths: number | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  validSubscribers?: number;
}

// Blocks are the domain's own type (type-only import: nothing of the server is bundled).
export type { Block } from '../../src/domain/assistant.ts';

export interface Trigger {
  id: number;
  pageId: number;
  kind: TriggerKind;
  value: string | null;
  blocks: Block[];
  position: number;
  active: boolean;
}
export type TriggerInput = Pick<Trigger, 'kind' | 'value' | 'blocks'> & { active?: boolean };

export type { WindowState };

/** A response schema's type as it travels: Dates arrive as ISO strings. */
type Wire<T> = T extends Date ? string : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

export interface TopicListItem {
  topicId: number;
  name: string;
  title: string;
  kind: TopicKind;
  list: 'sent' | 'not_sent';
  state: 'never_invited' | 'invited' | 'subscribed' | 'stopped' | 'expired' | 'used';
  lastSentAt: string | null;
  optedInAt: string | null;
  expiresAt: string | null;
  resendAfter: string | null;
  resendableNow: boolean;
}

export type Composer =
  | { mode: 'normal'; windowClosesAt: string }
  | { mode: 'human_agent'; windowClosesAt: string }
  | { mode: 'notification'; topics: Array<{ topicId: number; name: string; kind: TopicKind }> }
  | { mode: 'policy_notice'; reason: string; text: Bilingual; nextAt: string | null };

export interface CustomerDetail {
  customer: {
    id: number;
    psid: string;
    name: string | null;
    lastInteractionAt: string | null;
    labels: string[];
    unreachableReason: string | null;
  };
  window: WindowState;
  topics: { sent: TopicListItem[]; notSent: TopicListItem[] };
  composer: Composer;
}

export interface Message {
  id: number;
  direction: 'in' | 'out';
  sender: string;
  kind: string;
  text: string | null;
  mid: string | null;
  payload: unknown;
  at: string;
  deliveredAt: string | null;
  readAt: string | null;
}

/** A row of the inbox (GET /api/pages/:id/conversations). */
export type ConversationRow = Wire<ConversationItem>;

// The statistics (R10) and the home screen: the routes' response schemas, as they travel.
/** GET /api/topics/:id/stats. Rates are fractions 0–1 (null: nothing to rate). */
export type TopicStats = Wire<Stats.TopicStats>;
/** A topic's notifications in a period (R10a stages). */
export type TopicInteraction = Wire<Stats.TopicInteraction>;
/** GET /api/pages/:id/stats?days=: every topic with the same totals as its own statistics. */
export type PageStats = Wire<Stats.PageStats>;
/** GET /api/campaigns/:id/stats (R10a). */
export type CampaignStats = Wire<Stats.CampaignStats>;
export type Attention = Wire<Stats.Attention>;
/** GET /api/pages/:id/overview: the home screen. */
export type Overview = Wire<Stats.Overview>;

export interface SendOk {
  messageId: string | null;
  /** R12h: the route the message took. */
  route: RouteName;
  messagingType: string;
  tag: string | null;
}

/** R12h: the route a message would take, or the refusal with its reason and next time (dates as strings). */
export type RoutePreview = Wire<RoutePreviewSchema>;
export type RouteName = Extract<RoutePreview, { ok: true }>['route'];

/** The session's CSRF token (accounts): sent as X-CSRF-Token on every write made with the cookie. */
let csrfToken: string | null = null;

async function ensureCsrf(): Promise<void> {
  if (csrfToken) return;
  const res = await fetch('/api/auth/me', { credentials: 'same-origin' });
  if (res.ok) csrfToken = ((await res.json()) as { csrfToken?: string | null }).csrfToken ?? null;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const write = method !== 'GET' && method !== 'HEAD';
  if (write && !path.startsWith('/api/auth/sign-in')) await ensureCsrf();
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (write && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (res.status === 204) return undefined as T;
  const json = (await res.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string; details?: ErrorDetails };
  };
  if (!res.ok) {
    const e = json.error ?? {};
    if (res.status === 403 && e.code === 'csrf_failed') csrfToken = null;
    const details: ErrorDetails = { ...(e.details ?? {}) };
    const retry = Number(res.headers.get('retry-after'));
    if (res.status === 429 && Number.isFinite(retry) && retry > 0) details.retryAfterS = retry;
    throw new ApiError(res.status, e.code ?? `http_${res.status}`, e.message ?? res.statusText, details);
  }
  return json as T;
}

/** A query string from the defined values only. */
export function qs(q: Record<string, string | number | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

const get = <T>(p: string) => call<T>('GET', p);
const post = <T>(p: string, b: unknown = {}) => call<T>('POST', p, b);
const patch = <T>(p: string, b: unknown) => call<T>('PATCH', p, b);
const put = <T>(p: string, b: unknown) => call<T>('PUT', p, b);
const del = (p: string) => call<void>('DELETE', p);
/** The verbs, for the API modules beside this one (api-templates.ts). */
export const http = { get, post, put, del };

export interface AdAccount {
  adAccountId: string;
  name: string | null;
  currency: string;
  defaultBudgetMinor: number | null;
  minConversationGapSeconds: number;
  checkedAt: string;
}
export type RouteEstimate =
  | { route: 'recurring_token' }
  | { route: 'marketing_message'; closed: { reason: string; text: Bilingual } }
  | {
      route: 'marketing_message';
      currency: string;
      budgetMinor: number | null;
      estimate: {
        deliveryLower: number;
        deliveryUpper: number;
        costLowerMinor: number;
        costUpperMinor: number;
      };
      unitCostUpperMinor: number;
    }
  | { route: 'marketing_message'; estimateError: string };
export interface PaidStats {
  sent: number;
  delivered: number;
  read: number;
  clicked: number;
  failed: number;
  costMinor: number;
  perDeliveredMinor: number | null;
  perReadMinor: number | null;
  perClickMinor: number | null;
}

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
    csrfToken = r.csrfToken;
    return r.user;
  },
  signUpOpen: () => get<{ open: boolean }>('/api/auth/sign-up').then((r) => r.open),
  signUp: async (b: { shopName: string; ownerName: string; email: string; password: string }) => {
    const r = await post<{ user: SignedInUser; csrfToken: string }>('/api/auth/sign-up', b);
    csrfToken = r.csrfToken;
    return r.user;
  },
  me: async () => {
    const r = await get<Me>('/api/auth/me');
    if (r.csrfToken) csrfToken = r.csrfToken;
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
    csrfToken = null;
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

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type DeliveryStatus = 'pending' | 'sending' | 'retry' | 'deferred' | 'sent' | 'failed' | 'skipped';
export interface Campaign {
  id: number;
  pageId: number;
  topicId: number;
  name: string;
  status: CampaignStatus;
  pauseReason: string | null;
  content: CampaignContent;
  audience: Audience;
  allowDefer: boolean;
  scheduledAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  targeted: number | null;
  sent: number;
  failed: number;
  skipped: number;
  createdAt: string;
  progress?: {
    targeted: number | null;
    counts: Record<DeliveryStatus, number>;
    reasons: Record<string, number>;
    delivered: number;
    read: number;
    clicked: number;
  };
}
export interface DryRun {
  audience: number;
  reachable: number;
  deferred: number;
  skipped: Record<string, number>;
  estimatedSeconds: number;
  /** R12h: recipients per route, and the others by refusal reason. */
  routes: Partial<Record<RouteName, number>>;
  refusals: Record<string, number>;
  routeNotAvailable: number;
  /** Meta's estimate for the paid recipients (h8 fills it). */
  estimate?: { currency: string; amount: number };
}
