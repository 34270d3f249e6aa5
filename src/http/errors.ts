// DomainError code → HTTP status, in one table; every error body is { error: { code, message } }.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type DomainErrorCode, isDomainError } from '../domain/errors.ts';

const STATUS: Partial<Record<DomainErrorCode, number>> = {
  topic_not_found: 404,
  page_not_found: 404,
  workspace_not_found: 404,
  customer_not_found: 404,
  invitation_not_found: 404,
  subscription_not_found: 404,
  duplicate_topic_name: 409,
  topic_has_live_subscriptions: 409,
  kind_change_refused: 409,
  token_already_used: 409,
  email_taken: 409,
  wrong_password: 403,
  send_refused: 422,
  campaign_not_found: 404,
  campaign_state_conflict: 409,
  page_taken: 409,
  workspace_suspended: 403,
  signup_closed: 403,
  template_not_found: 404,
  mapping_not_found: 404,
  duplicate_template_name: 409,
  template_not_approved: 422,
  idempotency_key_reused: 409,
  utility_not_for_marketing: 422,
  missing_parameter: 422,
  meta_template_error: 502,
  login_offer_not_found: 404,
  facebook_login_failed: 502,
  ad_account_rejected: 422,
  ad_account_not_found: 404,
  marketing_unavailable: 503,
};

/** Fastify's own 4xx codes, renamed to what a client reads. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_content_length',
  FST_ERR_VALIDATION: 'validation_failed',
};

/** The same refusals in both languages the console speaks (bad input is explained in vi and en). */
const FASTIFY_TEXT: Record<string, { en: string; vi: string }> = {
  body_too_large: {
    en: 'The request body is larger than this endpoint accepts.',
    vi: 'Dữ liệu gửi lên lớn hơn giới hạn cho phép của địa chỉ này.',
  },
};

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details && { details }) } };
}

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (isDomainError(err)) {
    const status = err.details?.notFound ? 404 : (STATUS[err.code] ?? 400);
    return reply.status(status).send(errorBody(err.code, err.message, err.details));
  }
  if (err instanceof HttpError)
    return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
  const fe = err as FastifyError;
  if (fe.validation) return reply.status(400).send(errorBody('validation_failed', fe.message));
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code =
      FASTIFY_CODES[fe.code ?? ''] ?? (fe.code ?? 'bad_request').replace(/^FST_ERR_/, '').toLowerCase();
    return reply.status(fe.statusCode).send(errorBody(code, fe.message, FASTIFY_TEXT[code]));
  }
  req.log.error({ err }, 'unhandled error');
  return reply
    .status(500)
    .send(errorBody('internal_error', 'Something went wrong on our side; nothing was changed.'));
}
