// Facebook's side of Facebook Login, simulated: people who administer pages, apps with their secrets
// and webhook subscriptions, what each person granted each app (scopes and pages), authorization
// codes, user and page access tokens, and the knobs that break them (revocation, a lost permission).
// Pure state and rules; the HTTP faces are login-dialog.ts (dialog + /sandbox/login) and
// login-graph.ts (the Graph endpoints).
import { GraphError } from './errors.ts';
import type { IdGen } from './ids.ts';

export interface SimApp {
  id: string;
  name: string;
  secret: string;
  /** The app's Webhooks product setting for the Page object (one per app, as in the App Dashboard). */
  webhookUrl: string | null;
  verifyToken: string;
  /** Fields the app's webhook subscription offers; a page subscription may pick from them. */
  fields: string[];
}

export interface SimUser {
  id: string;
  name: string;
  /** Pages the person administers, with their tasks on each (as `/me/accounts` lists them). */
  pages: Array<{ pageId: string; tasks: string[] }>;
}

export interface Grant {
  userId: string;
  appId: string;
  scopes: string[];
  /** Pages the person ticked for this app (granular_scopes target_ids of the page scopes). */
  pageIds: string[];
  grantedAt: string;
}

export interface AuthCode {
  code: string;
  appId: string;
  userId: string;
  redirectUri: string;
  expiresAt: string;
  used: boolean;
}

export interface Revocation {
  subcode: number;
  message: string;
}

export interface UserToken {
  token: string;
  appId: string;
  userId: string;
  kind: 'short' | 'long';
  issuedAt: string;
  expiresAt: string;
  revoked: Revocation | null;
}

export interface PageToken {
  token: string;
  appId: string;
  userId: string;
  pageId: string;
  issuedAt: string;
  revoked: Revocation | null;
}

export interface LoginSnapshot {
  apps: SimApp[];
  users: SimUser[];
  grants: Grant[];
  codes: AuthCode[];
  userTokens: UserToken[];
  pageTokens: PageToken[];
  /** pageId → appId → subscribed fields (`POST /{page-id}/subscribed_apps`). */
  subscriptions: Record<string, Record<string, string[]>>;
  /** pageId → permissions the page has lost (knob): e.g. pages_messaging removed by an admin. */
  lostPermissions: Record<string, string[]>;
}

/** Meta's documented lifetimes: a code ~10 minutes, a short-lived token 1–2 hours, a long one ~60 days. */
export const CODE_TTL_MS = 10 * 60_000;
export const SHORT_TOKEN_TTL_MS = 2 * 3_600_000;
export const LONG_TOKEN_TTL_MS = 60 * 86_400_000;

/** Permissions that apply to pages (their granular_scopes carry the ticked page ids). */
export const PAGE_SCOPES = new Set([
  'pages_show_list',
  'pages_messaging',
  'pages_manage_metadata',
  'pages_read_engagement',
  'pages_manage_posts',
  'pages_utility_messaging',
]);
export const DEFAULT_TASKS = ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'];

/** Error 190 subcodes with Meta's wording (Graph API "Access token" errors). */
export const REVOCATIONS: Record<number, string> = {
  458: 'Error validating access token: The user has not authorized application.',
  460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  463: 'Error validating access token: Session has expired.',
  467: 'Error validating access token: The session is invalid because the user logged out.',
};

const oauth = (code: number, subcode: number | undefined, message: string) =>
  new GraphError({ code, subcode, message });

export const LoginErrors = {
  badSecret: () => oauth(1, undefined, 'Error validating client secret.'),
  noApp: (id: string) => oauth(101, undefined, `Error validating application. Invalid application ID: ${id}`),
  codeUsed: () => oauth(100, 36009, 'This authorization code has been used.'),
  codeExpired: () => oauth(100, 36007, 'This authorization code has expired.'),
  codeInvalid: () => oauth(100, 36008, 'Invalid verification code format.'),
  redirectMismatch: () =>
    oauth(
      100,
      36008,
      'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request',
    ),
  tokenInvalid: () => oauth(190, undefined, 'Invalid OAuth access token - Cannot parse access token'),
  revoked: (r: Revocation) => oauth(190, r.subcode, r.message),
  /** Send API without pages_messaging for the page (Meta's "Requires … permission" wording). */
  noMessaging: () => oauth(10, undefined, '(#10) Requires pages_messaging permission to manage the object'),
  noPermission: (scope: string) =>
    oauth(200, undefined, `(#200) Requires ${scope} permission to manage the object`),
};

