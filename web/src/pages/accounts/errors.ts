import { errorText, type Lang } from '../../api.ts';

/** The API's reason in the UI's language (web/src/errors.ts: one dictionary for every screen). */
export const errText = (err: unknown, lang: Lang): string => errorText(err, lang);
