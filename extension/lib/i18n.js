// Every string the extension shows, in Chinese and English. A dictionary rather than
// chrome.i18n/_locales: the language is a setting on the options page, and chrome.i18n only
// follows the browser's language.

const STRINGS = {
  zh: {
    appName: "联系方式核验",
    badgeOfficial: "官方网站：{name}",
    badgeDanger: "警告：{verdict}",
    badgeDangerNamed: "警告：{verdict}（冒充{name}）",
    badgeRetired: "已停用的官方网站：{name}",
    verdict_official: "官方渠道",
    verdict_retired: "已停用",
    verdict_known_scam: "已知诈骗",
    verdict_lookalike: "仿冒",
    verdict_suspicious: "可疑",
    verdict_unverified: "未收录",
    verdict_invalid: "无法识别",
    risk_safe: "安全",
    risk_caution: "注意",
    risk_danger: "危险",
    platform: "平台：{name}",
    impersonates: "冒充：{name}",
    reasons: "原因",
    officialChannels: "官方渠道",
    lookupOfficial: "{host} 是登记在册的{name}官方网站（{matched} 及其子域名）。",
    lookupOfficialExact: "{host} 是登记在册的{name}官方网站。",
    lookupRetired: "{matched} 曾是{name}的官方网站，现已停用：它可能已落入他人之手。",
    lookupKnownScam: "{matched} 在经审核的诈骗黑名单上。",
    lookupLookalike: "{matched} 被审核员认定为仿冒网站。",
    lookupImpersonates: "它冒充{name}。请改用下面列出的官方渠道。",
    lookupReviewed: "审核员检查过 {matched}，认定它不是仿冒网站。",
    lookupOther: "登记记录：{verdict}。",
    nothingKnown: "登记册中没有这个网站的记录。这不代表它安全或危险。",
    privacyLookup: "只向服务器发送了网站名称哈希值的前 8 位，服务器不知道您打开的是哪个网站。",
    privacySentHost: "网站名称 {host} 已发送到服务器进行检查。",
    notAWebsite: "当前页面不是网站，无需核验。",
    checkWithServer: "用服务器检查这个网站",
    checkWithServerHint: "会把网站名称 {host} 发送到 {server}。",
    checking: "正在检查……",
    serverError: "无法连接核验服务器（{server}）：{error}",
    report: "举报这个网站",
    reportSends: "将发送：{address}",
    reportText: "发生了什么？（可选）",
    reportSend: "发送举报",
    reportCancel: "取消",
    reportSent: "已收到举报（编号 {id}），谢谢！",
    openOptions: "设置",
    menuCheck: "用联系方式核验检查",
    resultTitle: "核验结果",
    resultChecked: "检查的内容",
    resultMissing: "没有要检查的内容（此页面只能从右键菜单打开）。",
    scanRisk_safe: "未发现风险",
    scanRisk_caution: "请注意",
    scanRisk_danger: "危险",
    scanFindings: "发现的联系方式",
    scanNoFindings: "文本中没有电话号码、链接或邮箱地址。",
    scanMentions: "提到的平台",
    optionsTitle: "联系方式核验：设置",
    optionServer: "核验服务器地址",
    optionServerHelp: "扩展程序向这个服务器查询。默认是本机运行的 verifier serve。",
    optionSendHosts: "把未知网站的名称发送给服务器，以发现新的仿冒网站",
    optionSendHostsHelp:
      "默认情况下，扩展程序只发送网站名称哈希值的前 8 位：服务器无法得知您访问了哪个网站，但只能认出登记册中已有的网站。" +
      "开启后，对于登记册中没有的网站，扩展程序会把网站名称（例如 example.com，不含网址路径）发送给服务器检查，" +
      "这样可以发现刚出现的仿冒网站，但服务器会看到您访问过的这些网站的名称。",
    optionLanguage: "语言",
    optionSave: "保存",
    optionTest: "测试连接",
    optionSaved: "已保存。",
    optionBadServer: "请输入 http:// 或 https:// 开头的服务器地址。",
    optionNoPermission:
      "未获得访问 {origin} 的权限。只有当该服务器在 VERIFIER_CORS_ORIGINS 中允许 {extension} 时，扩展程序才能使用它。",
    optionHealthy: "连接正常，登记册版本 {version}。",
  },
  en: {
    appName: "Contact Verifier",
    badgeOfficial: "Official website: {name}",
    badgeDanger: "Warning: {verdict}",
    badgeDangerNamed: "Warning: {verdict} (imitates {name})",
    badgeRetired: "Former official website: {name}",
    verdict_official: "Official",
    verdict_retired: "Retired",
    verdict_known_scam: "Known scam",
    verdict_lookalike: "Lookalike",
    verdict_suspicious: "Suspicious",
    verdict_unverified: "Not in the registry",
    verdict_invalid: "Not recognised",
    risk_safe: "Safe",
    risk_caution: "Caution",
    risk_danger: "Danger",
    platform: "Platform: {name}",
    impersonates: "Imitates: {name}",
    reasons: "Reasons",
    officialChannels: "Official channels",
    lookupOfficial:
      "{host} is an official website of {name} in the registry ({matched} and its subdomains).",
    lookupOfficialExact: "{host} is an official website of {name} in the registry.",
    lookupRetired:
      "{matched} was an official website of {name} and is no longer in service: someone else may own it now.",
    lookupKnownScam: "{matched} is on the moderated scam blocklist.",
    lookupLookalike: "{matched} was recorded by a moderator as a lookalike site.",
    lookupImpersonates: "It imitates {name}. Use the official channels listed below instead.",
    lookupReviewed: "Moderators reviewed {matched} and found it is not an impersonation.",
    lookupOther: "Registry record: {verdict}.",
    nothingKnown:
      "The registry has no record of this site. That does not make it safe or dangerous.",
    privacyLookup:
      "Only the first 8 hex digits of a hash of the site's name were sent: the server cannot tell which site you opened.",
    privacySentHost: "The site name {host} was sent to the server to be checked.",
    notAWebsite: "This page is not a website; there is nothing to check.",
    checkWithServer: "Check this site with the server",
    checkWithServerHint: "Sends the site name {host} to {server}.",
    checking: "Checking…",
    serverError: "Could not reach the verifier server ({server}): {error}",
    report: "Report this site",
    reportSends: "Will send: {address}",
    reportText: "What happened? (optional)",
    reportSend: "Send report",
    reportCancel: "Cancel",
    reportSent: "Report received (number {id}). Thank you!",
    openOptions: "Settings",
    menuCheck: "Check with Contact Verifier",
    resultTitle: "Check result",
    resultChecked: "Checked",
    resultMissing: "Nothing to check (this page opens from the right-click menu).",
    scanRisk_safe: "No risk found",
    scanRisk_caution: "Be careful",
    scanRisk_danger: "Danger",
    scanFindings: "Contacts found",
    scanNoFindings: "The text has no phone number, link or e-mail address.",
    scanMentions: "Platforms mentioned",
    optionsTitle: "Contact Verifier: settings",
    optionServer: "Verifier server address",
    optionServerHelp:
      "The extension asks this server. The default is a verifier serve running on this computer.",
    optionSendHosts: "Send the names of unknown sites to the server to catch new lookalikes",
    optionSendHostsHelp:
      "By default the extension sends only the first 8 hex digits of a hash of each site's name: the server cannot tell which sites you visit, " +
      "but only sites already in the registry are recognised. " +
      "When this is on, the name of a site the registry does not know (for example example.com, never the page's path) is sent to the server to be checked. " +
      "That catches lookalike sites that appeared recently, but the server sees the names of those sites you visit.",
    optionLanguage: "Language",
    optionSave: "Save",
    optionTest: "Test connection",
    optionSaved: "Saved.",
    optionBadServer: "Enter a server address starting with http:// or https://.",
    optionNoPermission:
      "No permission to reach {origin}. The extension can use it only if that server allows {extension} in VERIFIER_CORS_ORIGINS.",
    optionHealthy: "Connected; registry version {version}.",
  },
};

export const LANGUAGES = Object.freeze(["zh", "en"]);

/** The string ``key`` in ``language`` with ``{name}`` placeholders filled from ``params``. */
export function t(language, key, params = {}) {
  const table = STRINGS[language] || STRINGS.zh;
  const text = table[key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? String(params[name]) : whole,
  );
}

/**
 * A platform name or label in ``language``: the check API words it already (a string), the
 * lookup and the snapshot carry both languages ({zh, en}, the English one possibly empty).
 */
export function nameIn(language, name) {
  if (name && typeof name === "object") return name[language] || name.zh || name.en || "";
  return name ? String(name) : "";
}

/** Fill every element marked data-i18n="key" with its text (textContent, never HTML). */
export function translatePage(language) {
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(language, element.dataset.i18n);
  }
}
