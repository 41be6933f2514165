// Building the popup's and the result page's content. Everything that came from the server or
// from a web page goes in as textContent or an attribute value, never as HTML: a registry entry
// or a scanned message must not be able to inject markup into an extension page.

import { nameIn, t } from "./i18n.js";

/** A new element with ``className`` and ``text`` (both optional). */
export function el(tag, className = "", text = "") {
  const element = document.createElement(tag);
  if (className) element.className = className;
  if (text) element.textContent = text;
  return element;
}

const ICONS = { safe: "✓", caution: "?", danger: "!" };

/** The risk a verdict word carries when the answer has no ``risk`` field (a lookup entry). */
export function riskOf(verdict) {
  if (verdict === "official") return "safe";
  if (verdict === "known_scam" || verdict === "lookalike") return "danger";
  return "caution";
}

/**
 * A verdict box: headline (icon and word, never colour alone), the value, the platform, the
 * reasons and the official channels. ``verdict`` has the verdict object's fields; ``reasons``
 * may be plain strings (the popup's own explanations of a lookup entry).
 */
export function verdictBox(language, verdict) {
  const risk = verdict.risk || riskOf(verdict.verdict);
  const box = el("section", `verdict risk-${risk}`);
  box.dataset.verdict = verdict.verdict;
  box.dataset.risk = risk;
  const headline = el("h2", "headline");
  const icon = el("span", "icon", ICONS[risk] || "?");
  icon.setAttribute("aria-hidden", "true");
  headline.append(icon, el("span", "word", t(language, `verdict_${verdict.verdict}`)));
  box.append(headline);
  const value = verdict.normalized || verdict.input || verdict.host;
  if (value) box.append(el("p", "value", value));
  const platform = verdict.platform ? nameIn(language, verdict.platform.name) : "";
  if (platform) box.append(el("p", "platform", t(language, "platform", { name: platform })));
  const imitated = verdict.impersonates ? nameIn(language, verdict.impersonates.name) : "";
  if (imitated) {
    box.append(el("p", "impersonates", t(language, "impersonates", { name: imitated })));
  }
  const reasons = verdict.reasons || [];
  if (reasons.length) {
    box.append(el("h3", "", t(language, "reasons")));
    const list = el("ul", "reasons");
    for (const reason of reasons) {
      const item = el("li", "", typeof reason === "string" ? reason : reason.message);
      if (reason && reason.code) item.dataset.code = reason.code;
      list.append(item);
    }
    box.append(list);
  }
  box.append(channelList(language, verdict.official_channels || []));
  return box;
}

/** The official channels to use instead, or an empty fragment when there are none. */
export function channelList(language, channels) {
  const fragment = document.createDocumentFragment();
  if (!channels.length) return fragment;
  fragment.append(el("h3", "", t(language, "officialChannels")));
  const list = el("ul", "channels");
  for (const channel of channels) {
    const item = el("li", `channel kind-${channel.kind}`);
    item.dataset.value = channel.value;
    if (channel.label) item.append(el("span", "label", channel.label));
    item.append(el("span", "channel-value", channel.display || channel.value));
    list.append(item);
  }
  fragment.append(list);
  return fragment;
}

/** A one-line message (notice or error) in a paragraph. */
export function notice(className, text) {
  return el("p", `notice ${className}`, text);
}
