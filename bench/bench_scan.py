"""What scanning a 100 KB article costs, beside phonenumbers' own matcher over the same text.

In one run, on the bundled registry: ``verifier.core.scan.scan`` (extraction, mentions,
attribution, patterns and a full verdict for every finding) and ``phonenumbers.PhoneNumberMatcher``
alone are timed over the same generated article, and what each finds is counted. Target: the scan
costs at most a third of the matcher while finding more (short numbers, links, handles).

Run from the repository root: ``python bench/bench_scan.py`` (``--help`` for options).
Prints Markdown and writes the same text to bench/results/scan-bench.md (git-ignored).
"""

# ruff: noqa: E402 -- the checkout is put first on sys.path before importing it (see below)

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Measure this checkout, not whatever copy of the package happens to be installed.
sys.path.insert(0, str(ROOT))

import phonenumbers
from bench_check import load_index, machine

from verifier.core.extract import extract_contacts
from verifier.core.index import RegistryIndex
from verifier.core.scan import scan

#: The article's target size in characters (a "100 KB" page of mostly Chinese text).
ARTICLE_CHARS = 100_000
TARGET = 1 / 3
RESULTS = ROOT / "bench" / "results" / "scan-bench.md"

# Paragraph templates of an SEO "customer service number" article and the chatter around it.
# {phone} is a landline or 400 number, {mobile} a mobile, {short} a registered service number.
_PARAGRAPHS = (
    "很多网友问{name}客服电话是多少？{name}官方客服热线是 {short}，工作时间 9:00-21:00。",
    "如遇订单异常，有人自称{name}客服让你拨打 {phone} 办理退款，请提高警惕。",
    "{date} 有用户反映，收到短信称“您的快递丢失，理赔请加微信 kefu{n}”，这是诈骗。",
    "订单号：{order}，实付 ¥{price}，预计 {date} 送达，运单号 SF{tracking}。",
    "{name}的官网是 {domain}，不要相信 {fake} 这样的网址。",
    "有骗子冒充{name}，留下手机号 {mobile}，还要求提供验证码，切勿相信。",
    "客服 QQ：{qq}，工作日 10:30 至 18:00 在线；本文更新于 {date}，阅读 {n} 次。",
    "这是一段普通的文字，讲的是购物技巧、价格比较和售后流程，共计 {n} 字，评分 4.{n1} 分。",
)
# Paragraphs without a contact: the body of most pages (numbers in them are dates and prices).
_PROSE = (
    "很多人在网上购物时都会遇到售后问题，比如退换货、发票和物流延误，处理方式各不相同。",
    "{date} 的活动期间，满 {n} 减 {n1}0 元，优惠券可以叠加使用，具体以页面显示为准。",
    "这篇文章整理了常见问题的处理办法，建议收藏，遇到问题时按步骤操作即可，共 {n} 人觉得有用。",
    "小编提醒：任何要求先付款再退款的说法都不可信，正规平台的退款会原路返回到支付账户。",
    "第 {n1} 步，打开手机里的官方应用，进入“我的订单”，找到对应订单后点击“申请售后”。",
    "天气转凉，很多用户选择在家网购，{date} 当天的订单量比平时增长了 {n1}0%，物流也更忙。",
    "如果对处理结果不满意，可以在应用内提交投诉，平台一般会在 {n1} 个工作日内给出答复。",
)
_PLATFORMS = (
    ("工商银行", "95588", "www.icbc.com.cn"),
    ("建设银行", "95533", "www.ccb.com"),
    ("支付宝", "95188", "www.alipay.com"),
    ("中国移动", "10086", "www.10086.cn"),
)
_FAKES = ("pinduoduo-kefu.com", "icbc.com.cn.verify-login.top", "alipay-refund[.]cn")


def article(chars: int = ARTICLE_CHARS, seed: int = 0, contact_share: float = 1.0) -> str:
    """A deterministic article of about ``chars`` characters; ``contact_share`` of its
    paragraphs come from the contact-bearing templates, the rest from plain prose."""
    rng = random.Random(seed)  # noqa: S311 -- a reproducible article, not a secret
    parts: list[str] = []
    size = 0
    while size < chars:
        name, short, domain = rng.choice(_PLATFORMS)
        templates = _PARAGRAPHS if rng.random() < contact_share else _PROSE
        paragraph = rng.choice(templates).format(
            name=name,
            short=short,
            domain=domain,
            fake=rng.choice(_FAKES),
            phone=rng.choice(("400-{0}-{1}", "021-{0}{1}", "0755 {0} {1}")).format(
                rng.randint(100, 999), rng.randint(1000, 9999)
            ),
            mobile=f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            date=f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            order=f"{rng.randint(10**17, 10**18 - 1)}",
            price=f"{rng.randint(10, 9999)}.{rng.randint(0, 99):02d}",
            tracking=f"{rng.randint(10**11, 10**12 - 1)}",
            qq=rng.randint(10**7, 10**10),
            n=rng.randint(100, 99_999),
            n1=rng.randint(0, 9),
        )
        parts.append(paragraph)
        size += len(paragraph) + 1
    return "\n".join(parts)[:chars]