export class LoginState {
  readonly apps = new Map<string, SimApp>();
  readonly users = new Map<string, SimUser>();
  readonly grants = new Map<string, Grant>();
  readonly codes = new Map<string, AuthCode>();
  readonly userTokens = new Map<string, UserToken>();
  readonly pageTokens = new Map<string, PageToken>();
  subscriptions: Record<string, Record<string, string[]>> = {};
  lostPermissions: Record<string, string[]> = {};

  constructor(
    private readonly ids: IdGen,
    private readonly now: () => Date,
  ) {}

  snapshot(): LoginSnapshot {
    return {
      apps: [...this.apps.values()],
      users: [...this.users.values()],
      grants: [...this.grants.values()],
      codes: [...this.codes.values()],
      userTokens: [...this.userTokens.values()],
      pageTokens: [...this.pageTokens.values()],
      subscriptions: this.subscriptions,
      lostPermissions: this.lostPermissions,
    };
  }

  restore(s: LoginSnapshot): void {
    const fill = <T>(m: Map<string, T>, rows: T[], key: (r: T) => string) => {
      m.clear();
      for (const r of rows) m.set(key(r), r);
    };
    fill(this.apps, s.apps, (a) => a.id);
    fill(this.users, s.users, (u) => u.id);
    fill(this.grants, s.grants, (g) => `${g.userId}:${g.appId}`);
    fill(this.codes, s.codes, (c) => c.code);
    fill(this.userTokens, s.userTokens, (t) => t.token);
    fill(this.pageTokens, s.pageTokens, (t) => t.token);
    this.subscriptions = s.subscriptions;
    this.lostPermissions = s.lostPermissions;
  }

  addApp(a: Partial<SimApp> & { id: string }): SimApp {
    const app: SimApp = {
      name: `Sandbox app ${a.id}`,
      secret: this.ids.chars(32, '0123456789abcdef'),
      webhookUrl: null,
      verifyToken: `verify-${a.id}`,
      fields: [
        'messages',
        'messaging_postbacks',
        'messaging_optins',
        'message_deliveries',
        'message_reads',
        'message_echoes',
        'message_reactions',
      ],
      ...a,
    };
    this.apps.set(app.id, app);
    return app;
  }

  addUser(u: { id?: string; name: string; pages: Array<{ pageId: string; tasks?: string[] }> }): SimUser {
    const user: SimUser = {
      id: u.id ?? `10${this.ids.chars(13, '0123456789')}`,
      name: u.name,
      pages: u.pages.map((p) => ({ pageId: p.pageId, tasks: p.tasks ?? DEFAULT_TASKS })),
    };
    this.users.set(user.id, user);
    return user;
  }

  grant(userId: string, appId: string): Grant | undefined {
    return this.grants.get(`${userId}:${appId}`);
  }

