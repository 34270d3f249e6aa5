// Secrets at rest: page access tokens, app secrets, notification tokens and raw webhook bodies are
// stored AES-256-GCM encrypted; tokens also get an HMAC so they can be looked up without decrypting.
// The key comes from RENOTIFY_SECRET_KEY or a key file created on first start with mode 0600.
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const PREFIX = 'enc:v1:';

let key: Buffer | null = null;
/** The key as a KeyObject (cipher and HMAC), built once per key (not from the raw bytes on every call). */
let keyObject: KeyObject | null = null;

/** Process-wide: every storage of this process uses the one configured key. */
export function setSecretKey(k: Buffer): void {
  if (k.length !== 32) throw new Error('the secret key must be 32 bytes (AES-256)');
  key = k;
  keyObject = null;
  plainOf.clear();
}

function currentKey(): Buffer {
  // Tests and throw-away databases that configured nothing get an ephemeral key for this process.
  key ??= randomBytes(32);
  return key;
}

function cipherKey(): KeyObject {
  keyObject ??= createSecretKey(currentKey());
  return keyObject;
}

const IV_BYTES = 12;
/** Random bytes drawn in bulk, each 96-bit IV taken once from it and never again. */
let ivPool = Buffer.alloc(0);
let ivAt = 0;

function nextIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 256);
    ivAt = 0;
  }
  const iv = ivPool.subarray(ivAt, ivAt + IV_BYTES);
  ivAt += IV_BYTES;
  return iv;
}

export function parseKey(text: string): Buffer {
  const t = text.trim();
  const buf = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (buf.length !== 32)
    throw new Error('RENOTIFY_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
  return buf;
}

/** RENOTIFY_SECRET_KEY if set; else the key file, created (0600) on first start. */
export async function loadOrCreateKey(env: { key?: string | undefined; file: string }): Promise<Buffer> {
  if (env.key) return parseKey(env.key);
  try {
    return parseKey(await fs.readFile(env.file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const k = randomBytes(32);
  await fs.mkdir(path.dirname(env.file), { recursive: true });
  await fs.writeFile(env.file, k.toString('hex'), { mode: 0o600, flag: 'wx' }).catch(async (e) => {
    // Another process created it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  });
  return parseKey(await fs.readFile(env.file, 'utf8'));
}

export function encrypt(plain: string): string;
export function encrypt(plain: string | null): string | null;
export function encrypt(plain: string | null): string | null {
  if (plain === null) return null;
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', cipherKey(), iv);
  const body = cipher.update(plain, 'utf8');
  const tail = cipher.final(); // empty for GCM; the tag is ready after it
  // One copy of the pieces, not one for the ciphertext and another for iv + tag + ciphertext.
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body, tail]).toString('base64');
}

export function decrypt(stored: string): string;
export function decrypt(stored: string | null): string | null;
export function decrypt(stored: string | null): string | null {
  if (stored === null) return null;
  // Rows written without encryption (bulk benchmark loads) read as they are.
  if (!stored.startsWith(PREFIX)) return stored;
  const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', cipherKey(), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

/** Decrypted small secrets by ciphertext; bounded (emptied when full). */
const plainOf = new Map<string, string>();

/**
 * `decrypt` for a few secrets read again and again (a page's app secret, on every webhook delivery):
 * remembered by ciphertext, so never stale — a changed secret is a new ciphertext (a fresh IV).
 */
export function decryptCached(stored: string): string;
export function decryptCached(stored: string | null): string | null;
export function decryptCached(stored: string | null): string | null {
  if (stored === null) return null;
  const known = plainOf.get(stored);
  if (known !== undefined) return known;
  const plain = decrypt(stored);
  if (plainOf.size >= 10_000) plainOf.clear();
  plainOf.set(stored, plain);
  return plain;
}

/** Deterministic keyed hash for equality lookups and unique indexes over encrypted values. */
export function lookupHash(value: string): string {
  return createHmac('sha256', cipherKey()).update(value).digest('base64url');
}
