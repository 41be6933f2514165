// The toolbar popup: what is known about the current tab's site, a check on request, a report.

import { sendReport } from "./lib/api.js";
import { assessHost, checkHost } from "./lib/assess.js";
import { canonicalHost, reportableAddress } from "./lib/hosts.js";
import { nameIn, t, translatePage } from "./lib/i18n.js";
import { notice, verdictBox } from "./lib/render.js";
import { loadSettings } from "./lib/settings.js";
import { loadSnapshot, officialChannels } from "./lib/snapshot.js";

const $ = (id) => document.getElementById(id);

/** The tab the popup is about: ?tab=<id> (tests, or a popup opened as a page), else the active one. */
async function currentTab() {
  const asked = Number.parseInt(new URLSearchParams(location.search).get("tab") || "", 10);
  if (Number.isInteger(asked)) return chrome.tabs.get(asked);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab;
}

/** A lookup entry explained in the popup's own words (the lookup carries no reasons). */
function lookupReasons(language, host, lookup) {
  const { entry, matched } = lookup;
  const name = nameIn(language, (entry.platform || entry.impersonates || {}).name);
  switch (entry.verdict) {
    case "official":
      return [
        t(language, matched === host ? "lookupOfficialExact" : "lookupOfficial", {
          host,
          matched,
          name,
        }),
      ];
    case "retired":
      return [t(language, "lookupRetired", { matched, name })];
    case "known_scam":
    case "lookalike": {
      const key = entry.verdict === "known_scam" ? "lookupKnownScam" : "lookupLookalike";
      const reasons = [t(language, key, { matched })];
      if (name) reasons.push(t(language, "lookupImpersonates", { name }));
      return reasons;
    }
    default:
      if (entry.reviewed) return [t(language, "lookupReviewed", { matched })];
      return [t(language, "lookupOther", { verdict: t(language, `verdict_${entry.verdict}`) })];
  }
}

/** The verdict box for a lookup entry, with the platform's channels from the snapshot. */
function lookupBox(settings, host, lookup, snapshot) {
  const { entry } = lookup;
  const platform = entry.platform || entry.impersonates;
  return verdictBox(settings.language, {
    verdict: entry.verdict,
    host,
    platform: entry.platform,
    impersonates: entry.impersonates,
    reasons: lookupReasons(settings.language, host, lookup),
    official_channels: platform ? officialChannels(snapshot, platform.slug, settings.language) : [],
  });
}

function showError(settings, error) {
  $("result").replaceChildren(
    notice(
      "error",
      t(settings.language, "serverError", { server: settings.server, error: error.message }),
    ),
  );
}

async function showCheck(settings, host) {
  $("result").replaceChildren(notice("busy", t(settings.language, "checking")));
  try {
    const verdict = await checkHost(settings, host);
    $("result").replaceChildren(verdictBox(settings.language, verdict));
    $("privacy").textContent = t(settings.language, "privacySentHost", { host });
    $("server-check").hidden = true;
  } catch (error) {
    showError(settings, error);
  }
}

function setUpReport(settings, tab, claimed) {
  const address = reportableAddress(tab.url);
  $("report-area").hidden = false;
  $("report-address").textContent = t(settings.language, "reportSends", { address });
  $("report-open").addEventListener("click", () => {
    $("report-form").hidden = false;
    $("report-open").hidden = true;
    $("report-text").focus();
  });
  $("report-cancel").addEventListener("click", () => {
    $("report-form").hidden = true;
    $("report-open").hidden = false;
  });
  $("report-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("report-send").disabled = true;
    const fields = { input: address, text: $("report-text").value.trim() };
    if (claimed) fields.claimed_platform = claimed;
    try {
      const id = await sendReport(settings, fields);
      $("report-form").hidden = true;
      $("report-status").className = "notice sent";
      $("report-status").textContent = t(settings.language, "reportSent", { id });
    } catch (error) {
      $("report-send").disabled = false;
      $("report-status").className = "notice error";
      $("report-status").textContent = error.message;
    }
  });
}

async function main() {
  const settings = await loadSettings();
  const language = settings.language;
  translatePage(language);
  $("open-options").addEventListener("click", () => chrome.runtime.openOptionsPage());
  const tab = await currentTab().catch(() => null); // closed since, or a bad ?tab=
  const host = tab ? canonicalHost(tab.url || "") : null;
  if (!host) {
    $("result").replaceChildren(notice("", t(language, "notAWebsite")));
    return;
  }
  $("host").textContent = host;
  $("result").replaceChildren(notice("busy", t(language, "checking")));
  // The snapshot is asked for (usually a 304) on every opening, whatever the site: asking only
  // when the lookup matched would tell the server that the prefix it just saw is a registry site.
  const snapshot = loadSnapshot(settings);
  let assessment;
  try {
    assessment = await assessHost(settings, host, tab.url);
  } catch (error) {
    showError(settings, error);
    return;
  }
  if (assessment.check) {
    $("result").replaceChildren(verdictBox(language, assessment.check));
    $("privacy").textContent = t(language, "privacySentHost", { host });
  } else {
    $("result").replaceChildren(
      assessment.lookup
        ? lookupBox(settings, host, assessment.lookup, await snapshot)
        : notice("unknown", t(language, "nothingKnown")),
    );
    $("privacy").textContent = t(language, "privacyLookup");
    // Sending the name is the person's choice, made here with the button, one site at a time.
    $("server-check").hidden = false;
    $("check-server-hint").textContent = t(language, "checkWithServerHint", {
      host,
      server: settings.server,
    });
    $("check-server").addEventListener("click", () => showCheck(settings, host));
  }
  const entry = assessment.lookup ? assessment.lookup.entry : assessment.check;
  setUpReport(settings, tab, entry && entry.impersonates ? entry.impersonates.slug : null);
}

main();