  /** The person approved the dialog: scopes and ticked pages replace what they granted this app before. */
  approve(userId: string, appId: string, scopes: string[], pageIds: string[], redirectUri: string): AuthCode {
    const user = this.users.get(userId);
    const own = new Set(user?.pages.map((p) => p.pageId));
    const grant: Grant = {
      userId,
      appId,
      scopes: [...new Set(scopes)],
      pageIds: pageIds.filter((id) => own.has(id)),
      grantedAt: this.now().toISOString(),
    };
    this.grants.set(`${userId}:${appId}`, grant);
    const code: AuthCode = {
      code: this.ids.chars(180, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'),
      appId,
      userId,
      redirectUri,
      expiresAt: new Date(this.now().getTime() + CODE_TTL_MS).toISOString(),
      used: false,
    };
    this.codes.set(code.code, code);
    return code;
  }

  app(id: unknown, secret?: unknown): SimApp {
    const app = typeof id === 'string' ? this.apps.get(id) : undefined;
    if (!app) throw LoginErrors.noApp(String(id ?? ''));
    if (secret !== undefined && secret !== app.secret) throw LoginErrors.badSecret();
    return app;
  }

  /** `code` → a short-lived user token; a code redeems once, before it expires, with the same redirect_uri. */
  redeem(app: SimApp, code: string, redirectUri: string): UserToken {
    const c = this.codes.get(code);
    if (!c || c.appId !== app.id) throw LoginErrors.codeInvalid();
    if (c.used) throw LoginErrors.codeUsed();
    if (this.now().getTime() >= Date.parse(c.expiresAt)) throw LoginErrors.codeExpired();
    if (c.redirectUri !== redirectUri) throw LoginErrors.redirectMismatch();
    c.used = true;
    return this.issueUserToken(app.id, c.userId, 'short');
  }

  /** `grant_type=fb_exchange_token`: a valid user token of the app → a long-lived one (~60 days). */
  extend(app: SimApp, token: string): UserToken {
    const t = this.liveUserToken(token);
    if (t.appId !== app.id) throw LoginErrors.tokenInvalid();
    return this.issueUserToken(app.id, t.userId, 'long');
  }

  private issueUserToken(appId: string, userId: string, kind: UserToken['kind']): UserToken {
    const issued = this.now();
    const ttl = kind === 'short' ? SHORT_TOKEN_TTL_MS : LONG_TOKEN_TTL_MS;
    const t: UserToken = {
      token: this.ids.token('EAAU'),
      appId,
      userId,
      kind,
      issuedAt: issued.toISOString(),
      expiresAt: new Date(issued.getTime() + ttl).toISOString(),
      revoked: null,
    };
    this.userTokens.set(t.token, t);
    return t;
  }

  /** Why a user token is no longer valid (revoked, expired), or null. */
  userTokenProblem(t: UserToken): Revocation | null {
    if (t.revoked) return t.revoked;
    if (this.now().getTime() >= Date.parse(t.expiresAt)) return { subcode: 463, message: REVOCATIONS[463]! };
    return null;
  }

  liveUserToken(token: string): UserToken {
    const t = this.userTokens.get(token);
    if (!t) throw LoginErrors.tokenInvalid();
    const problem = this.userTokenProblem(t);
    if (problem) throw LoginErrors.revoked(problem);
    return t;
  }

  /**
   * A page token for each page the person administers and granted the app (`/me/accounts`). A long-lived
   * user token gives page tokens without expiry, as on Meta; the same token is given again while valid.
   */
  pageTokenFor(user: UserToken, pageId: string): PageToken {
    for (const t of this.pageTokens.values()) {
      if (t.appId === user.appId && t.userId === user.userId && t.pageId === pageId && !t.revoked) return t;
    }
    const t: PageToken = {
      token: this.ids.token('EAAP'),
      appId: user.appId,
      userId: user.userId,
      pageId,
      issuedAt: this.now().toISOString(),
      revoked: null,
    };
    this.pageTokens.set(t.token, t);
    return t;
  }

  /** Pages of a grant the person still administers. */
  grantedPages(userId: string, appId: string): Array<{ pageId: string; tasks: string[] }> {
    const g = this.grant(userId, appId);
    const user = this.users.get(userId);
    if (!g || !user) return [];
    return user.pages.filter((p) => g.pageIds.includes(p.pageId));
  }

  /** The page token's problem: the token or its user's grant was revoked. */
  pageTokenProblem(t: PageToken): Revocation | null {
    if (t.revoked) return t.revoked;
    if (!this.grant(t.userId, t.appId)?.pageIds.includes(t.pageId))
      return { subcode: 458, message: REVOCATIONS[458]! };
    return null;
  }

  /** Scopes in effect for a page: the grant's, minus what the page lost. */
  pageScopes(t: PageToken): string[] {
    const lost = new Set(this.lostPermissions[t.pageId] ?? []);
    return (this.grant(t.userId, t.appId)?.scopes ?? []).filter((s) => !lost.has(s));
  }

  /** Knob: revoke the person's tokens for an app (or all apps), and the page tokens they gave. */
  revokeUser(userId: string, appId: string | undefined, subcode: number): number {
    const r = revocation(subcode);
    let n = 0;
    for (const t of [...this.userTokens.values(), ...this.pageTokens.values()]) {
      if (t.userId === userId && (!appId || t.appId === appId) && !t.revoked) {
        t.revoked = r;
        n += 1;
      }
    }
    return n;
  }

  /** Knob: revoke every token of a page (an admin removed, a security reset). */
  revokePage(pageId: string, appId: string | undefined, subcode: number): number {
    const r = revocation(subcode);
    let n = 0;
    for (const t of this.pageTokens.values()) {
      if (t.pageId === pageId && (!appId || t.appId === appId) && !t.revoked) {
        t.revoked = r;
        n += 1;
      }
    }
    return n;
  }

  setLostPermissions(pageId: string, scopes: string[]): void {
    if (scopes.length === 0) delete this.lostPermissions[pageId];
    else this.lostPermissions[pageId] = [...new Set(scopes)];
  }

  subscribedApps(pageId: string): Record<string, string[]> {
    return this.subscriptions[pageId] ?? {};
  }

  subscribe(pageId: string, appId: string, fields: string[]): void {
    this.subscriptions[pageId] = { ...this.subscribedApps(pageId), [appId]: fields };
  }

  unsubscribe(pageId: string, appId: string): void {
    const { [appId]: _gone, ...rest } = this.subscribedApps(pageId);
    this.subscriptions[pageId] = rest;
  }
}

export function revocation(subcode: number): Revocation {
  const message = REVOCATIONS[subcode];
  if (!message) throw new Error(`subcode must be one of ${Object.keys(REVOCATIONS).join(', ')}`);
  return { subcode, message };
}
