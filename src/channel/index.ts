// The channel's public surface: what app/, jobs/ and http/ import. Everything that talks to Meta
// (Graph client, limiter, message builders, webhook checks and parsing) is reached through here.

export { credentials, type StoredPageCredentials } from './credentials.ts';
export type { AccountPage, FacebookApp, TokenDebug } from './facebook-login.ts';
export * as facebookLogin from './facebook-login.ts';
export { LoginApiError } from './facebook-login.ts';
export {
  type BatchItem,
  GraphApiError,
  GraphClient,
  type GraphClientOptions,
  type PageCredentials,
} from './graph-client.ts';
export {
  appSecretProof,
  buildSendBody,
  decodeBatchItemBody,
  encodeBatchItemBody,
  type GraphFailure,
  type GraphPaging,
  type NotificationTokenInfo,
  type NotificationTokenPage,
  type SendBody,
  type SendResult,
  type UserProfile,
} from './graph-wire.ts';
export {
  type AdAccountCredentials,
  type AdAccountInfo,
  MarketingApi,
} from './marketing-api.ts';
export { type MarketingEvent, type MarketingStep, parseMarketingWebhook } from './marketing-webhook.ts';
export * from './messages.ts';
export { PageRateLimiter, type RateLimiterOptions, SharedPageRateLimiter } from './rate-limiter.ts';
export * from './templates.ts';
export { linkSignature, linkToken } from './tracked-links.ts';
export {
  notificationStatus,
  parseMessagingEvent,
  parseWebhook,
  verifyChallenge,
  verifySignature,
} from './webhook.ts';
export { carriesChanges, parseTemplateStatusUpdates, type TemplateStatusUpdate } from './webhook-changes.ts';
export type * from './webhook-events.ts';
export {
  checkDelivery,
  type DeliveryProblem,
  type DeliveryProblemCode,
  entryPageIds,
} from './webhook-limits.ts';
