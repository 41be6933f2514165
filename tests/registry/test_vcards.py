"""The vCards reader, the community tier's build, and ``RegistryStore.replace_community_tier``.

Logic tests use small vCards trees written in tmp_path and the small test registry; the last
tests read the real data set beside the checkout (``../shared``, as CI has it).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from vcards_trees import write_tree

from registry.community.build import MAX_LIST_DOMAINS, build_community_tier
from registry.community.matching import name_forms, name_key
from registry.community.vcards import (
    DATASET_DATE,
    SOURCE_COMMIT,
    VCardsError,
    load_vcards,
    source_url,
)
from registry.files import RegistryData, load_registry_file, parse_registry, registry_to_dict
from registry.store import RegistryStore
from verifier.core.check import check

#: The shared folder sits beside the repository (CI checks both out side by side).
REAL_VCARDS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data/community/vcards"
BUNDLED = Path(__file__).resolve().parents[2] / "registry" / "data" / "registry.yaml"

#: A small tree, one file per case the build must handle.
TREE: dict[str, dict[str, Any]] = {
    # Name, domain and number agree: matched; 95588 is verified there already (a duplicate).
    "金融银行/中国工商银行.yaml": {
        "organization": "中国工商银行",
        "cellPhone": [95588, "400-111-2222"],
        "workEmail": ["webmaster@icbc.com.cn"],
        "url": "https://www.icbc.com.cn/",
    },
    # Unknown to the registry: a new community platform; one number no rule accepts.
    "金融银行/杭州银行.yaml": {
        "organization": "杭州银行",
        "cellPhone": [95398, {"number": "400-888-8508", "label": "信用卡"}, "12345678901234"],
        "workEmail": [{"email": "Service@HZBank.com.cn", "label": "客服"}],
        "url": "https://www.hzbank.com.cn/",
    },
    # 96110 is the verified anti-fraud line's, and 甲快递 gives it too, so it names neither org
    # (a shared number is no match): a conflict, kept out of the tier.
    "其它/某咨询公司.yaml": {
        "organization": "某咨询公司",
        "cellPhone": [96110, "400-333-4444"],
        "url": "https://www.mouzixun.com/",
    },
    # One number claimed by two organisations: a conflict, in neither.
    "快递物流/甲快递.yaml": {
        "organization": "甲快递",
        "cellPhone": ["400-555-6666", "400-555-7777", 96110],
        "url": "https://www.jiaexpress.com/",
    },
    "快递物流/乙快递.yaml": {
        "organization": "乙快递",
        "cellPhone": ["4005556666", "400-555-8888"],
        "url": "https://yi-express.cn/",
    },
    # The name says pinduoduo, the site says icbc: uncertain, neither merged nor created.
    "电商购物/拼多多.yaml": {
        "organization": "拼多多",
        "cellPhone": ["400-999-0000"],
        "url": "https://icbc.com.cn/pdd",
    },
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "vcards", TREE)


def verified_part(data: RegistryData) -> dict[str, Any]:
    """The export of the verified rows only: verified platforms with their verified channels."""
    exported = registry_to_dict(data)
    exported["platforms"] = [
        {**p, "channels": [c for c in p["channels"] if c.get("trust") != "community"]}
        for p in exported["platforms"]
        if p.get("trust") != "community"
    ]
    return exported


# --- reading ---------------------------------------------------------------------------------


def test_values_are_normalised_and_sourced(tree: Path) -> None:
    vcards = load_vcards(tree)
    org = next(o for o in vcards.orgs if o.organization == "杭州银行")
    assert [(c.kind, c.value, c.label_zh) for c in org.channels] == [
        ("phone", "95398", ""),
        ("phone", "+864008888508", "信用卡"),
        ("email", "service@hzbank.com.cn", "客服"),
    ]
    assert (org.host, org.registrable, org.label) == (
        "www.hzbank.com.cn",
        "hzbank.com.cn",
        "hzbank",
    )
    assert all(c.trust == "community" and c.verified_on == DATASET_DATE for c in org.channels)
    assert org.source == (
        f"https://github.com/metowolf/vCards/blob/{SOURCE_COMMIT}/data/"
        "%E9%87%91%E8%9E%8D%E9%93%B6%E8%A1%8C/%E6%9D%AD%E5%B7%9E%E9%93%B6%E8%A1%8C.yaml"
    )


def test_invalid_numbers_are_reported_and_skipped(tree: Path) -> None:
    vcards = load_vcards(tree)
    assert [(i.file, i.value) for i in vcards.invalid] == [
        ("金融银行/杭州银行.yaml", "12345678901234")
    ]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: None, "no such folder"),  # the folder is missing
        (lambda root: root.mkdir(), "no <category>/<name>.yaml"),  # empty
        (lambda root: write_tree(root, {"其它/x.yaml": {"cellPhone": [1]}}), "organization"),
        (lambda root: write_tree(root, {"其它/x.yaml": []}), "basic: must be"),
    ],
)
def test_unusable_folders_are_refused(tmp_path: Path, setup: Any, message: str) -> None:
    setup(tmp_path / "vcards")
    with pytest.raises(VCardsError, match=message):
        load_vcards(tmp_path / "vcards")


def test_unreadable_yaml_is_refused(tmp_path: Path) -> None:
    (tmp_path / "其它").mkdir()
    (tmp_path / "其它" / "x.yaml").write_text("basic: [unclosed", encoding="utf-8")
    with pytest.raises(VCardsError, match=r"x\.yaml: cannot read"):
        load_vcards(tmp_path)


# --- deciding --------------------------------------------------------------------------------


def test_matching_conflicts_and_creation(store: RegistryStore, tree: Path) -> None:
    tier = build_community_tier(store.data(), load_vcards(tree))
    report = tier.report
    assert [(m["org"], m["platform"], m["by"]) for m in report.matched] == [
        ("中国工商银行", "icbc", "domain+name+phone")
    ]
    assert report.uncertain == [
        {
            "org": "拼多多",
            "file": "电商购物/拼多多.yaml",
            "by_domain": ["icbc"],
            "by_name": ["pinduoduo"],
            "by_phone": [],
            "reason": "several_platforms",
        }
    ]
    # 95588; the site www.icbc.com.cn is not claimed at all, since ICBC's own domain covers it.
    assert report.duplicates == 1
    conflicts = {c["value"]: c for c in report.conflicts}
    assert set(conflicts) == {"96110", "+864005556666"}
    assert conflicts["96110"]["verified"] == "anti-fraud"
    assert [s["org"] for s in conflicts["96110"]["claims"]] == ["甲快递", "某咨询公司"]
    assert conflicts["+864005556666"]["verified"] is None
    assert sorted(s["org"] for s in conflicts["+864005556666"]["claims"]) == ["乙快递", "甲快递"]
    assert len(report.invalid) == 1

    platforms = {p.slug: p for p in tier.data.platforms}
    values = {c.value for p in tier.data.platforms for c in p.channels}
    # Conflicting and uncertain values are nowhere in the tier.
    assert not values & {"96110", "+864005556666", "+864009990000", "95588"}
    icbc = platforms["icbc"]
    assert icbc.trust == "verified"
    assert [(c.kind, c.value, c.trust) for c in icbc.channels] == [
        ("phone", "+864001112222", "community"),
        ("email", "webmaster@icbc.com.cn", "community"),
    ]
    hzbank = platforms["hzbank"]
    assert (hzbank.trust, hzbank.category, hzbank.phone_support) == ("community", "bank", "listed")
    assert {c.value for c in hzbank.channels} >= {"95398", "hzbank.com.cn"}
    assert {"pinduoduo", "anti-fraud"}.isdisjoint(platforms)
    assert {"mouzixun", "jiaexpress", "yi-express"} <= set(platforms)


def test_slugs_are_stable_and_fall_back_to_a_hash(store: RegistryStore, tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path / "v",
        {
            "其它/甲.yaml": {"organization": "无网站机构", "cellPhone": ["400-100-2000"]},
            "其它/乙.yaml": {"organization": "Acme Corp", "cellPhone": ["400-100-3000"]},
            "其它/丙.yaml": {
                "organization": "工行分号",
                "cellPhone": ["400-100-4000"],
                "url": "https://icbc.com.cn.example.org/",
            },
        },
    )
    first = build_community_tier(store.data(), load_vcards(tree))
    slugs = sorted(p.slug for p in first.data.platforms)
    assert slugs == sorted(["org-" + _hash("无网站机构"), "acme-corp", "example"])
    assert (
        sorted(p.slug for p in build_community_tier(store.data(), load_vcards(tree)).data.platforms)
        == slugs
    )


def _hash(name: str) -> str:
    import hashlib

    return hashlib.sha256(name.encode()).hexdigest()[:8]


def test_names_compare_after_nfkc_and_case_folding() -> None:
    assert name_key("ＩＣＢＣ ") == name_key("icbc")
    assert name_key("中国银行（香港）") != name_key("中国银行")


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        # company-form words go, as often as they end the name
        ("腾讯集团有限公司", ("腾讯集团有限公司", "腾讯")),
        ("中国工商银行股份有限公司", ("中国工商银行股份有限公司", "中国工商银行")),
        ("工行客服", ("工行客服", "工行")),
        # a mainland qualifier goes, wherever it stands; full-width brackets are ASCII ones
        ("汇丰银行（中国）有限公司", ("汇丰银行(中国)有限公司", "汇丰银行")),
        ("Acme (China)", ("acme(china)", "acme")),
        # any other bracket names another company and stays
        ("中国银行（香港）", ("中国银行(香港)",)),
        ("中国建设银行（亚洲）", ("中国建设银行(亚洲)",)),
        # a Latin name: letters and digits only, then without its company-form words
        ("Apple Inc.", ("appleinc.", "appleinc", "apple")),
        ("LOUIS VUITTON", ("louisvuitton",)),
        ("JD.com", ("jd.com", "jdcom")),
        # "co" is a word, not an ending: Costco keeps its name
        ("Costco", ("costco",)),
        # a shorter form under 3 Latin letters or 2 CJK characters is left out
        ("X Corp", ("xcorp",)),
        ("京客服", ("京客服",)),
        # the name alone is never stripped to nothing
        ("集团", ("集团",)),
    ],
)
def test_name_forms(name: str, forms: tuple[str, ...]) -> None:
    assert name_forms(name) == forms


#: One org (or two) a case, and what the build decides for each: ``matched`` with the platform
#: and the signals that agree, ``uncertain`` with the reason, or ``created``.
MATCH_CASES: list[tuple[dict[str, dict[str, Any]], dict[str, tuple[str, ...]]]] = [
    # a verified number alone, no site: matched (vCards' 国家反诈中心 gives only 96110)
    (
        {"政府机构/国家反诈中心.yaml": {"organization": "国家反诈中心", "cellPhone": [96110]}},
        {"国家反诈中心": ("matched", "anti-fraud", "phone")},
    ),
    # a verified number two orgs give names neither: both created, the number a conflict
    (
        {
            "其它/甲.yaml": {"organization": "甲热线", "cellPhone": [96110, "400-100-1000"]},
            "其它/乙.yaml": {"organization": "乙热线", "cellPhone": [96110, "400-100-2000"]},
        },
        {"甲热线": ("created",), "乙热线": ("created",)},
    ),
    # number and name name different platforms: uncertain
    (
        {"电商购物/拼多多.yaml": {"organization": "拼多多", "cellPhone": [95588]}},
        {"拼多多": ("uncertain", "several_platforms")},
    ),
    # a verified number on an org whose own site is elsewhere: uncertain
    (
        {
            "其它/某咨询公司.yaml": {
                "organization": "某咨询公司",
                "cellPhone": [96110, "400-333-4444"],
                "url": "https://www.mouzixun.com/",
            }
        },
        {"某咨询公司": ("uncertain", "other_site")},
    ),
    # number and site agree, the name is a branch's: matched
    (
        {
            "金融银行/某分行.yaml": {
                "organization": "某分行",
                "cellPhone": [95588],
                "url": "https://branch.icbc.com.cn/",
            }
        },
        {"某分行": ("matched", "icbc", "domain+phone")},
    ),
    # names in a shorter form: company-form words, a mainland qualifier, a Latin name's
    # company-form word
    (
        {
            "金融银行/甲.yaml": {"organization": "中国工商银行股份有限公司", "cellPhone": [1]},
            "金融银行/乙.yaml": {"organization": "工行客服"},
            "金融银行/丙.yaml": {"organization": "中国工商银行（中国）"},
            "电商购物/丁.yaml": {"organization": "WeChat Pay Ltd."},
        },
        {
            "中国工商银行股份有限公司": ("matched", "icbc", "name"),
            "工行客服": ("matched", "icbc", "name"),
            "中国工商银行（中国）": ("matched", "icbc", "name"),
            "WeChat Pay Ltd.": ("matched", "wechat-pay", "name"),
        },
    ),
    # another bracket names another company: not matched by name
    (
        {
            "金融银行/亚洲.yaml": {
                "organization": "中国工商银行（亚洲）",
                "cellPhone": ["400-100-3000"],
            }
        },
        {"中国工商银行（亚洲）": ("created",)},
    ),
    # a subsidiary's site under the platform's domain, its name none of the platform's: uncertain
    (
        {
            "通讯服务/某通信.yaml": {
                "organization": "某通信",
                "cellPhone": ["400-100-4000"],
                "url": "https://aliqin.icbc.com.cn/",
            }
        },
        {"某通信": ("uncertain", "domain_only")},
    ),
    # the site is the platform's domain itself (www. aside): matched by the domain alone
    (
        {"金融银行/工银.yaml": {"organization": "工银", "url": "https://www.icbc.com.cn/"}},
        {"工银": ("matched", "icbc", "domain")},
    ),
]


@pytest.mark.parametrize(("files", "expected"), MATCH_CASES)
def test_how_orgs_are_matched(
    store: RegistryStore,
    tmp_path: Path,
    files: dict[str, dict[str, Any]],
    expected: dict[str, tuple[str, ...]],
) -> None:
    report = build_community_tier(store.data(), load_vcards(write_tree(tmp_path, files))).report
    decided: dict[str, tuple[str, ...]] = {}
    for m in report.matched:
        decided[m["org"]] = ("matched", m["platform"], m["by"])
    for u in report.uncertain:
        decided[u["org"]] = ("uncertain", u["reason"])
    for c in report.created:
        decided[c["org"]] = ("created",)
    assert decided == expected


def test_a_shorter_name_naming_two_platforms_is_uncertain(tmp_path: Path) -> None:
    platforms = [
        {"slug": slug, "name": name, "category": "other", "channels": []}
        for slug, name in [("acme", "Acme"), ("acme-group", "Acme Group Ltd")]
    ]
    tree = write_tree(tmp_path, {"其它/a.yaml": {"organization": "Acme Holdings"}})
    report = build_community_tier(
        parse_registry({"platforms": platforms}), load_vcards(tree)
    ).report
    assert [(u["by_name"], u["reason"]) for u in report.uncertain] == [
        (["acme", "acme-group"], "several_platforms")
    ]
    assert report.matched == report.created == []


def test_a_company_gets_its_domain_before_a_product_on_a_subdomain(
    store: RegistryStore, tmp_path: Path
) -> None:
    # 云服务 sorts before 互联网, so the cloud's file is read first; the slug still goes to the
    # org whose site the domain is.
    tree = write_tree(
        tmp_path,
        {
            "云服务/腾讯云.yaml": {
                "organization": "腾讯云",
                "cellPhone": [95716],
                "url": "https://cloud.tencent.com/",
            },
            "互联网/腾讯.yaml": {
                "organization": "腾讯",
                "cellPhone": ["0755-86013388"],
                "url": "https://www.tencent.com/",
            },
        },
    )
    created = build_community_tier(store.data(), load_vcards(tree)).report.created
    slugs = {c["org"]: c["platform"] for c in created}
    assert slugs == {"腾讯": "tencent", "腾讯云": "tencent-" + _hash("腾讯云")[:6]}
    assert [c["org"] for c in created] == ["腾讯云", "腾讯"]  # reported in file order

    # A slug an earlier run gave still wins: addresses stay stable across runs.
    earlier = parse_registry(
        {"platforms": [{"slug": "tencent", "name": "腾讯云", "trust": "community", "channels": []}]}
    )
    rerun = build_community_tier(earlier, load_vcards(tree)).report.created
    assert {c["org"]: c["platform"] for c in rerun} == {
        "腾讯云": "tencent",
        "腾讯": "tencent-" + _hash("腾讯")[:6],
    }


# --- writing ---------------------------------------------------------------------------------


def test_the_tier_is_answered_unverified_and_verified_rows_stay(
    store: RegistryStore, tree: Path
) -> None:
    before = verified_part(store.data())
    version = store.version()
    tier = build_community_tier(store.data(), load_vcards(tree))
    counts = store.replace_community_tier(tier.data)
    store.session.commit()
    assert counts["platforms_added"] == 4  # hzbank, mouzixun, jiaexpress, yi-express
    assert store.version() == version + 1
    assert verified_part(store.data()) == before
    index = store.build_index()
    official = check("95588", index)
    assert (official.verdict, official.platform and official.platform.slug) == ("official", "icbc")
    listed = check("95398", index)
    assert listed.verdict == "unverified"
    assert listed.platform is not None and listed.platform.slug == "hzbank"
    assert check("96110", index).verdict == "official"
    assert check("400-555-6666", index).platform is None


def test_a_rerun_replaces_the_tier_and_records_removals(
    store: RegistryStore, tree: Path, tmp_path: Path
) -> None:
    before = verified_part(store.data())
    store.replace_community_tier(build_community_tier(store.data(), load_vcards(tree)).data)
    store.session.commit()
    since = store.version()
    changed = {k: v for k, v in TREE.items() if "杭州银行" not in k}
    changed["金融银行/中国工商银行.yaml"] = {
        **TREE["金融银行/中国工商银行.yaml"],
        "cellPhone": [95588],
    }
    second = write_tree(tmp_path / "second", changed)
    counts = store.replace_community_tier(
        build_community_tier(store.data(), load_vcards(second)).data
    )
    store.session.commit()
    assert counts["platforms_removed"] == 1
    assert store.platform("hzbank") is None
    icbc = store.platform("icbc")
    assert icbc is not None
    assert [c.value for c in icbc.channels if c.trust == "community"] == ["webmaster@icbc.com.cn"]
    assert verified_part(store.data()) == before
    changes = store.changes(since)
    assert changes.removed_platforms == ("hzbank",)
    assert [p.slug for p in changes.platforms] == ["icbc"]


def test_the_store_refuses_to_overwrite_a_verified_platform(store: RegistryStore) -> None:
    from registry.files import parse_registry

    before = registry_to_dict(store.data())
    bad = parse_registry(
        {"platforms": [{"slug": "icbc", "name": "假", "trust": "community", "channels": []}]}
    )
    with pytest.raises(ValueError, match="verified platform holds"):
        store.replace_community_tier(bad)
    store.session.rollback()
    assert registry_to_dict(store.data()) == before


# --- the real data set -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_vcards() -> Any:
    if not REAL_VCARDS.is_dir():
        pytest.fail(f"the vCards data set is missing: expected it at {REAL_VCARDS.resolve()}")
    return load_vcards(REAL_VCARDS)


def test_the_real_data_set(session: Any, real_vcards: Any) -> None:
    assert len(real_vcards.orgs) >= 250
    assert any(i.value == "9510211" for i in real_vcards.invalid)  # Taobao's 7-digit line
    store = RegistryStore(session)
    store.import_data(load_registry_file(BUNDLED), replace=True)
    session.commit()
    before = verified_part(store.data())
    verified_values = {c.value for p in store.data().platforms for c in p.channels}
    tier = build_community_tier(store.data(), real_vcards)
    assert tier.report.counts()["matched"] >= 30
    matched = {m["org"]: (m["platform"], m["by"]) for m in tier.report.matched}
    assert matched["中国工商银行"] == ("icbc", "domain+name+phone")
    assert matched["国家反诈中心"] == ("anti-fraud", "phone")  # 96110 alone
    # Subsidiaries whose sites sit under a platform's domain are reported, not merged.
    uncertain = {u["org"]: u["reason"] for u in tier.report.uncertain}
    for subsidiary in ("阿里通信", "沃钱包", "中国建设银行（亚洲）"):
        assert uncertain[subsidiary] == "domain_only"
    # The known mislabel of Apple's 400-666-8800 as JD's: vCards gives it to Apple (verified
    # there, so a duplicate); were it given to JD, it would be a conflict, never JD's.
    jd_claim = dataclasses.replace(
        next(o for o in real_vcards.orgs if o.organization == "京东"),
        channels=(
            dataclasses.replace(
                real_vcards.orgs[0].channels[0], kind="phone", value="+864006668800"
            ),
        ),
    )
    mislabelled = build_community_tier(
        store.data(), dataclasses.replace(real_vcards, orgs=(*real_vcards.orgs, jd_claim))
    )
    conflict = next(c for c in mislabelled.report.conflicts if c["value"] == "+864006668800")
    assert conflict["verified"] == "apple"
    assert "+864006668800" not in {c.value for p in tier.data.platforms for c in p.channels}

    store.replace_community_tier(tier.data)
    session.commit()
    assert verified_part(store.data()) == before
    hzbank = store.platform("hzbank")
    assert hzbank is not None and hzbank.trust == "community"
    assert "95398" not in verified_values
    index = store.build_index()
    regional = check("95398", index)
    assert (regional.verdict, regional.platform and regional.platform.slug) == (
        "unverified",
        "hzbank",
    )
    icbc = check("95588", index)
    assert (icbc.verdict, icbc.platform and icbc.platform.slug) == ("official", "icbc")
    assert check("96110", index).verdict == "official"


def test_the_real_domain_lists_apply_by_name(real_vcards: Any) -> None:
    from registry.community.domain_lists import DATASET_DATE as LISTS_DATE
    from registry.community.domain_lists import load_domain_lists

    lists = load_domain_lists(REAL_VCARDS.parent / "domain-list-community")
    report = build_community_tier(
        load_registry_file(BUNDLED), real_vcards, lists, lists_date=LISTS_DATE
    ).report
    applied = {a["list"]: a["platform"] for a in report.lists_applied}
    assert applied["icbc"] == "icbc"
    assert applied["chinamobile"] == "china-mobile"  # the slug, letters and digits only
    assert applied["hsbc-cn"] == "hsbc"  # a region qualifier
    refused = {n["list"]: (n["platform"], n["reason"]) for n in report.lists_not_applied}
    # Lists that hold one domain of a platform they are not.
    assert refused["58tongcheng"] == ("zhuanzhuan", "name_differs")
    assert refused["tencent-tme"] == ("ximalaya", "name_differs")
    assert refused["yuanfudao"] == ("yuansouti", "name_differs")
    # A company's name, but a routing list of CDNs and defensive registrations.
    assert refused["apple"] == ("apple", "too_large")
    assert refused["google"] == ("google", "too_large")


def test_source_addresses_are_percent_encoded() -> None:
    assert source_url("其它/Apple.yaml").endswith("/data/%E5%85%B6%E5%AE%83/Apple.yaml")


def test_domain_lists_extend_known_platforms_only(store: RegistryStore, tree: Path) -> None:
    from registry.community.domain_lists import DATASET_DATE as LISTS_DATE
    from registry.community.domain_lists import load_domain_lists

    lists = tree.parent / "lists"
    lists.mkdir()
    files = {
        # Holds hzbank's site: its other domains join hzbank; pinduoduo.com is verified for
        # pinduoduo, so it is a conflict.
        "hzbank": "hzbank.com.cn\nhzbank.cn\nfull:www.hzbank.net\npinduoduo.com\n",
        "category-bank-cn": "hzbank.com.cn\nsomebank.cn\n",  # a grouping: excluded
        "foreignbrand": "foreignbrand.com\n",  # matches no platform: never one
        "mixed": "icbc.com.cn\nhzbank.com.cn\nmixed.cn\n",  # two platforms: not applied
        # Holds hzbank's site, but its name is no name of hzbank's: not applied (as 58tongcheng
        # holds a domain of 转转's).
        "hangzhou-group": "hzbank.com.cn\nhz-group.cn\n",
        # Named for hzbank with a region qualifier: applied.
        "hzbank-cn": "hzbank.com.cn\nhzbank-cn.cn\n",
        # Named for the consultancy, but more domains than a company's own sites: not applied.
        "mouzixun-global": "".join(f"mouzixun{i}.com\n" for i in range(MAX_LIST_DOMAINS))
        + "mouzixun.com\n",
    }
    for name, text in files.items():
        (lists / name).write_text(text, encoding="utf-8")
    tier = build_community_tier(
        store.data(), load_vcards(tree), load_domain_lists(lists), lists_date=LISTS_DATE
    )
    report = tier.report
    assert report.lists_applied == [
        {"list": "hzbank", "platform": "hzbank"},
        {"list": "hzbank-cn", "platform": "hzbank"},
    ]
    assert report.lists_skipped == 2
    assert report.lists_uncertain == [{"list": "mixed", "platforms": ["hzbank", "icbc"]}]
    assert report.lists_not_applied == [
        {"list": "hangzhou-group", "platform": "hzbank", "domains": 2, "reason": "name_differs"},
        {
            "list": "mouzixun-global",
            "platform": "mouzixun",
            "domains": MAX_LIST_DOMAINS + 1,
            "reason": "too_large",
        },
    ]
    assert report.counts()["lists_not_applied"] == 2
    domains = {c.value: c for p in tier.data.platforms if p.slug == "hzbank" for c in p.channels}
    assert domains["hzbank.cn"].source.endswith("/data/hzbank")
    assert domains["hzbank.cn"].verified_on == LISTS_DATE
    assert "www.hzbank.net" not in domains  # full: hosts are not taken
    conflict = next(c for c in report.conflicts if c["value"] == "pinduoduo.com")
    assert conflict["verified"] == "pinduoduo"
    assert "hzbank-cn.cn" in domains
    values = {c.value for p in tier.data.platforms for c in p.channels}
    assert not values & {"pinduoduo.com", "somebank.cn", "foreignbrand.com", "mixed.cn"}
    assert not values & {"hz-group.cn", "mouzixun0.com"}


@pytest.mark.parametrize(
    ("org", "list_name", "applied"),
    [
        # the label of one of the platform's domains (the slug is taken, so it differs)
        ({"organization": "丙快递", "url": "https://jiaexpress.cn/"}, "jiaexpress", True),
        # the platform's English name, letters and digits only
        ({"organization": "Acme Widgets", "url": "https://www.aw-shop.com/"}, "acmewidgets", True),
        # a domain whole, letters and digits only (v2fly's eleme for ele.me)
        ({"organization": "饿了么", "url": "https://www.ele.me/"}, "eleme", True),
        # a word more than the platform's name: another company (tencent-tme is Tencent Music)
        ({"organization": "丙快递", "url": "https://jiaexpress.cn/"}, "jiaexpress-tme", False),
        # a prefix of the name is not the name
        ({"organization": "Acme Widgets", "url": "https://www.aw-shop.com/"}, "acme", False),
    ],
)
def test_a_list_is_applied_only_when_its_name_names_the_platform(
    store: RegistryStore, tmp_path: Path, org: dict[str, Any], list_name: str, applied: bool
) -> None:
    from registry.community.domain_lists import DATASET_DATE as LISTS_DATE
    from registry.community.domain_lists import load_domain_lists

    tree = write_tree(
        tmp_path / "vcards",
        {
            # takes the slug jiaexpress, so that 丙快递 gets jiaexpress-<hash>
            "快递物流/甲快递.yaml": {
                "organization": "甲快递",
                "url": "https://www.jiaexpress.com/",
            },
            "其它/org.yaml": {**org, "cellPhone": ["400-100-5000"]},
        },
    )
    site = org["url"].split("//")[1].removeprefix("www.").rstrip("/")
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / list_name).write_text(f"{site}\nextra-{list_name}.com\n", encoding="utf-8")
    tier = build_community_tier(
        store.data(), load_vcards(tree), load_domain_lists(lists), lists_date=LISTS_DATE
    )
    slug = next(c["platform"] for c in tier.report.created if c["file"] == "其它/org.yaml")
    values = {c.value for p in tier.data.platforms if p.slug == slug for c in p.channels}
    assert (f"extra-{list_name}.com" in values) is applied
    if applied:
        assert tier.report.lists_applied == [{"list": list_name, "platform": slug}]
    else:
        assert [(n["list"], n["reason"]) for n in tier.report.lists_not_applied] == [
            (list_name, "name_differs")
        ]
