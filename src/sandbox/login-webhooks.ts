// Who receives a page's webhooks: every app subscribed to the page through `subscribed_apps` (with a
// Login-issued page token), each at its own callback URL and signed with its own secret; plus the page's
// configured target (`webhookUrl`, `appSecret`: the single-app setup the sandbox always had) unless the
// page's own app (`appId`) is among the subscribed apps, which then takes its place.
import type { LoginState } from './facebook-login.ts';
import type { SimPage } from './types.ts';
import type { WebhookTarget } from './webhooks.ts';

export function webhookTargets(page: SimPage, login: LoginState): WebhookTarget[] {
  const subscribed = login.subscribedApps(page.id);
  const out: WebhookTarget[] = [];
  if (!(page.appId in subscribed)) {
    out.push({
      key: 'page',
      url: page.webhookUrl,
      appSecret: page.appSecret,
      verifyToken: page.verifyToken,
      subscribedFields: page.subscribedFields,
    });
  }
  for (const [appId, fields] of Object.entries(subscribed)) {
    const app = login.apps.get(appId);
    if (!app) continue;
    out.push({
      key: appId,
      // The page's own app without a callback of its own uses the page's (the service's) webhook URL.
      url: app.webhookUrl ?? (appId === page.appId ? page.webhookUrl : null),
      appSecret: app.secret,
      verifyToken: app.verifyToken,
      // A page subscription can only pick fields the app's webhook subscription offers.
      subscribedFields: fields.filter((f) => app.fields.includes(f)),
    });
  }
  return out;
}
