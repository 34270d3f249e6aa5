// A page's credentials for the Graph client, from the stored page (columns as in the pages table).
import type { PageCredentials } from './graph-client.ts';

export interface StoredPageCredentials {
  fb_page_id: string;
  access_token: string | null;
  app_secret: string | null;
}

export function credentials(page: StoredPageCredentials): PageCredentials {
  return { pageId: page.fb_page_id, accessToken: page.access_token ?? '', appSecret: page.app_secret };
}
