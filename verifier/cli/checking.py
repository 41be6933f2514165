"""``verifier serve``, ``verifier check`` and ``verifier scan``: the server, and judging values
and whole texts from the command line."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any

import click

from verifier.cli.common import _app, _fail


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Run the production WSGI server (gunicorn); set up an empty database first."""
    from verifier.web.server import run

    # Migrate and load the bundled registry once, before any worker starts; the workers open
    # their own connections.
    _app(setup=True).extensions["verifier.engine"].dispose()
    run(host=host, port=port, workers=workers)


def _values(values: Iterable[str], file: str | None) -> Iterator[str]:
    yield from values
    if file is None:
        return
    try:
        stream = sys.stdin if file == "-" else open(file, encoding="utf-8", errors="replace")  # noqa: SIM115
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror}")
    with stream:
        for line in stream:
            line = line.rstrip("\r\n")
            if line.strip():
                yield line


def _judging_setup(region: str | None, lang: str | None) -> tuple[str, str, Any]:
    """The region, language and registry index that ``check`` and ``scan`` judge with."""
    import phonenumbers

    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    region = (region or app.config["VERIFIER_DEFAULT_REGION"]).upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        _fail(f"unknown region {region!r}: use a two-letter code such as CN")
    lang = lang or ("en" if os.environ.get("LANG", "").startswith("en") else "zh")
    with app_session(app) as session:
        index = RegistryStore(session).build_index()
    return region, lang, index


@click.command(name="check")
@click.option("--json", "as_json", is_flag=True, help="One verdict object per line (JSON Lines).")
@click.option("--region", default=None, help="Region for numbers without a country code.")
@click.option(
    "--claimed", default=None, metavar="SLUG", help="The platform the value claims to be."
)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of reasons.")
@click.option("--file", "file", default=None, metavar="PATH|-", help="Read one value per line.")
@click.argument("values", nargs=-1)
def check_command(
    as_json: bool,
    region: str | None,
    claimed: str | None,
    lang: str | None,
    file: str | None,
    values: tuple[str, ...],
) -> None:
    """Check phone numbers, links and e-mail addresses against the registry."""

    from verifier.core.check import check

    if not values and file is None:
        _fail("give at least one VALUE, or --file PATH (- for standard input)")
    region, lang, index = _judging_setup(region, lang)
    if claimed and index.platform(claimed) is None:
        _fail(f"no platform {claimed!r} in the registry")
    for value in _values(values, file):
        verdict = check(value, index, region=region, claimed=claimed, lang=lang)
        if as_json:
            click.echo(json.dumps(verdict.to_dict(), ensure_ascii=False))
        else:
            click.echo(_human(verdict.to_dict()))


def _human(v: dict[str, Any]) -> str:
    """A verdict for a terminal: the verdict and whose it is, then reasons and channels."""
    head = f"{v['input']}: {v['verdict'].upper()} ({v['risk']})"
    if v["platform"]:
        head += f" · {v['platform']['name']} [{v['platform']['slug']}]"
    if v["impersonates"]:
        how = "imitates" if v["verdict"] in ("lookalike", "known_scam") else "presented as"
        head += f" · {how} {v['impersonates']['name']} [{v['impersonates']['slug']}]"
    lines = [head]
    if v["normalized"] and v["normalized"] != v["input"]:
        lines.append(f"  normalized: {v['normalized']}")
    lines += [f"  - {r['message']} [{r['code']}]" for r in v["reasons"]]
    if v["official_channels"]:
        lines.append("  official channels:")
        lines += [
            f"    {c['kind']}: {c['display']}" + (f"  {c['label']}" if c["label"] else "")
            for c in v["official_channels"]
        ]
    return "\n".join(lines)


def _read_text(path: str) -> str:
    """The whole of ``path`` (``-`` for standard input) as UTF-8 text, or a one-line failure."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as stream:
                data = stream.read()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        _fail(f"{'standard input' if path == '-' else path} is not UTF-8 text")


@click.command(name="scan")
@click.option("--json", "as_json", is_flag=True, help="Print the scan object as JSON.")
@click.option("--region", default=None, help="Region for numbers without a country code.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of reasons.")
@click.argument("path", default="-", metavar="[PATH|-]")
def scan_command(as_json: bool, region: str | None, lang: str | None, path: str) -> None:
    """Scan a whole message or page (a file, or standard input) for numbers and links."""

    from verifier.core.scan import MAX_SCAN_LENGTH, scan

    text = _read_text(path)
    if len(text) > MAX_SCAN_LENGTH:
        _fail(f"the text has {len(text)} characters; at most {MAX_SCAN_LENGTH} can be scanned")
    region, lang, index = _judging_setup(region, lang)
    result = scan(text, index, region=region, lang=lang).to_dict()
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"risk: {result['risk']}")
    for m in result["mentions"]:
        platform = m["platform"]
        click.echo(
            f"[{m['start']}:{m['end']}] {m['text']}: names {platform['name']} [{platform['slug']}]"
        )
    for p in result["patterns"]:
        click.echo(f"pattern: {p['message']} [{p['code']}]")
    for f in result["findings"]:
        claim = f" (presented as {f['claimed_platform']})" if f["claimed_platform"] else ""
        click.echo(f"[{f['start']}:{f['end']}] {f['text']}{claim}")
        click.echo("  " + _human(f).replace("\n", "\n  "))
