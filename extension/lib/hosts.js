// Host names as the server's lookup index keys them, and their SHA-256 hash prefixes.

/** Length of the hash prefix sent to the server: 8 hex digits (32 bits), as CONTRACT.md says. */
export const PREFIX_LENGTH = 8;

/** Most names checked for one host: the host and its parents (a.b.c.d.e → b.c.d.e → …). */
const MAX_CANDIDATES = 8;

/**
 * The canonical host of a page URL, or null when the page is not a web site.
 *
 * Canonical: lower case, punycode (the URL parser already gives both), no trailing dot
 * ("icbc.com.cn." is the same site as "icbc.com.cn", and a scam link may use it to dodge a
 * match on the exact name).
 */
export function canonicalHost(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  const host = parsed.hostname.toLowerCase().replace(/\.+$/, "");
  return host || null;
}

function isIpAddress(host) {
  return host.startsWith("[") || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/**
 * The names to look up for ``host``, most specific first: the host itself, then each domain
 * above it down to two labels. An official domain covers its subdomains (www.icbc.com.cn is
 * ICBC's because icbc.com.cn is), and a blocklisted domain covers every host below it, so a
 * scammer cannot escape the blocklist by inventing a new subdomain. The bare top-level domain is
 * never a registry entry, and an IP address has no parents.
 */
export function candidateHosts(host) {
  if (isIpAddress(host)) return [host];
  const labels = host.split(".");
  const names = [];
  for (let i = 0; i < labels.length - 1 && names.length < MAX_CANDIDATES; i++) {
    names.push(labels.slice(i).join("."));
  }
  return names.length ? names : [host];
}

/** Lower-case hex SHA-256 of the UTF-8 text (Web Crypto, available in workers and pages). */
export async function sha256Hex(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What may be shown or sent when a person reports a page: its address without the query and
 * fragment, which often carry session tokens, e-mail addresses or tracking ids.
 */
export function reportableAddress(url) {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "";
  }
}
