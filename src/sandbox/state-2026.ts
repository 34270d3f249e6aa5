// What the simulated Meta keeps for the 2026 products: utility templates per page, ad accounts with
// their system-user tokens, message campaigns, paid (marketing) sends, and the policy knobs for what
// Meta has not published. Times are epoch ms so the whole thing persists as plain JSON
// (src/sandbox/persist.ts writes it as one record when touched).

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'DISABLED' | 'PAUSED';

export interface TemplateButton {
  type: 'URL' | 'POSTBACK';
  text: string;
  url?: string;
  payload?: string;
}

export interface SimTemplate {
  id: string;
  pageId: string;
  name: string;
  language: string;
  category: 'UTILITY';
  parameterFormat: 'NAMED' | 'POSITIONAL';
  header: { format: 'TEXT' | 'IMAGE'; text: string | null } | null;
  body: string;
  buttons: TemplateButton[];
  /** The components as last submitted, answered back by GET. */
  components: unknown[];
  status: TemplateStatus;
  rejectedReason: string | null;
  libraryTemplateName: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface AdAccount {
  /** Digits only; Graph paths use `act_<id>`. */
  id: string;
  name: string;
  currency: string;
  systemUserToken: string;
  /** Pages whose page token may also send on `act_<id>/messages` (Meta's reference uses the page token). */
  pageIds: string[];
}

export interface MessageCampaign {
  id: string;
  adAccountId: string;
  pageId: string;
  name: string;
  dailyBudget: number | null;
  lifetimeBudget: number | null;
  startTime: number;
  endTime: number | null;
  pixelId: string | null;
  createdAt: number;
  /** Sends before this instant answer 2300003 (the activation wait). */
  activeAt: number;
  status: 'ACTIVE' | 'PAUSED' | 'DELETED';
  spend: number;
  /** Spend per day (YYYY-MM-DD in the page's time zone), for the daily budget. */
  spendByDay: Record<string, number>;
}

export type MarketingOutcome = 'DELIVERED' | 'FAILED';

export interface MarketingSend {
  trackingId: string;
  campaignId: string;
  adAccountId: string;
  pageId: string;
  token: string;
  psid: string;
  mid: string;
  at: number;
  outcome: MarketingOutcome;
  read: boolean;
  clicked: boolean;
  cost: number;
  message: Record<string, unknown>;
}

export interface KnobError {
  code: number;
  subcode?: number;
  message: string;
}

/** Knobs for what Meta leaves unpublished or what a test needs to force. See docs/SANDBOX.md. */
export interface Policy2026 {
  /** A recurring-token send (or opt-in outside the rules) refused by the 2026 region shutdown. */
  recurringRegionError: KnobError | null;
  /** Meta stops OTN: opt-in requests and OTN sends answer `otnUnavailableError`. */
  otnUnavailable: boolean;
  otnUnavailableError: KnobError;
  /** "Stop these messages" on a paid message also sends the old STOP_NOTIFICATIONS optin event. */
  optOutWebhook: boolean;
  /** Utility templates on a page Meta does not offer them to (not `2026`, or outside `utilityRegions`). */
  utilityUnavailableError: KnobError;
  /** Regions where utility templates work; null = every region (Meta's 2026 list is unpublished). */
  utilityRegions: string[] | null;
  /** Paid marketing messages for a page that is not on the `2026` profile. */
  marketingUnavailableError: KnobError;
  /** A paid message to a person in AU/EU/JP/KR/UK (Meta: not delivered there; the code is unpublished). */
  marketingRecipientRegionError: KnobError;
  /** New and edited templates: APPROVED (instant, Meta's "within seconds"), PENDING, or REJECTED. */
  templateApproval: 'APPROVED' | 'PENDING' | 'REJECTED';
  templateRejectReason: string;
  templateErrors: {
    unknownTemplate: KnobError;
    notApproved: KnobError;
    unknownParameter: KnobError;
    missingParameter: KnobError;
  };
  /** Sandbox-clock wait between creating a message campaign and its first accepted send. */
  activationWaitMs: number;
  /** Price of one delivered paid message, in the ad account currency's smallest unit. */
  pricePerMessage: number;
  currency: string;
  deliveryRate: number;
  readRate: number;
  clickRate: number;
  /** One paid message per subscription token per this many ms (Meta: 12 h). */
  tokenGapMs: number;
  tokenGapError: KnobError;
  budgetSpentError: KnobError;
}

/** What `PUT /sandbox/policy` takes: any knob, and any of the template error codes. */
export type Policy2026Patch = Partial<Omit<Policy2026, 'templateErrors'>> & {
  templateErrors?: Partial<Policy2026['templateErrors']>;
};

export const defaultPolicy = (): Policy2026 => ({
  recurringRegionError: null,
  otnUnavailable: false,
  otnUnavailableError: {
    code: 10,
    message: '(#10) One-time notifications are not available for this Page',
  },
  optOutWebhook: false,
  utilityUnavailableError: {
    code: 10,
    message: '(#10) Utility messages are not available for this Page',
  },
  utilityRegions: null,
  marketingUnavailableError: {
    code: 10,
    message: '(#10) Marketing messages are not available for this Page',
  },
  marketingRecipientRegionError: {
    code: 10,
    message: "(#10) Marketing messages can't be delivered to people in this region",
  },
  templateApproval: 'APPROVED',
  templateRejectReason: 'INVALID_FORMAT',
  templateErrors: {
    unknownTemplate: { code: 132001, message: '(#132001) Template name does not exist in the translation' },
    notApproved: { code: 132015, message: '(#132015) Template is not approved and cannot be sent' },
    unknownParameter: {
      code: 132012,
      message: '(#132012) Parameter name does not match any parameter of the template',
    },
    missingParameter: {
      code: 132000,
      message: '(#132000) Number of parameters does not match the expected number of params',
    },
  },
  activationWaitMs: 5_000,
  pricePerMessage: 250,
  currency: 'VND',
  deliveryRate: 1,
  readRate: 0,
  clickRate: 0,
  tokenGapMs: 12 * 3_600_000,
  tokenGapError: {
    code: 4,
    subcode: 2018354,
    message: '(#4) This subscription token already received a marketing message in the last 12 hours',
  },
  budgetSpentError: {
    code: 2300000,
    message:
      'You cannot send a message unless the message campaign under which the message exists is active.',
  },
});

export class Messenger2026State {
  readonly templates = new Map<string, SimTemplate>();
  readonly adAccounts = new Map<string, AdAccount>();
  readonly campaigns = new Map<string, MessageCampaign>();
  /** Append-only; a send changes in place when read or clicked (persisted one by one: `putSend`). */
  readonly marketingSends: MarketingSend[] = [];
  policy: Policy2026 = defaultPolicy();
  private readonly lastByToken = new Map<string, number>();

