"""The ``verifier`` command (CONTRACT.md): serve, check, scan, registry, db upgrade.

Every failure a user can cause ends in one line on standard error and exit status 2; no Python
traceback reaches a user.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn

import click

__all__ = ["main"]

EXIT_USAGE = 2


def _fail(message: str) -> NoReturn:
    # One line, as the contract promises: a YAML parser error, for one, spans several lines.
    one_line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"verifier: {one_line}", err=True)
    sys.exit(EXIT_USAGE)


def _app(setup: bool = True) -> Any:
    from verifier.web import ConfigError, create_app

    try:
        return create_app({"VERIFIER_SETUP_ON_START": setup})
    except ConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # database unreachable, bad URL: one line, never a traceback
        first_line = (str(exc).splitlines() or [""])[0]
        _fail(f"cannot open the registry database: {exc.__class__.__name__}: {first_line}")


class _Group(click.Group):
    """Usage errors exit 2 with one line, as click does, and so does everything unexpected."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        try:
            kwargs["standalone_mode"] = False
            return super().main(*args, **kwargs)
        except click.exceptions.Abort:
            _fail("aborted")
        except click.ClickException as exc:
            _fail(exc.format_message().splitlines()[0])
        except OSError as exc:
            _fail(str(exc))
        except Exception as exc:  # a bug or a database failure: one line, never a traceback
            first_line = (str(exc).splitlines() or [""])[0]
            click.echo(f"verifier: error: {exc.__class__.__name__}: {first_line}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Contact Verifier: is this phone number or link really official?"""


@main.command()
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


@main.command(name="check")
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


@main.command(name="scan")
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


@main.group()
def registry() -> None:
    """Import, export and count the registry."""


@registry.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--replace", is_flag=True, help="Make the registry exactly this file.")
@click.option("--dry-run", is_flag=True, help="Validate only; change nothing.")
def registry_import(path: str, replace: bool, dry_run: bool) -> None:
    """Import a registry file (YAML, or JSON by extension) in one transaction."""
    from registry.files import RegistryFileError, load_registry_file
    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    if not Path(path).is_file():
        _fail(f"cannot read {path}: no such file")
    try:
        data = load_registry_file(path)
    except RegistryFileError as exc:
        _fail(str(exc))
    counts = {
        "platforms": len(data.platforms),
        "channels": sum(len(p.channels) for p in data.platforms),
        "blocklist": len(data.blocklist),
    }
    if dry_run:
        click.echo(
            f"valid: {counts['platforms']} platforms, {counts['channels']} channels, "
            f"{counts['blocklist']} blocklist entries (nothing changed)"
        )
        return
    app = _app()
    with app_session(app) as session:
        store = RegistryStore(session)
        store.import_data(data, replace=replace)
        session.commit()
        version = store.version()
    click.echo(
        f"imported {counts['platforms']} platforms, {counts['channels']} channels, "
        f"{counts['blocklist']} blocklist entries{' (replaced)' if replace else ''}; "
        f"registry version {version}"
    )


@registry.command(name="export")
@click.option(
    "--format", "fmt", type=click.Choice(["yaml", "json", "csv"]), default="yaml", show_default=True
)
@click.option(
    "-o", "--output", default=None, metavar="PATH", help="Write to PATH instead of standard output."
)
def registry_export(fmt: str, output: str | None) -> None:
    """Export the whole registry."""
    from registry.files import dump_registry
    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    with app_session(app) as session:
        text = dump_registry(RegistryStore(session).data(), fmt)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror}")


@registry.command(name="stats")
@click.option("--json", "as_json", is_flag=True)
def registry_stats(as_json: bool) -> None:
    """Count platforms, channels and blocklist entries."""
    from registry.store import RegistryStore
    from verifier.web.extensions import app_session

    app = _app()
    with app_session(app) as session:
        stats = RegistryStore(session).stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    for key, value in stats.items():
        shown = (
            ", ".join(f"{k} {n}" for k, n in value.items()) if isinstance(value, dict) else value
        )
        click.echo(f"{key}: {shown}")


@main.group()
def db() -> None:
    """Database schema."""


@db.command(name="upgrade")
def db_upgrade() -> None:
    """Apply schema migrations (the bundled registry is loaded into an empty database)."""
    app = _app(setup=True)
    click.echo(f"database at {_redacted(app.config['VERIFIER_DATABASE_URL'])} is up to date")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
