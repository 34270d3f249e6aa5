// The one rule for links the product sends (campaign URL buttons and images): an absolute http(s) URL.
// Pure and import-free so the console checks a field with the very rule the server applies.

/** A link Meta will open: absolute, http or https, with a host. */
export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url.trim());
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
  } catch {
    return false;
  }
}
