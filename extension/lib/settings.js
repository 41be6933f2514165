// The person's settings, kept in chrome.storage.local (never synced to a Google account).

export const DEFAULT_SETTINGS = Object.freeze({
  // The verifier server; the extension's host permissions cover loopback (a local
  // `verifier serve`), any other server is granted by the options page when it is chosen.
  server: "http://127.0.0.1:8000",
  // Off by default: only hash prefixes of host names leave the browser.
  sendHostNames: false,
  // "zh" or "en"; Chinese first, as for most of the people the registry serves.
  language: "zh",
});

const KEYS = Object.keys(DEFAULT_SETTINGS);

/** The current settings, with defaults for anything never set. */
export async function loadSettings() {
  const stored = await chrome.storage.local.get(KEYS);
  return { ...DEFAULT_SETTINGS, ...stored };
}

/** Store ``changes`` (a subset of the settings). */
export async function saveSettings(changes) {
  await chrome.storage.local.set(changes);
}

/**
 * The server address in its one stored form (scheme, host, port, no trailing slash), or null
 * when it is not an http(s) address: a typo must not send requests somewhere unexpected.
 */
export function normalizeServer(text) {
  let url;
  try {
    url = new URL(String(text).trim());
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  if (url.username || url.password || url.search || url.hash) return null;
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
