// The page the right-click item opens: the check of one value or the scan of a text.

import { checkValue, scanText } from "./lib/api.js";
import { nameIn, t, translatePage } from "./lib/i18n.js";
import { el, notice, verdictBox } from "./lib/render.js";
import { loadSettings } from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

/** A scan object: the overall risk, each contact found with its verdict, the platforms named. */
function scanView(language, scan) {
  const view = el("div", "scan");
  const risk = scan.risk || "caution";
  const banner = el("section", `scan-risk verdict risk-${risk}`);
  banner.dataset.risk = risk;
  banner.append(el("h2", "headline word", t(language, `scanRisk_${risk}`)));
  view.append(banner);
  const findings = scan.findings || [];
  view.append(el("h2", "", t(language, "scanFindings")));
  if (!findings.length) view.append(notice("", t(language, "scanNoFindings")));
  for (const finding of findings) {
    const box = verdictBox(language, finding);
    box.classList.add("finding");
    box.querySelector(".value")?.replaceChildren(finding.text || finding.input || "");
    view.append(box);
  }
  const mentions = (scan.mentions || []).filter((m) => m.platform);
  if (mentions.length) {
    view.append(el("h2", "", t(language, "scanMentions")));
    const list = el("ul", "mentions");
    const seen = new Set();
    for (const mention of mentions) {
      if (seen.has(mention.platform.slug)) continue;
      seen.add(mention.platform.slug);
      list.append(el("li", "", nameIn(language, mention.platform.name)));
    }
    view.append(list);
  }
  return view;
}

async function main() {
  const settings = await loadSettings();
  const language = settings.language;
  translatePage(language);
  const id = new URLSearchParams(location.search).get("id") || "";
  const key = `request:${id}`;
  const request = (await chrome.storage.session.get(key))[key];
  if (!request) {
    $("result").replaceChildren(notice("", t(language, "resultMissing")));
    return;
  }
  $("checked").textContent = request.value;
  $("result").replaceChildren(notice("busy", t(language, "checking")));
  try {
    const answer =
      request.mode === "check"
        ? verdictBox(language, await checkValue(settings, request.value))
        : scanView(language, await scanText(settings, request.value));
    $("result").replaceChildren(answer);
  } catch (error) {
    $("result").replaceChildren(
      notice("error", t(language, "serverError", { server: settings.server, error: error.message })),
    );
  }
}

main();