#: Caches that hold data, not values seen in a text: kept warm, as in any running server.
_DATA_CACHES = frozenset({"_prototypes", "_rules", "_latin_base"})


def forget_seen_values(index: RegistryIndex | None = None) -> None:
    """Empty the core's caches keyed by what a text contained (parsed numbers, hosts, labels,
    and ``index``'s remembered lookalike findings), so that a timed pass reads the article as a
    running server reads a new one, not as a second look at the same text."""
    if index is not None:
        for value in list(index._memo.values()):  # the benchmark reaches into the memo
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()
    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith("verifier.core."):
            continue
        for name, value in vars(module).items():
            if name not in _DATA_CACHES and callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _median_seconds(func: Callable[[], object], passes: int, index: RegistryIndex) -> float:
    """CPU seconds of the last of ``passes`` calls: the earlier ones load what the code needs
    (regexes, the suffix list, the index's maps); the caches of values seen in the article are
    emptied before the timed one."""
    for _ in range(passes - 1):
        func()
    forget_seen_values(index)
    started = time.process_time()
    func()
    return time.process_time() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--chars", type=int, default=ARTICLE_CHARS, help="article size")
    parser.add_argument("--seed", type=int, default=0, help="article seed (default 0)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the table")
    args = parser.parse_args(argv)

    index = load_index()
    lines = [
        "# Scanning a 100 KB article: verifier scan vs phonenumbers.PhoneNumberMatcher",
        "",
        *machine(),
        f"- articles: bench/bench_scan.py `article({args.chars}, seed={args.seed}, "
        "contact_share=…)`: every paragraph carrying contacts (dense: an SEO page of "
        "numbers), or one in eight (typical: a page that mentions a few)",
        f"- timing: CPU time of one whole pass (after one warm-up pass, with the caches of "
        f"values seen in the text emptied before it), {args.repeat} rounds, the two "
        "interleaved; median; ratio = median of the rounds' ratios",
        "",
        "| article | `PhoneNumberMatcher` ms | finds | `extract_contacts()` ms | ratio "
        "| `scan()` ms, every finding judged | finds | ratio |",
        "|---|---:|---|---:|---:|---:|---|---:|",
    ]
    verdict_lines, ratios = [], []
    for name, share in (("dense", 1.0), ("typical", 1 / 8)):
        text = article(args.chars, args.seed, share)
        result = scan(text, index)  # also warms the automata and per-index memos
        matched = list(phonenumbers.PhoneNumberMatcher(text, "CN"))
        # Interleaved rounds, so that a slow moment on the machine hits both sides alike. Each
        # side is timed on its second pass: phonenumbers compiles regular expressions from
        # strings as it goes, which evicts entries of the re module's shared cache that the
        # other side then recompiles; a process that only scans (or only matches) never does.
        scan_times, matcher_times, extract_times = [], [], []
        for _ in range(args.repeat):
            scan_times.append(_median_seconds(lambda t=text: scan(t, index), 2, index))
            extract_times.append(
                _median_seconds(lambda t=text: extract_contacts(t, index.known_phones), 2, index)
            )
            matcher_times.append(
                _median_seconds(
                    lambda t=text: list(phonenumbers.PhoneNumberMatcher(t, "CN")), 2, index
                )
            )
        scan_s, matcher_s = statistics.median(scan_times), statistics.median(matcher_times)
        ratio = statistics.median(s / m for s, m in zip(scan_times, matcher_times, strict=True))
        extract_s = statistics.median(extract_times)
        extract_ratio = statistics.median(
            e / m for e, m in zip(extract_times, matcher_times, strict=True)
        )
        contacts = extract_contacts(text, index.known_phones)
        ratios.append((name, ratio, extract_ratio))
        kinds = Counter(f.verdict.kind for f in result.findings)
        verdicts = Counter(f.verdict.verdict for f in result.findings)
        lines.append(
            f"| {name}, {len(text)} characters | {matcher_s * 1000:.1f} | {len(matched)} numbers "
            f"| {extract_s * 1000:.1f} ({len(contacts)} contacts) | {extract_ratio:.2f}x "
            f"| {scan_s * 1000:.1f} | {len(result.findings)} findings ("
            + ", ".join(f"{n} {k}" for k, n in kinds.most_common())
            + f"), {len(result.mentions)} mentions, {len(result.patterns)} patterns "
            f"| {ratio:.2f}x |"
        )
        verdict_lines.append(
            f"- {name} verdicts: " + ", ".join(f"{n} {v}" for v, n in verdicts.most_common())
        )
    lines += ["", *verdict_lines]
    for name, ratio, extract_ratio in ratios:
        met = "met" if ratio <= TARGET else "MISSED"
        lines.append(
            f"- target ({name}): the scan costs at most 1/3 of the matcher: "
            f"**{met}** ({ratio:.2f}x; extraction alone {extract_ratio:.2f}x)"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
