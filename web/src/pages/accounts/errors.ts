import { ApiError, type Lang } from '../../api.ts';

/** The API's reason in the UI's language when it has one, else its message. */
export const errText = (err: unknown, lang: Lang): string =>
  err instanceof ApiError ? err.text(lang) : String(err);
