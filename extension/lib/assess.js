// What the extension knows about a site: the hash-prefix lookup (always), and the server's
// check of the host name (only when the person opted in, or asked in the popup).

import { checkValue, lookupPrefix } from "./api.js";
import { candidateHosts, PREFIX_LENGTH, sha256Hex } from "./hosts.js";

/** How long a prefix's answer (or an opted-in check) is reused before asking again. */
const CACHE_MS = 5 * 60 * 1000;

/** Verdicts that turn the badge red: the registry or the detector says "impersonation". */
export const DANGER_VERDICTS = new Set(["known_scam", "lookalike"]);

// Requests already on their way, so that the two tab events of one page load (address
// changed, load complete) ask the server once.
const pending = new Map();

// Answers are kept in chrome.storage.session: in memory until the browser closes, and shared by
// the service worker (which Chrome stops after 30 s idle) and the popup. Keys start with "cache:"
// so that a settings change can drop them all.
async function cached(key, compute) {
  const stored = (await chrome.storage.session.get(key))[key];
  if (stored && Date.now() - stored.at < CACHE_MS) return stored.value;
  if (!pending.has(key)) {
    const request = (async () => {
      try {
        const value = await compute();
        await chrome.storage.session.set({ [key]: { at: Date.now(), value } });
        return value;
      } finally {
        pending.delete(key);
      }
    })();
    pending.set(key, request);
  }
  return pending.get(key);
}

/** Forget every cached answer (the server or the settings changed). */
export async function clearCache() {
  const all = await chrome.storage.session.get(null);
  const keys = Object.keys(all).filter((key) => key.startsWith("cache:"));
  if (keys.length) await chrome.storage.session.remove(keys);
}

/** The part of a link a blocklisted URL is compared on: no fragment, host in lower case. */
function comparableUrl(text) {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}${url.search}`;
  } catch {
    return null;
  }
}

/**
 * Whether ``entry`` (found for ``names[level]``) applies to the page: ``subdomains`` entries
 * cover the host and every host below them, ``exact`` ones only their own host, and ``url``
 * ones (a link blocklisted on a shared host, such as a free hosting service) only that link,
 * never the rest of the host.
 */
function applies(entry, level, pageUrl) {
  const scope = entry.scope || "subdomains";
  if (scope === "url") {
    const blocked = comparableUrl(entry.url || "");
    return blocked !== null && blocked === comparableUrl(pageUrl || "");
  }
  return level === 0 || scope === "subdomains";
}

/** The order a check consults the registry in (and so the lookup answers): blocklist first. */
function rank(entry) {
  if (entry.verdict === "known_scam" || entry.verdict === "lookalike") return 0;
  if (entry.verdict === "official" || entry.verdict === "retired") return 1;
  return 2;
}

/**
 * The registry entry for ``host`` found by hash prefix: only the first 8 hex digits of each
 * candidate name's SHA-256 are sent, and the full hashes are compared here, so the server (and
 * its access log) never learns which site was opened.
 *
 * Returns ``{entry, matched}`` (``matched`` is the name that matched: the host or a parent
 * domain), or null. Like the server's check, a blocklisted name wins over an official one
 * anywhere above the host, and then the nearest name wins.
 */
export async function lookupHost(settings, host, pageUrl = "") {
  const names = candidateHosts(host);
  const hashes = await Promise.all(names.map(sha256Hex));
  const prefixes = [...new Set(hashes.map((hash) => hash.slice(0, PREFIX_LENGTH)))];
  const answers = await Promise.all(
    prefixes.map((prefix) =>
      cached(`cache:lookup:${prefix}`, () => lookupPrefix(settings, prefix)),
    ),
  );
  const entries = answers.flat().filter((e) => e && typeof e.sha256 === "string");
  let best = null;
  for (const [level, name] of names.entries()) {
    for (const entry of entries) {
      if (entry.sha256.toLowerCase() !== hashes[level] || !applies(entry, level, pageUrl)) continue;
      if (best === null || rank(entry) < rank(best.entry)) best = { entry, matched: name };
    }
  }
  return best;
}

/** The server's verdict on the host name itself (sends the name: explicit or opted in). */
export async function checkHost(settings, host) {
  return cached(`cache:check:${host}`, () => checkValue(settings, host, "url"));
}

/**
 * Everything known about ``host`` (shown at ``pageUrl``) under the current settings:
 * ``{host, lookup: {entry, matched} | null, check: verdict | null}``.
 */
export async function assessHost(settings, host, pageUrl = "") {
  const lookup = await lookupHost(settings, host, pageUrl);
  let check = null;
  if (!lookup && settings.sendHostNames) check = await checkHost(settings, host);
  return { host, lookup, check };
}

/** What the badge shows: "official", "danger", "retired" or null (nothing known). */
export function badgeLevel(assessment) {
  const { lookup, check } = assessment;
  const verdict = lookup ? lookup.entry.verdict : check ? check.verdict : null;
  if (verdict === "official") return "official";
  if (DANGER_VERDICTS.has(verdict)) return "danger";
  if (check && check.risk === "danger") return "danger";
  if (verdict === "retired") return "retired";
  return null;
}

/** The platform a verdict is about: its own, or the one it imitates. */
export function platformOf(assessment) {
  const source = assessment.lookup ? assessment.lookup.entry : assessment.check;
  if (!source) return null;
  return source.platform || source.impersonates || null;
}
