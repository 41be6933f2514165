"""Reason codes and their messages, in Chinese and English.

Codes are the stable contract (snake_case, documented in the README); messages are for people
and may be reworded. Kept as plain data so the core stays free of any web framework: the pages
translate their own interface through Flask-Babel, and verdict reasons come from this table.
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "REASON_MESSAGES", "render"]

LANGUAGES = ("zh", "en")

#: code -> (Chinese, English). Placeholders are filled by :func:`render`.
REASON_MESSAGES: dict[str, tuple[str, str]] = {
    # Official and retired
    "official_channel": (
        "这是{platform}登记在册的官方{label}，来源：{source}（核实于 {verified_on}）。",
        "This is {platform}'s registered official {label}; source: {source} "
        "(verified on {verified_on}).",
    ),
    "official_domain": (
        "{host} 属于{platform}的官方域名 {domain}，来源：{source}（核实于 {verified_on}）。",
        "{host} belongs to {platform}'s official domain {domain}; source: {source} "
        "(verified on {verified_on}).",
    ),
    "official_email_domain": (
        "这个邮件地址的域名 {domain} 是{platform}的官方域名。",
        "The address's domain {domain} is {platform}'s official domain.",
    ),
    "local_short_number": (
        "{number} 是本地服务号码 {short} 加上区号的拨打方式。",
        "{number} is the local service line {short} dialled with its area code.",
    ),
    "retired_channel": (
        "这曾是{platform}的官方{label}，但已停用，请改用下面列出的官方渠道。",
        "This used to be {platform}'s official {label} but is no longer in service; "
        "use the official channels listed below.",
    ),
    # Community tier: listed by a community data set, not reviewed by our moderators.
    "community_listed": (
        "社区电话簿将它列为{platform}的{label}，但我们的审核员尚未核实（来源：{source}，"
        "{verified_on}）。它不等于官方确认：请以{platform}官网或官方 App 内公布的渠道为准。",
        "Listed by a community phone book as {platform}'s {label}; not yet verified by our "
        "moderators (source: {source}, {verified_on}). This is not an official confirmation: "
        "rely on the channels {platform} publishes on its own site or app.",
    ),
    "community_listed_domain": (
        "社区维护的域名列表将 {domain} 列为{platform}的域名，但我们的审核员尚未核实（来源："
        "{source}，{verified_on}）。它不等于官方确认。",
        "A community domain list gives {domain} as {platform}'s; not yet verified by our "
        "moderators (source: {source}, {verified_on}). This is not an official confirmation.",
    ),
    "community_platform_not_listed": (
        "这里把它说成{platform}的{what}。{platform}只见于社区资料，我们的审核员尚未核实，"
        "社区资料里也没有这个{what}：请到{platform}官网或官方 App 查证后再联系。",
        "It is presented as {platform}'s {what}. {platform} is known only from a community data "
        "set, which our moderators have not verified, and that data set does not list this "
        "{what}: check it on {platform}'s own site or app before you use it.",
    ),
    "community_domain_resembles": (
        "注意：{host} 与{platform}的官方域名 {official} 相似；社区资料把它列给了另一家机构，"
        "我们尚未核实，请勿把它当作{platform}的网站。",
        "Note: {host} resembles {platform}'s official domain {official}; a community data set "
        "gives it to another organisation, which we have not verified. Do not take it for "
        "{platform}'s site.",
    ),
    "claimed_platform_mismatch": (
        "这是{platform}的渠道，不是{claimed}的。",
        "This belongs to {platform}, not to {claimed}.",
    ),
    # Blocklist
    "known_scam": (
        "已列入经审核的诈骗黑名单（{added_on} 收录，证据：{evidence}）。",
        "On the moderated scam blocklist (added {added_on}; evidence: {evidence}).",
    ),
    "impersonates_platform": (
        "它冒充{platform}。{platform}的真实渠道见下方。",
        "It impersonates {platform}. {platform}'s real channels are listed below.",
    ),
    # Reviewed domains (RegistryIndex.reviewed): a moderator found the site is not an
    # impersonation. Two codes, because Chinese cannot drop the platform from the sentence and
    # stay grammatical: the first when the review names the platform it was mistaken for
    # (ReviewedDomain.resembles), the second when it names none.
    "reviewed_not_impersonation": (
        "我们的审核员核查过 {host}：它不是冒充{platform}的网站（{reviewed_on}，{note}）。",
        "Our moderators reviewed {host}: it is not an impersonation of {platform} "
        "({reviewed_on}: {note}).",
    ),
    "reviewed_not_impersonation_of_any": (
        "我们的审核员核查过 {host}：它不是冒充任何登记平台的网站（{reviewed_on}，{note}）。",
        "Our moderators reviewed {host}: it is not an impersonation of any registered platform "
        "({reviewed_on}: {note}).",
    ),
    # Not in the registry
    "not_in_registry": (
        "登记册里没有这个{what}。“未核实”不等于安全：请只通过下方或官方 App 内公布的渠道联系。",
        "This {what} is not in the registry. Unverified does not mean safe: contact the "
        "company only through channels it publishes itself.",
    ),
    "not_listed_for_claimed": (
        "{platform}没有登记这个{what}。请使用下面列出的{platform}官方渠道。",
        "{platform} does not list this {what}. Use {platform}'s official channels below.",
    ),
    "platform_phone_unknown": (
        "我们尚未核实{platform}的官方客服电话；自称{platform}客服的号码都无法确认。",
        "We have not verified any customer-service number for {platform}; no number "
        "claiming to be {platform} can be confirmed.",
    ),
    "platform_has_no_phone": (
        "{platform}不提供电话客服，自称其客服的号码都不可信。",
        "{platform} offers no phone support; a number claiming to be it is not genuine.",
    ),
    "business_number_anyone_can_rent": (
        "400/800 号码任何企业都可以申请，号码开头不能说明归属。",
        "Any business can rent a 400 or 800 number: the prefix says nothing about who owns it.",
    ),
    "short_number_format_only": (
        "95/96 开头的短号格式正确，但格式不能说明号码属于谁。",
        "A 95 or 96 short number has a valid format, but the format does not say who owns it.",
    ),
    "emergency_number": (
        "这是紧急求助号码。",
        "This is an emergency number.",
    ),
    "extension_ignored": (
        "分机号 {extension} 不影响判断。",
        "The extension {extension} does not change the verdict.",
    ),
    # Link red flags (judged further by the impersonation rules)
    "userinfo_in_link": (
        "链接里“@”前面的部分只是用户名，真正打开的网站是 {host}。",
        "Everything before the '@' in this link is only a user name: it really opens {host}.",
    ),
    "ip_address_host": (
        "链接直接指向 IP 地址 {host}，正规企业网站很少这样做。",
        "The link points straight at the IP address {host}; real company sites rarely do.",
    ),
    "unusual_port": (
        "链接使用了不常见的端口 {port}。",
        "The link uses the unusual port {port}.",
    ),
    "free_hosting_suffix": (
        "{host} 位于任何人都可注册的托管平台（{suffix}）之下。",
        "{host} sits under a hosting service anyone can sign up to ({suffix}).",
    ),
    # Impersonation (verifier.core.lookalike, verifier.core.phone_flags)
    "lookalike_suffix_swap": (
        "这不是{platform}的网站：{host} 用了{platform}的名字“{brand}”，但后缀 .{detail} 不属于{platform}。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} uses {platform}'s name \"{brand}\" under .{detail}, a suffix {platform} does not own. {platform}'s official site is {official}.",
    ),
    "lookalike_homoglyph": (
        "这不是{platform}的网站：{host} 用其他文字里长得一样的字符拼出了{platform}的名字“{brand}”。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} spells {platform}'s name \"{brand}\" with look-alike characters from other alphabets. {platform}'s official site is {official}.",
    ),
    "lookalike_ascii_lookalike": (
        "这不是{platform}的网站：{host} 用形近字符（如 rn→m、vv→w、0→o、1→l）拼出了{platform}的名字“{brand}”。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} spells {platform}'s name \"{brand}\" with look-alike letters (rn→m, vv→w, 0→o, 1→l). {platform}'s official site is {official}.",
    ),
    "mixed_script_name": (
        "{host} 的名字混用了不同文字的字母，这是仿冒网址的常见手法。",
        "The name {host} mixes letters from different alphabets, a common impersonation trick.",
    ),
    "lookalike_hyphenation": (
        "这不是{platform}的网站：{host} 在{platform}的名字“{brand}”里加了连字符。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} adds a hyphen to {platform}'s name \"{brand}\". {platform}'s official site is {official}.",
    ),
    "lookalike_typo_insertion": (
        "这不是{platform}的网站：{host} 在{platform}的名字“{brand}”里多加了一个“{detail}”。{platform}的官方网站是 {official}。",
        'This is not {platform}\'s site: {host} adds a "{detail}" to {platform}\'s name "{brand}". {platform}\'s official site is {official}.',
    ),
    "lookalike_typo_repetition": (
        "这不是{platform}的网站：{host} 把{platform}的名字“{brand}”里的“{detail}”重复了一次。{platform}的官方网站是 {official}。",
        'This is not {platform}\'s site: {host} doubles the "{detail}" in {platform}\'s name "{brand}". {platform}\'s official site is {official}.',
    ),
    "lookalike_typo_omission": (
        "这不是{platform}的网站：{host} 从{platform}的名字“{brand}”里去掉了“{detail}”。{platform}的官方网站是 {official}。",
        'This is not {platform}\'s site: {host} drops the "{detail}" from {platform}\'s name "{brand}". {platform}\'s official site is {official}.',
    ),
    "lookalike_typo_replacement": (
        "这不是{platform}的网站：{host} 把{platform}的名字“{brand}”里的一个字母换了（{detail}）。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} changes one letter of {platform}'s name \"{brand}\" ({detail}). {platform}'s official site is {official}.",
    ),
    "lookalike_typo_keyboard": (
        "这不是{platform}的网站：{host} 把{platform}的名字“{brand}”里的一个字母换成了键盘上相邻的键（{detail}）。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} swaps a letter of {platform}'s name \"{brand}\" for its neighbour on the keyboard ({detail}). {platform}'s official site is {official}.",
    ),
    "lookalike_typo_bit_flip": (
        "这不是{platform}的网站：{host} 与{platform}的名字“{brand}”只差一个比特（{detail}）。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} differs from {platform}'s name \"{brand}\" by a single bit ({detail}). {platform}'s official site is {official}.",
    ),
    "lookalike_typo_vowel_swap": (
        "这不是{platform}的网站：{host} 换掉了{platform}的名字“{brand}”里的一个元音（{detail}）。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} swaps a vowel in {platform}'s name \"{brand}\" ({detail}). {platform}'s official site is {official}.",
    ),
    "lookalike_typo_transposition": (
        "这不是{platform}的网站：{host} 颠倒了{platform}的名字“{brand}”里的两个字母（{detail}）。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} swaps two letters of {platform}'s name \"{brand}\" ({detail}). {platform}'s official site is {official}.",
    ),
    "lookalike_split_name": (
        "这不是{platform}的网站：{host} 用一个点把{platform}的名字“{brand}”拆开了，真正的网站是 {registrable}。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} splits {platform}'s name \"{brand}\" with a dot; the real site is {registrable}. {platform}'s official site is {official}.",
    ),
    "lookalike_missing_dot": (
        "这不是{platform}的网站：{host} 就是{platform}的官方域名 {official} 去掉了一个点，真正打开的网站是 {registrable}。",
        "This is not {platform}'s site: {host} is {platform}'s official domain {official} with a dot left out; the site it opens is {registrable}.",
    ),
    "lookalike_official_domain_inside": (
        "这不是{platform}的网站：{host} 以{platform}的官方域名 {official} 开头，但真正打开的网站是 {registrable}。",
        "This is not {platform}'s site: {host} starts with {platform}'s official domain {official}, but the site it opens is {registrable}.",
    ),
    "lookalike_brand_in_subdomain": (
        "这不是{platform}的网站：{host} 把{platform}的名字“{brand}”放在别人的网站 {registrable} 前面。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} puts {platform}'s name \"{brand}\" in front of someone else's site, {registrable}. {platform}'s official site is {official}.",
    ),
    "lookalike_brand_with_words": (
        "这不是{platform}的网站：{host} 在{platform}的名字“{brand}”上加了“{detail}”。{platform}的官方网站是 {official}。",
        'This is not {platform}\'s site: {host} adds "{detail}" to {platform}\'s name "{brand}". {platform}\'s official site is {official}.',
    ),
    "lookalike_free_hosting": (
        "这不是{platform}的网站：{host} 是任何人都能开设的托管服务（{detail}）上的页面，却用了{platform}的名字“{brand}”。{platform}的官方网站是 {official}。",
        "This is not {platform}'s site: {host} is a page on a hosting service anyone can use ({detail}), dressed in {platform}'s name \"{brand}\". {platform}'s official site is {official}.",
    ),
    "url_shortener": (
        "{host} 是短网址服务，看不出最终会打开哪个网站，因此无法核实。请不要通过短链接办理退款或登录，直接打开官方 App 或手动输入官方网址。",
        "{host} is a URL shortener: where it leads cannot be seen, so it cannot be verified. Do not log in or claim refunds through a short link; open the official app or type the official address yourself.",
    ),
    "official_number_with_extra_digits": (
        "这个号码是{platform}的官方号码 {official} 前后加了数字（{detail}），这是伪造来电显示的常见手法：真正的来电只显示 {official}。",
        "This is {platform}'s official number {official} with digits added ({detail}), a known caller-ID spoofing tell: a genuine call shows exactly {official}.",
    ),
    "near_official_number": (
        "这个号码与官方号码 {official}（{platform}）只差一位数字。",
        "This number is one digit away from the official number {official} ({platform}).",
    ),
    "personal_mobile_as_hotline": (
        "这是个人手机号码，{platform}的客服热线不会用个人手机号码。",
        "This is a personal mobile number; {platform}'s customer service does not call from one.",
    ),
    "foreign_number_as_hotline": (
        "这是境外号码（{region}），却自称{platform}的客服热线。",
        "This is a number abroad ({region}), presented as {platform}'s hotline.",
    ),
    # Message patterns (verifier.core.patterns): what a scanned message asks the reader to do.
    "pattern_refund": (
        "消息以退款、赔偿或订单异常为由联系你，这是最常见的诈骗开头。真正的退款会在原购物 App 里自动处理，不需要你联系谁或提供任何信息。请自己打开官方 App 查看订单。",
        "The message offers a refund or compensation, or says an order has a problem: the most common opening of a scam. Real refunds happen inside the shopping app, with nothing for you to do or give. Open the official app yourself to check the order.",
    ),
    "pattern_other_app": (
        "消息要你加QQ、微信、进群或下载某个App。正规客服在自己的官方渠道里就能办完，不会让你换到别的App。不要添加，也不要下载。",
        "It asks you to add someone on QQ, WeChat or another app, join a group, or download an app. Real customer service finishes the job in its own official channels and never moves you elsewhere. Do not add them or install anything.",
    ),
    "pattern_urgency": (
        "消息用期限或后果催你（“立即”“24小时内”“冻结”“影响征信”）。骗子催你，是为了不让你停下来核实。先停下来，自己拨打官方电话问清楚。",
        'It rushes you with a deadline or a threat ("immediately", "within 24 hours", "frozen", "your credit record"). Scammers hurry you so that you do not stop to check. Stop, and call the official number yourself to ask.',
    ),
    "pattern_secrets": (
        "消息要你提供验证码、密码或银行卡号：任何官方客服都不会这样做。不要提供，谁拿到它就能转走你的钱。",
        "It asks for a verification code, a password or a card number: no official customer service ever does. Do not give it; whoever has it can take your money.",
    ),
    "pattern_screen_sharing": (
        "消息要你共享屏幕或安装远程控制软件（如向日葵、ToDesk、腾讯会议共享屏幕）：对方能看到你的验证码和密码，还能操作你的手机。官方客服从不这样要求。请马上停止。",
        "It asks you to share your screen or install remote-control software (Sunlogin, ToDesk, AnyDesk, TeamViewer): whoever watches sees your codes and passwords and can work your phone. No official service asks for this. Stop now.",
    ),
    # Invalid input
    "empty_input": ("没有输入内容。", "Nothing was entered."),
    "input_too_long": (
        "输入太长，不是电话号码或网址。",
        "The input is too long to be a number or link.",
    ),
    "control_characters": (
        "输入含有控制字符，无法识别。",
        "The input contains control characters and cannot be read.",
    ),
    "unrecognised_input": (
        "这不像电话号码、网址或邮件地址。",
        "This does not look like a phone number, link or e-mail address.",
    ),
    "not_a_phone_number": ("这不是一个电话号码。", "This is not a phone number."),
    "not_a_valid_number": (
        "这个号码在编号计划中不存在。",
        "This number does not exist in the numbering plan.",
    ),
    "too_many_digits": ("号码位数太多。", "The number has too many digits."),
    "too_few_digits": ("号码位数太少。", "The number has too few digits."),
    "not_a_link": ("这不是一个网址。", "This is not a link."),
    "bad_host": ("网址中的主机名无效。", "The link's host name is not valid."),
    "unknown_suffix": (
        "网址的后缀不是已知的顶级域名。",
        "The link's ending is not a known top-level domain.",
    ),
    "dangerous_scheme": (
        "这是会执行代码或嵌入内容的链接（如 javascript: 或 data:），不要打开。",
        "This kind of link (javascript:, data: …) runs code or embeds content: do not open it.",
    ),
    "unsupported_scheme": (
        "只能检查 http/https 网址。",
        "Only http and https links can be checked.",
    ),
    "not_an_email_address": ("这不是一个邮件地址。", "This is not an e-mail address."),
    "unknown_platform": (
        "登记册中没有叫“{slug}”的平台。",
        "There is no platform called '{slug}' in the registry.",
    ),
}

#: What a value is called inside messages, per kind.
_WHAT = {
    "phone": ("号码", "number"),
    "url": ("网址", "link"),
    "email": ("邮件地址", "e-mail address"),
    "handle": ("账号", "account"),
}


def render(code: str, lang: str, **params: object) -> str:
    """The message for ``code`` in ``lang`` with ``params`` filled in.

    >>> render("emergency_number", "en")
    'This is an emergency number.'
    """
    # An unknown code still renders (as itself) rather than failing a check; the tests make sure
    # every code the core produces has both messages.
    zh, en = REASON_MESSAGES.get(code, (code, code))
    template = en if lang == "en" else zh
    if "what" not in params and "kind" in params:
        params["what"] = _WHAT.get(str(params["kind"]), _WHAT["phone"])[lang == "en"]
    return template.format_map(_Params(params))


class _Params(dict[str, object]):
    """Leaves a placeholder empty rather than failing when a value is not known."""

    def __missing__(self, key: str) -> str:
        return ""
