"""The ``cramp-coach`` command line."""

from __future__ import annotations

import functools
import logging
from datetime import datetime
from pathlib import Path

import click

from skill.audio.cli import render_audio
from skill.check import check
from skill.config import Settings
from skill.localchat.cli import chat
from skill.release import release_manifest


@click.group()
@click.option("--log-level", default=None, help="Logging level (default from LOG_LEVEL or INFO).")
@click.pass_context
def main(ctx: click.Context, log_level: str | None) -> None:
    """Cramp Coach: an Alexa skill for leg cramps."""
    settings = Settings.from_env()
    if log_level:
        settings = settings.with_overrides({"log_level": log_level.upper()})
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ctx.obj = settings


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option(
    "--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes."
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SQLite file (default var/cramp-coach.db).",
)
@click.option("--no-verify", is_flag=True, help="DEVELOPMENT ONLY: accept unsigned requests.")
@click.pass_obj
def serve(
    settings: Settings, host: str, port: int, workers: int, db_path: Path | None, no_verify: bool
) -> None:
    """Serve the skill at POST /alexa under gunicorn."""
    from skill.web.app import DEV_FLAG_WARNING
    from skill.web.server import serve as run_server

    overrides: dict[str, object] = {}
    if db_path is not None:
        overrides["db_path"] = db_path
    if no_verify:
        overrides["verify"] = False
    settings = settings.with_overrides(overrides)
    if not settings.verify:
        click.secho(f"WARNING: {DEV_FLAG_WARNING}", fg="red", bold=True, err=True)
    click.echo(f"Cramp Coach on http://{host}:{port}/alexa (storage: {settings.storage})", err=True)
    run_server(settings, host, port, workers)


@main.command("build-models")
def build_models() -> None:
    """Regenerate interaction_model/<locale>.json from interaction_model/source/."""
    from skill.models import write_models

    for path in write_models():
        click.echo(f"wrote {path}")


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}"


@main.command()
@click.argument("script")
@click.option("--minutes", type=click.FloatRange(min=0, min_open=True), help="Length in minutes.")
@click.option("--breaths", type=click.IntRange(min=1), help="Length in breaths (breathing scripts).")
@click.option("--pace", type=click.Choice(["slower", "faster"]), help="One step slower or faster.")
@click.option("--voice", type=click.Choice(["normal", "whisper"]), help="Voice (default: the variant's).")
@click.option("--variant", type=click.Choice(["full", "legs", "in_bed", "quick", "recall"]), help="Variant.")
@click.option("--locale", default="en-US", show_default=True, help="Locale of the wording.")
@click.option("--text", "output", flag_value="text", default=True, help="What is said, pauses as [N s].")
@click.option("--ssml", "output", flag_value="ssml", help="Each segment's SSML, as sent to Alexa.")
@click.option("--timeline", "output", flag_value="timeline", help="Every line and silence, with its start.")
def render(
    script: str,
    minutes: float | None,
    breaths: int | None,
    pace: str | None,
    voice: str | None,
    variant: str | None,
    locale: str,
    output: str,
) -> None:
    """Print exactly what a guided SCRIPT says and when (e.g. breathing-box, pmr)."""
    from skill.engine.plan import plan
    from skill.engine.script import Options, ScriptError, script_ids
    from skill.speech import ssml

    known = script_ids(locale)
    if script not in known:
        raise click.BadParameter(f"unknown script; one of: {', '.join(known)}", param_hint="SCRIPT")
    options = Options(variant=variant, minutes=minutes, breaths=breaths, voice=voice)
    if pace:
        options = options.with_pace_step(+1 if pace == "slower" else -1) or options
    try:
        result = plan(script, options, locale)
    except ScriptError as exc:
        raise click.ClickException(str(exc)) from exc
    timeline = result.timeline
    target = f" (asked {_clock(timeline.target)})" if timeline.target else ""
    click.echo(
        f"# {result.script.title}: variant {timeline.variant}, voice {timeline.voice}, "
        f"pace {timeline.pace:g}, speech rate {timeline.rate}%, {_clock(timeline.total)}{target}, "
        f"{len(result.segments)} segment(s)"
    )
    for note in timeline.notes:
        click.echo(f"# note: {note.key} {note.params or ''}".rstrip())
    if output == "timeline":
        for entry in timeline.entries:
            words = entry.text or entry.prompt or ""
            click.echo(f"{entry.start:8.2f} {entry.duration:6.2f} {entry.kind:<10} {entry.label:<24} {words}")
        return
    for segment in result.segments:
        document = f"<speak>{segment.ssml}</speak>"
        click.echo(
            f"\n## segment {segment.index + 1}/{len(result.segments)}: "
            f"{_clock(segment.start)}-{_clock(segment.end)} ({segment.duration:.0f} s, "
            f"{len(document)} characters of SSML)"
        )
        click.echo(document if output == "ssml" else ssml.to_text(document))
        if segment.prompt:
            click.echo(f"[asks: {segment.prompt}]")


main.add_command(chat)
main.add_command(check)
main.add_command(release_manifest)


@main.command()
@click.option("--user", "user_id", required=True, help="The Alexa user id whose diary to export.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "html"]), default="html", help="Format.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First day to include (YYYY-MM-DD).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="SQLite diary file.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="File to write.")
@click.option("--locale", default="en-US", show_default=True, help="Language of the HTML report.")
@click.pass_obj
def export(
    settings: Settings,
    user_id: str,
    fmt: str,
    since: datetime | None,
    db_path: Path | None,
    output: Path | None,
    locale: str,
) -> None:
    """Export a user's cramp diary: CSV rows, full JSON, or a one-page HTML summary for a doctor."""
    from zoneinfo import ZoneInfo

    from skill.content.catalog import default_catalog
    from skill.diary import export as exporter
    from skill.diary.model import now_utc
    from skill.diary.repository import StorageError
    from skill.services import build_services

    if db_path is not None:
        if not db_path.exists():
            raise click.BadParameter(f"{db_path} does not exist", param_hint="--db")
        settings = settings.with_overrides({"storage": "sqlite", "db_path": db_path})
    diary = build_services(settings).diary
    try:
        latest = diary.last(user_id)
        zone = latest.zone if latest else ZoneInfo("UTC")  # the user's zone as of their latest entry
        start = since.replace(tzinfo=zone) if since else None
        entries = diary.entries(user_id, start)
        practice = diary.practice(user_id, start)
    except StorageError as exc:
        raise click.ClickException(f"could not read the diary: {exc}") from exc
    if not entries:
        click.echo(f"no diary entries for {user_id}", err=True)
    now = now_utc().astimezone(zone)
    begin = start or (entries[0].local_start.replace(hour=0, minute=0, second=0) if entries else now)
    if fmt == "csv":
        document = exporter.to_csv(entries)
    elif fmt == "json":
        document = exporter.to_json(user_id, entries, practice, begin, now, now)
    else:
        text = functools.partial(default_catalog().text, locale)
        document = exporter.to_html(text, entries, practice, begin, now, now)
    if output is None:
        click.echo(document, nl=False)
    else:
        output.write_text(document, encoding="utf-8")
        click.echo(f"wrote {output} ({len(entries)} entries)", err=True)


main.add_command(render_audio)
