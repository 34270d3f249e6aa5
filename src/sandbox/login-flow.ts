// A person going through the sandbox's Login dialog over HTTP, as a browser would: open the dialog,
// tick pages, approve or cancel, follow nothing (the redirect's Location is returned). Used by the
// sandbox's tests and the service's connect tests; the browser test clicks the real page instead.
import { request } from 'undici';

export interface DialogAnswer {
  status: number;
  /** The redirect_uri with `code` & `state`, or `error=access_denied…` & `state`. */
  location: URL;
  html: string;
}

/**
 * Opens `dialogUrl` (what the app redirected to), then submits the form. `pages`: the page ids to tick
 * (default: what the dialog ticked); `approve: false` cancels.
 */
export async function answerDialog(
  dialogUrl: string,
  opts: { pages?: string[]; approve?: boolean; userId?: string } = {},
): Promise<DialogAnswer> {
  const url = new URL(dialogUrl);
  if (opts.userId) url.searchParams.set('user_id', opts.userId);
  const res = await request(url, { method: 'GET' });
  const html = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`dialog answered ${res.statusCode}: ${html}`);
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(m[1] ?? '', unescapeHtml(m[2] ?? ''));
  }
  const offered = [...html.matchAll(/name="page_([^"]+)" value="on"( checked)?/g)];
  for (const m of offered) {
    const id = m[1] ?? '';
    if (opts.pages ? opts.pages.includes(id) : m[2]) form.set(`page_${id}`, 'on');
  }
  form.set('decision', opts.approve === false ? 'deny' : 'approve');
  const post = await request(new URL('/dialog/oauth/confirm', url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  await post.body.dump();
  const location = String(post.headers.location ?? '');
  if (post.statusCode !== 302 || !location) throw new Error(`confirm answered ${post.statusCode}`);
  return { status: post.statusCode, location: new URL(location), html };
}

function unescapeHtml(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
