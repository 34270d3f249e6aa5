// Graph API errors in Meta's exact shape. Codes and subcodes follow the platform.md error table;
// where Meta documents no code (feature switch, 2026 region shutdown, used OTN token) the choice is
// explained at the constructor and in docs/SANDBOX.md.

export interface GraphErrorSpec {
  code: number;
  subcode?: number;
  message: string;
  /** HTTP status. Meta answers most Graph errors with 400, including 190 (plus WWW-Authenticate). */
  status?: number;
  type?: string;
  isTransient?: boolean;
}

export class GraphError extends Error {
  readonly code: number;
  readonly subcode: number | undefined;
  readonly status: number;
  readonly type: string;
  readonly isTransient: boolean | undefined;

  constructor(spec: GraphErrorSpec) {
    super(spec.message);
    this.code = spec.code;
    this.subcode = spec.subcode;
    this.status = spec.status ?? 400;
    this.type = spec.type ?? 'OAuthException';
    this.isTransient = spec.isTransient;
  }

  /** `error_subcode` is omitted when there is none, as Meta does. */
  toBody(fbtraceId: string): { error: Record<string, unknown> } {
    const error: Record<string, unknown> = { message: this.message, type: this.type, code: this.code };
    if (this.subcode !== undefined) error.error_subcode = this.subcode;
    if (this.isTransient !== undefined) error.is_transient = this.isTransient;
    error.fbtrace_id = fbtraceId;
    return { error };
  }
}

const e = (code: number, subcode: number | undefined, message: string, status = 400) =>
  new GraphError({ code, subcode, message, status });

export const Errors = {
  /** A knob-configured answer (src/sandbox/state-2026.ts): Meta has not published this one. */
  fromKnob: (k: { code: number; subcode?: number; message: string }) => e(k.code, k.subcode, k.message),
  // --- auth ---
  tokenMissing: () =>
    e(190, undefined, 'An active access token must be used to query information about the current user.'),
  tokenInvalid: () => e(190, undefined, 'Invalid OAuth access token - Cannot parse access token'),
  badProof: () => e(100, undefined, 'Invalid appsecret_proof provided in the API argument'),
  proofRequired: () => e(100, undefined, 'API calls from the server require an appsecret_proof argument'),
  // --- parameters ---
  param: (what: string) => e(100, undefined, `(#100) ${what}`),
  unknownPath: (path: string) => e(2500, undefined, `Unknown path components: ${path}`),
  noObject: (id: string) =>
    e(
      100,
      33,
      `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
    ),
  noUser: () => e(100, 2018001, '(#100) No matching user found'),
  batchTooBig: () => e(100, undefined, 'Too many requests in batch message. Maximum batch size is 50'),
  // --- tokens (R7a, R8) ---
  otnInvalid: () => e(100, undefined, '(#100) The one_time_notif_token is invalid or has already been used'),
  otnExpired: () => e(100, undefined, '(#100) The one_time_notif_token has expired'),
  nmInvalid: () => e(100, undefined, '(#100) The notification_messages_token is invalid'),
  nmExpired: () => e(100, undefined, '(#100) The notification_messages_token has expired'),
  stopped: () => e(10, 1893015, '(#10) This user has currently stopped notification messages for this topic'),
  cooldown: () =>
    e(
      4,
      2018354,
      '(#4) The minimum delay between two notification messages on this token has not been respected',
    ),
  /** 2026 profile: Meta discontinued recurring notifications outside AU/EU/JP/KR/UK ("the API returns errors"). */
  recurringRegion: (region: string) =>
    e(
      10,
      undefined,
      `(#10) Recurring notifications (notification_messages) are discontinued for Pages in region ${region || '(none)'}; only AU, EU, JP, KR and UK remain`,
    ),
  deprecatedTag: (tag: string) =>
    e(100, undefined, `(#100) The message tag ${tag} is deprecated and can no longer be used`),
  // --- windows (R1) ---
  outsideWindow: () => e(10, 2018278, '(#10) This message is sent outside of allowed window.'),
  // --- opt-in requests (R2) ---
  /** Meta documents no code for a page lacking the feature; code 10 is its generic permission error. */
  featureDisabled: () =>
    e(
      10,
      undefined,
      '(#10) This Page does not have the notification opt-in feature (Page settings > Advanced messaging > Requested features)',
    ),
  duplicateOptIn: () =>
    e(613, 1893016, '(#613) You may not send multiple opt-in requests with the same topic to a user'),
  optInLimit: () =>
    e(
      9,
      2018352,
      '(#9) This user is performing too many actions: the opt-in request limit has been exceeded',
    ),
  optInRestricted: () =>
    e(
      10,
      1404170,
      '(#10) This Page is temporarily restricted from sending marketing message opt-in requests',
    ),
  // --- page and person ---
  pageRestricted: () => e(10, 1893063, '(#10) This Page is temporarily restricted from sending messages'),
  blocked: () => e(551, 1545041, "(#551) This person isn't available right now."),
  // --- volume and transient ---
  rateLimited: () => e(613, undefined, '(#613) Calls to this api have exceeded the rate limit.'),
  transient5xx: (status = 500) =>
    new GraphError({
      code: 2,
      message: 'An unexpected error has occurred. Please retry your request later.',
      status,
      isTransient: true,
    }),
} as const;
