// The Meta app pages are connected through, chosen from the configuration; runtime.ts and offline.ts
// (the operator's commands) share it.
import type { FacebookApp } from './app/facebook-connect.ts';
import type { Config } from './config.ts';

/**
 * The Meta app pages are connected through ("Kết nối Fanpage", health rounds, unsubscribing on
 * disconnect): in sandbox mode the sandbox's own app (embedded or SANDBOX_URL); live, FB_APP_ID with
 * FB_APP_SECRET; otherwise none. The runtime and the operator's offline commands share it.
 */
export function facebookAppFor(
  config: Config,
  sandboxUrl: string | null,
  sandboxApp: { appId: string; appSecret: string } | null,
): FacebookApp | null {
  if (sandboxUrl && sandboxApp)
    return {
      appId: sandboxApp.appId,
      appSecret: sandboxApp.appSecret,
      dialogBaseUrl: sandboxUrl,
      graphBaseUrl: sandboxUrl,
      version: config.graph.version,
    };
  if (config.mode === 'live' && config.facebookLogin.appId && config.page.appSecret)
    return {
      appId: config.facebookLogin.appId,
      appSecret: config.page.appSecret,
      dialogBaseUrl: config.facebookLogin.dialogBaseUrl,
      graphBaseUrl: config.graph.baseUrl,
      version: config.graph.version,
    };
  return null;
}
