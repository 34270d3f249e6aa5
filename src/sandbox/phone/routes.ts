// The sandbox phone: a small Messenger-like page (built from web/phone by `npm run build:web`) served by
// the sandbox at /phone. It talks only to this origin's /sandbox API, so it needs nothing else.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const PHONE_DIST = fileURLToPath(new URL('../../../web/phone/dist', import.meta.url));

export async function registerPhone(app: FastifyInstance, root: string = PHONE_DIST): Promise<void> {
  if (!existsSync(path.join(root, 'index.html'))) {
    app.get('/phone', async (_req, reply) =>
      reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The sandbox phone is not built: run `npm run build:web`.'),
    );
    return;
  }
  await app.register(fastifyStatic, { root, prefix: '/phone/', wildcard: false, index: 'index.html' });
  app.get('/phone', async (req, reply) => {
    const q = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
    return reply.redirect(`/phone/${q}`);
  });
}
