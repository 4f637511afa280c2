"""``cramp-coach chat``: talk to the skill in a terminal, or pipe a script of lines into it."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from skill.config import Settings
from skill.localchat.render import render_turn, speech_ssml
from skill.localchat.resolver import Resolver
from skill.localchat.session import (
    LOCAL_SKILL_ID,
    LOCAL_USER_ID,
    ChatSession,
    Turn,
    http_transport,
    in_process_transport,
)
from skill.localchat.speak import Speaker
from skill.models import MODEL_DIR

HELP = """Type what you would say to a speaker, for example:
  open cramp coach
  ask cramp coach for box breathing for two minutes
  tell cramp coach I had a cramp in my left calf last night
Commands: /new (end the session), /event NAME [OFFSET_MS] (an AudioPlayer or PlaybackController
event, e.g. /event PlaybackStopped 42000), /help, /quit. Lines starting with # are ignored."""


def _lines(interactive: bool):  # type: ignore[no-untyped-def]
    """Typed lines: prompted on a terminal, read quietly from a pipe."""
    while True:
        if interactive:
            try:
                yield input("you> ")
            except EOFError:
                click.echo()
                return
        else:
            line = sys.stdin.readline()
            if not line:
                return
            yield line.rstrip("\n")


@click.command("chat")
@click.option("--locale", default="en-US", show_default=True, help="Model and request locale.")
@click.option("--url", help="POST to a running skill (cramp-coach serve --no-verify) instead of in-process.")
@click.option("--speak", is_flag=True, help="Also play the speech through espeak-ng.")
@click.option("--audio-player", is_flag=True, help="Pretend the device supports the AudioPlayer interface.")
@click.option("--user", "user_id", default=LOCAL_USER_ID, show_default=True, help="User id in every request.")
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), help="SQLite file (in-process)."
)
@click.option("--trace", is_flag=True, help="Show the request each line resolved to.")
@click.option("--echo", is_flag=True, help="Print each piped line before its reply (transcripts).")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Resolve relative dates as if today were this date."
)
@click.pass_context
def chat(
    ctx: click.Context,
    locale: str,
    url: str | None,
    speak: bool,
    audio_player: bool,
    user_id: str,
    db_path: Path | None,
    trace: bool,
    echo: bool,
    today: datetime | None,
) -> None:
    """Talk to the skill without a device: each line is resolved against the interaction model."""
    settings: Settings = ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()
    if db_path is not None:
        settings = settings.with_overrides({"db_path": db_path})
    if ctx.parent is None or ctx.parent.params.get("log_level") is None:
        logging.getLogger().setLevel(logging.WARNING)  # request logs would drown the conversation
    if not (MODEL_DIR / f"{locale}.json").exists():
        present = sorted(p.stem for p in MODEL_DIR.glob("*.json") if p.stem != "skill")
        raise click.UsageError(f"no interaction model for {locale} (models: {', '.join(present)})")
    resolver = Resolver.for_locale(locale, today=today.date() if today else None)
    if not url:
        # In-process nothing arrives over HTTP to verify; development settings also let the skill
        # hand out audio from the local server (a production base URL must be https).
        settings = settings.with_overrides({"verify": False})
    transport = http_transport(url) if url else in_process_transport(settings)
    session = ChatSession(
        resolver,
        transport,
        locale=locale,
        user_id=user_id,
        skill_id=settings.skill_id or LOCAL_SKILL_ID,
        audio_player=audio_player,
    )
    speaker = Speaker(locale, notify=lambda message: click.echo(message, err=True)) if speak else None
    interactive = sys.stdin.isatty()
    if interactive:
        where = url or f"in-process, {settings.storage} storage"
        click.echo(f"Cramp Coach local chat ({locale}, {where}). /help for commands, Ctrl-D to quit.")

    def show(turns: list[Turn]) -> None:
        for turn in turns:
            for line in render_turn(turn, trace=trace):
                click.echo(line)
            if speaker:
                speaker.say(speech_ssml(turn))

    for raw in _lines(interactive):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if echo and not interactive:
            click.echo(f"> {line}")
        if line.startswith("/"):
            command, *args = line[1:].split()
            if command in ("quit", "exit", "q"):
                break
            if command == "help":
                click.echo(HELP)
            elif command == "new":
                ended = session.end()
                show([ended] if ended and trace else [])
                click.echo("(new session on the next line)")
            elif command == "event" and args:
                offset = int(args[1]) if len(args) > 1 and args[1].isdigit() else None
                show([session.event(args[0], offset)])
            else:
                click.echo(f"unknown command {line!r}; /help lists them")
            continue
        show(session.handle(line))
    ended = session.end()
    if ended and trace:
        show([ended])
    if speaker:
        speaker.close()
