// Public surface of the Graph API sandbox. See docs/SANDBOX.md.

export type { ActionResponse, ConfigPatch, ThreadResponse } from './client.ts';
export { SandboxClient, SandboxClientError } from './client.ts';
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
export type { CustomerInput, MessagingEvent, PageOptions, ReceivedSend, ThreadItem } from './types.ts';
export type { DeliveryLogEntry } from './webhooks.ts';
export { metaJson, signBody } from './webhooks.ts';
