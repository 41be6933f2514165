// Official channels from the public registry snapshot, so that the popup can list a platform's
// channels without telling the server which platform (and so which site) the person is on.

import { fetchSnapshot } from "./api.js";
import { nameIn } from "./i18n.js";

const KEY = "snapshot";

/**
 * The snapshot body, refreshed with If-None-Match (a 304 costs a few bytes) and kept in
 * chrome.storage.local. Fetched the same way whichever site is open, so the request itself
 * says nothing about the visit.
 */
export async function loadSnapshot(settings) {
  const stored = (await chrome.storage.local.get(KEY))[KEY];
  const current = stored && stored.server === settings.server ? stored : null;
  try {
    const fresh = await fetchSnapshot(settings, current ? current.etag : "");
    if (fresh === null) return current.body;
    await chrome.storage.local.set({
      [KEY]: { server: settings.server, etag: fresh.etag, body: fresh.body },
    });
    return fresh.body;
  } catch {
    // Offline or an older server: the last copy is still the best answer.
    return current ? current.body : null;
  }
}

/**
 * The active official channels of ``slug`` in the snapshot, shaped like a verdict's
 * ``official_channels`` ({kind, value, label, display}).
 */
export function officialChannels(snapshot, slug, language) {
  const platforms = snapshot && Array.isArray(snapshot.platforms) ? snapshot.platforms : [];
  const platform = platforms.find((p) => p && p.slug === slug);
  if (!platform || !Array.isArray(platform.channels)) return [];
  return platform.channels
    .filter((c) => c && (c.status || "active") === "active" && c.value)
    .map((c) => ({
      kind: String(c.kind || ""),
      value: String(c.value),
      label: nameIn(language, c.label),
      display: String(c.display || c.value),
    }));
}
