// Public surface of the Graph API sandbox. See docs/SANDBOX.md.

export type { ActionResponse, ConfigPatch, ThreadResponse } from './client.ts';
export { SandboxClient, SandboxClientError } from './client.ts';
export type { AdAccountView } from './client-2026.ts';
export { SandboxClient2026 } from './client-2026.ts';
export type { CustomerView } from './customers.ts';
export { DEMO_EXTRA_PAGES, DEMO_OWNER, seedDemoOwner } from './demo-owner.ts';
export { Errors, GraphError } from './errors.ts';
export type { LoginSnapshot, SimApp, SimUser } from './facebook-login.ts';
export type { FaultConfig, FaultErrorSpec } from './faults.ts';
export { appSecretProof } from './graph.ts';
export { seededRandom } from './ids.ts';
export { answerDialog } from './login-flow.ts';
export type { Sandbox, SandboxInfo, SandboxOptions } from './server.ts';
export { createSandbox, DEFAULT_PAGE } from './server.ts';
export type {
  MarketingSend,
  MessageCampaign,
  Policy2026,
  Policy2026Patch,
  SimTemplate,
  TemplateStatus,
} from './state-2026.ts';
export type {
  ChangeEvent,
  CustomerInput,
  MessagingEvent,
  PageOptions,
  ReceivedSend,
  RenderedTemplate,
  ThreadItem,
  WebhookEvent,
} from './types.ts';
export type { DeliveryLogEntry } from './webhooks.ts';
export { metaJson, signBody } from './webhooks.ts';
