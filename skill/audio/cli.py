"""``cramp-coach render-audio``: render scripts to MP3 parts in the audio store, with a progress bar."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from skill.audio.render import EncoderError
from skill.audio.session_audio import job_for
from skill.audio.store import AudioStore
from skill.audio.tts import TTSError, make_backend
from skill.config import Settings
from skill.engine.script import PACES, VARIANTS, VOICES, ScriptError, load_script, script_ids


def _jobs(
    script: str | None, everything: bool, locale: str, options: dict[str, Any]
) -> list[tuple[str, dict]]:
    if everything:
        # Every script in every variant it has, at its default length: what users ask for most.
        return [
            (script_id, {"variant": variant})
            for script_id in script_ids(locale)
            for variant in load_script(script_id, locale).variants
        ]
    if not script:
        raise click.UsageError("name a SCRIPT or pass --all")
    return [(script, options)]


@click.command("render-audio")
@click.argument("script", required=False)
@click.option("--all", "everything", is_flag=True, help="Every script in each of its variants.")
@click.option("--variant", type=click.Choice(VARIANTS), help="Script variant (default: the script's).")
@click.option("--minutes", type=click.FloatRange(0, 60, min_open=True), help="Session length in minutes.")
@click.option("--breaths", type=click.IntRange(1, 200), help="Session length in breaths.")
@click.option(
    "--pace",
    type=click.Choice([str(p) for p in PACES]),
    default="1.0",
    show_default=True,
    help="Time multiplier: above 1 is slower.",
)
@click.option("--voice", type=click.Choice(VOICES), help="Normal or whispered (default: the variant's).")
@click.option("--locale", default="en-US", show_default=True)
@click.option(
    "--backend", type=click.Choice(["espeak", "polly"]), help="TTS backend (default CRAMP_COACH_TTS)."
)
@click.pass_obj
def render_audio(
    settings: Settings,
    script: str | None,
    everything: bool,
    variant: str | None,
    minutes: float | None,
    breaths: int | None,
    pace: str,
    voice: str | None,
    locale: str,
    backend: str | None,
) -> None:
    """Render SCRIPT (or --all) to MP3 parts in the audio store; cached parts are not rendered again."""
    backend_name = backend or settings.tts_backend
    tts = make_backend(backend_name, region=settings.aws_region)
    if not tts.available():
        raise click.ClickException(
            f"the {backend_name} speech engine is not installed (apt-get install espeak-ng)"
        )
    store = AudioStore(Path(settings.audio_dir), bucket=settings.audio_bucket, region=settings.aws_region)
    options = {
        "variant": variant,
        "minutes": minutes,
        "breaths": breaths,
        "pace": float(pace),
        "voice": voice,
    }
    options = {k: v for k, v in options.items() if v is not None}
    try:
        jobs = [job_for(name, opts, locale) for name, opts in _jobs(script, everything, locale, options)]
    except (ScriptError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    for job in jobs:
        label = f"{job.script} {job.options or ''}".strip()
        speech = sum(1 for item in job.items if item.text)
        cached = store.manifest(job.key(tts)) is not None  # rendered before: nothing is synthesised
        started = time.monotonic()
        with click.progressbar(length=speech, label=label.ljust(40), file=sys.stderr) as bar:
            try:
                manifest = store.render(job, tts, progress=bar.update)
            except (TTSError, EncoderError) as exc:
                raise click.ClickException(f"{label}: {exc}") from exc
        elapsed = time.monotonic() - started
        assert manifest is not None
        speed = "cached" if cached else f"{manifest['seconds'] / max(elapsed, 1e-3):.0f}x real time"
        click.echo(
            f"{manifest['key']}  {len(manifest['parts'])} parts  {manifest['seconds'] / 60:.1f} min  "
            f"{manifest['bytes'] / 1e6:.1f} MB  {speed}"
        )