  templateByName(pageId: string, name: string, language?: string): SimTemplate[] {
    return [...this.templates.values()].filter(
      (t) => t.pageId === pageId && t.name === name && (language === undefined || t.language === language),
    );
  }

  adAccountByToken(token: string): AdAccount | undefined {
    for (const a of this.adAccounts.values()) if (a.systemUserToken === token) return a;
    return undefined;
  }

  /** Appends a paid send; returns its index (for the state file's per-send record). */
  addSend(s: MarketingSend): number {
    this.marketingSends.push(s);
    this.lastByToken.set(s.token, this.marketingSends.length - 1);
    return this.marketingSends.length - 1;
  }

  /** Restores one send by index (state file replay; idempotent). */
  putSend(i: number, s: MarketingSend): void {
    this.marketingSends[i] = s;
    const last = this.lastByToken.get(s.token);
    if (last === undefined || last <= i) this.lastByToken.set(s.token, i);
  }

  lastSendOnToken(token: string): MarketingSend | undefined {
    const i = this.lastByToken.get(token);
    return i === undefined ? undefined : this.marketingSends[i];
  }

  /** Everything but the sends, which the state file writes one record each. */
  toJSON(): unknown {
    return {
      templates: [...this.templates.values()],
      adAccounts: [...this.adAccounts.values()],
      campaigns: [...this.campaigns.values()],
      policy: this.policy,
    };
  }

  load(raw: unknown): void {
    const r = raw as {
      templates?: SimTemplate[];
      adAccounts?: AdAccount[];
      campaigns?: MessageCampaign[];
      policy?: Policy2026;
    };
    this.templates.clear();
    for (const t of r.templates ?? []) this.templates.set(t.id, t);
    this.adAccounts.clear();
    for (const a of r.adAccounts ?? []) this.adAccounts.set(a.id, a);
    this.campaigns.clear();
    for (const c of r.campaigns ?? []) this.campaigns.set(c.id, c);
    this.policy = { ...defaultPolicy(), ...r.policy };
  }
}
