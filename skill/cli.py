"""The ``cramp-coach`` command line."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from skill.check import check
from skill.config import Settings
from skill.localchat.cli import chat


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
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="gunicorn worker processes.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="SQLite file (default var/cramp-coach.db).")
@click.option("--no-verify", is_flag=True, help="DEVELOPMENT ONLY: accept unsigned requests.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int, db_path: Path | None, no_verify: bool) -> None:
    """Serve the skill at POST /alexa under gunicorn."""
    from skill.app import DEV_FLAG_WARNING
    from skill.server import serve as run_server

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


main.add_command(chat)
main.add_command(check)
