// The service worker: the toolbar badge for each tab, and the right-click "check" item.

import { assessHost, badgeLevel, clearCache, platformOf } from "./lib/assess.js";
import { canonicalHost } from "./lib/hosts.js";
import { nameIn, t } from "./lib/i18n.js";
import { DEFAULT_SETTINGS, loadSettings } from "./lib/settings.js";

const MENU_ID = "check-selection";

const BADGES = {
  official: { text: "✓", color: "#0a7a2f" },
  danger: { text: "!", color: "#b00020" },
  retired: { text: "?", color: "#9a5b00" },
};

/** The tooltip of the toolbar button for an assessment. */
function badgeTitle(language, level, assessment) {
  const platform = platformOf(assessment);
  const name = platform ? nameIn(language, platform.name) : "";
  const verdict = assessment.lookup ? assessment.lookup.entry.verdict : assessment.check?.verdict;
  if (level === "official") return t(language, "badgeOfficial", { name });
  if (level === "retired") return t(language, "badgeRetired", { name });
  if (level === "danger") {
    const word = t(language, `verdict_${verdict}`);
    return name
      ? t(language, "badgeDangerNamed", { verdict: word, name })
      : t(language, "badgeDanger", { verdict: word });
  }
  return t(language, "appName");
}

async function showBadge(tabId, level, title) {
  const badge = BADGES[level];
  await chrome.action.setBadgeText({ tabId, text: badge ? badge.text : "" });
  if (badge) {
    await chrome.action.setBadgeBackgroundColor({ tabId, color: badge.color });
    await chrome.action.setBadgeTextColor({ tabId, color: "#ffffff" });
  }
  await chrome.action.setTitle({ tabId, title });
}

/**
 * Work out and show the badge for ``tab``. The outcome is also kept in chrome.storage.session
 * under "tab:<id>" (the popup and the tests read it); it never leaves the browser.
 */
async function updateTab(tab) {
  if (!tab || tab.id === undefined || tab.id < 0) return;
  const settings = await loadSettings();
  const host = canonicalHost(tab.url || "");
  const key = `tab:${tab.id}`;
  if (!host) {
    await showBadge(tab.id, null, t(settings.language, "appName"));
    await chrome.storage.session.set({ [key]: { host: null, level: null } });
    return;
  }
  let state;
  try {
    const assessment = await assessHost(settings, host, tab.url);
    state = { host, level: badgeLevel(assessment), assessment };
  } catch (error) {
    state = { host, level: null, error: String(error.message || error) };
  }
  // The tab may have moved on while the server answered: never put one site's badge on another.
  let current;
  try {
    current = await chrome.tabs.get(tab.id);
  } catch {
    return; // closed
  }
  if (canonicalHost(current.url || "") !== host) return;
  const title = state.assessment
    ? badgeTitle(settings.language, state.level, state.assessment)
    : t(settings.language, "appName");
  await showBadge(tab.id, state.level, title);
  await chrome.storage.session.set({ [key]: state });
}

async function updateAllTabs() {
  const tabs = await chrome.tabs.query({});
  await Promise.all(tabs.map(updateTab));
}

async function createMenu() {
  const { language } = await loadSettings();
  await chrome.contextMenus.removeAll();
  chrome.contextMenus.create({
    id: MENU_ID,
    title: t(language, "menuCheck"),
    contexts: ["selection", "link"],
  });
}

/**
 * True when ``text`` is one value to check (a phone number, link, address or account), false
 * when it is a message to scan. Phone numbers are often written with spaces ("400 820 8820").
 */
function isSingleValue(text) {
  if (!/\s/.test(text)) return true;
  return /^\+?[\d\s\-().]{3,32}$/.test(text);
}

/**
 * The right-click item: an explicit request to check what the person selected (or the link
 * they clicked), shown on an extension page. The text goes to that page through
 * chrome.storage.session rather than its address, where a long message would not fit.
 */
async function onMenuClicked(info, tab) {
  if (info.menuItemId !== MENU_ID) return;
  const value = (info.selectionText || "").trim() || (info.linkUrl || "").trim();
  if (!value) return;
  const id = crypto.randomUUID();
  const mode = isSingleValue(value) ? "check" : "scan";
  await chrome.storage.session.set({ [`request:${id}`]: { mode, value } });
  await chrome.tabs.create({
    url: chrome.runtime.getURL(`result.html?id=${id}`),
    ...(tab && tab.id >= 0 ? { index: tab.index + 1, openerTabId: tab.id } : {}),
  });
}

// Headless Chromium cannot click a context menu; the tests call the same handler.
globalThis.onMenuClicked = onMenuClicked;

chrome.runtime.onInstalled.addListener(() => {
  createMenu();
  updateAllTabs();
});
chrome.runtime.onStartup.addListener(updateAllTabs);

chrome.tabs.onUpdated.addListener((tabId, change, tab) => {
  if (change.url || change.status === "complete") updateTab(tab);
});
chrome.tabs.onActivated.addListener(async ({ tabId }) => {
  try {
    updateTab(await chrome.tabs.get(tabId));
  } catch {
    // The tab closed before we looked.
  }
});
chrome.tabs.onRemoved.addListener((tabId) => chrome.storage.session.remove(`tab:${tabId}`));

chrome.storage.onChanged.addListener(async (changes, area) => {
  if (area !== "local" || !Object.keys(changes).some((key) => key in DEFAULT_SETTINGS)) return;
  await clearCache();
  if (changes.language) await createMenu();
  await updateAllTabs();
});

chrome.contextMenus.onClicked.addListener(onMenuClicked);
