// One Graph call and its answer, transport-free: what Fastify routes and batch items hand the routers.
export interface GraphCall {
  method: string;
  /** Path after the version, without leading slash: `me/messages`, `123/notification_message_tokens`, ``. */
  path: string;
  version: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  authorization?: string;
}

export interface GraphResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}
