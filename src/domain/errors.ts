// Typed domain errors with stable codes. The HTTP layer maps codes to statuses in one table; the
// domain itself knows nothing of HTTP.

export const DOMAIN_ERROR_CODES = [
  'validation_failed',
  'blank_text',
  'name_required',
  'name_too_long',
  'title_required',
  'title_too_long',
  'invalid_kind',
  'frequency_required',
  'frequency_on_otn',
  'invalid_frequency',
  'invalid_cta_text',
  'cta_on_otn',
  'invalid_image_url',
  'invalid_validity',
  'kind_change_refused',
  'duplicate_topic_name',
  'topic_not_found',
  'topic_inactive',
  'topic_has_live_subscriptions',
  'page_not_found',
  'workspace_not_found',
  'customer_not_found',
  'invitation_not_found',
  'subscription_not_found',
  'token_already_used',
  'invalid_profile',
  'invalid_time_zone',
  'send_refused',
  'invite_invalid',
  'weak_password',
  'wrong_password',
  'email_taken',
  'campaign_not_found',
  'invalid_campaign',
  'campaign_state_conflict',
  'page_taken',
  'workspace_suspended',
  'signup_closed',
  // utility templates and order events (R13)
  'invalid_template',
  'template_not_found',
  'duplicate_template_name',
  'template_not_approved',
  'invalid_mapping',
  'mapping_not_found',
  'invalid_order_event',
  'idempotency_key_required',
  'idempotency_key_reused',
  'utility_not_for_marketing',
  'missing_parameter',
  'meta_template_error',
  // Issue 12 item 3: connecting pages through Facebook Login.
  'login_state_invalid',
  'login_offer_not_found',
  'facebook_login_failed',
  'ad_account_invalid',
  'ad_account_rejected',
  'ad_account_not_found',
  'marketing_unavailable',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export function isDomainError(e: unknown, code?: DomainErrorCode): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code);
}
