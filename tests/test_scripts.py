"""Scripts as data: they load, stay inside the content guide, fit their length, fit Alexa, and sound right.

Golden SSML lives in tests/golden/ssml/<script>.ssml (one segment per line); regenerate it after a
deliberate change with ``UPDATE_GOLDEN=1 pytest tests/test_scripts.py``.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from skill.cli import main
from skill.content.catalog import default_catalog
from skill.engine.plan import plan
from skill.engine.script import (
    PACES,
    VOICES,
    Breath,
    Hold,
    Options,
    ScriptError,
    load_script,
    parse_script,
    script_ids,
)
from skill.engine.segments import MAX_SEGMENT_SECONDS, SEGMENT_SSML_BUDGET
from skill.engine.timeline import MAX_FIT_ERROR, build_timeline, fit_breath, length_of, speech_seconds
from skill.speech import ssml

GOLDEN = Path(__file__).parent / "golden" / "ssml"
SCRIPTS = script_ids("en-US")

# Cues that would point the toes (plantar flexion), which can bring on a calf cramp (content guide, T11).
BANNED_CUES = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bpoint(?:ing|ed)?\s+(?:your|the|both)?\s*(?:toes?|foot|feet)\b",
        r"\b(?:toes?|foot|feet)\s+pointed\b",
        r"\bcurl(?:ing)?\s+(?:your\s+|the\s+)?toes\s+(?:down|under)",
        r"\bpush\s+(?:your\s+|the\s+)?toes\s+(?:down|away)",
        r"\bplantar",
    )
]


def lengths(script_id: str, variant: str) -> list[Options]:
    """The lengths worth trying for a variant: none, its bounds and middle, and breaths where they apply."""
    script = load_script(script_id)
    length = length_of(script, variant)
    options = [Options(variant=variant)]
    if length.unit == "minutes":
        assert length.low is not None and length.high is not None
        options += [
            Options(variant=variant, minutes=m)
            for m in (length.low, (length.low + length.high) / 2, length.high)
        ]
    if length.unit == "cycles" or fit_breath(script, variant):
        options += [Options(variant=variant, breaths=n) for n in (2, 10)]
    return options


def combinations() -> list[tuple[str, Options]]:
    """Every script, variant, voice, pace and length a user can ask for."""
    found = []
    for script_id in SCRIPTS:
        for variant in load_script(script_id).variants:
            for base in lengths(script_id, variant):
                for voice in VOICES:
                    for pace in PACES:
                        found.append(
                            (script_id, Options(base.variant, base.minutes, base.breaths, pace, voice))
                        )
    return found


COMBINATIONS = combinations()


def test_there_is_a_script_for_every_technique_in_the_issue():
    expected = {
        "breathing-belly",
        "breathing-even",
        "breathing-long-exhale",
        "breathing-box",
        "breathing-four-seven-eight",
        "pmr",
        "visualisation",
        "stretch-bedtime",
        "stretch-calf",
        "stretch-hamstring",
        "stretch-towel",
        "stretch-forward-fold",
        "stretch-downward-dog",
        "hydration",
        "acupressure-sp6",
        "acupressure-lv3",
        "cramp-now-calf",
        "cramp-now-foot",
        "cramp-now-hamstring",
        "cramp-now-thigh",
        "cramp-now-shin",
        "cramp-now-other",
        "routine-bedtime",
    }
    assert expected <= set(SCRIPTS)


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_every_script_loads_with_sources_and_a_title(script_id):
    script = load_script(script_id)
    assert script.id == script_id and script.title
    assert script.sources and all(re.fullmatch(r"[A-Z]\d+[a-z]?", tag) for tag in script.sources)


# -- validation names the file and the step ---------------------------------------------------------


def _minimal(**changes: object) -> dict:
    data = {
        "title": "Test",
        "technique": "breathing",
        "sources": ["T1"],
        "phrases": {"intro": "Hello."},
        "steps": [{"say": "intro"}, {"pause": 2}],
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"steps": [{"say": "intro"}, {"pause": -1}]}, "steps[1] (pause): pause seconds must be a number"),
        ({"steps": [{"say": "missing"}]}, "no phrase 'missing'"),
        ({"steps": [{"jump": 3}]}, "steps[0]: a step needs exactly one of"),
        ({"steps": [{"say": "intro", "pause": 3}]}, "steps[0]: a step needs exactly one of"),
        (
            {"steps": [{"breath": [{"phase": "sniff", "seconds": 4}], "cycles": 3}]},
            "steps[0] (breath) phases[0]",
        ),
        (
            {"steps": [{"breath": [{"phase": "inhale", "seconds": 4}], "cycles": 3}]},
            "needs an inhale and an exhale",
        ),
        ({"steps": [{"pause": 5, "min": 6, "max": 9}]}, "steps[0] (pause): seconds 5.0 must lie between"),
        ({"steps": [{"tense": "calves"}]}, "no phrase 'tense_calves'"),
        ({"steps": [{"hold": 10, "count_every": "often"}]}, "steps[0] (hold): count_every"),
        ({"steps": [{"checkpoint": "x", "no": "repeat"}]}, "no needs a prompt"),
        ({"steps": [{"say": "intro", "when": ["sideways"]}]}, "steps[0] (say): when must list variants"),
        ({"steps": [{"repeat": 2, "steps": [{"pause": "long"}]}]}, "steps[0] (repeat) steps[0] (pause)"),
        ({"steps": [{"include": "no-such-script"}]}, "includes unknown script"),
        ({"sources": []}, "sources:"),
        ({"sources": ["tag one"]}, "sources:"),
        ({"length": {"unit": "minutes", "default": 30, "min": 1, "max": 20}}, "length: default 30"),
        ({"variants": {"upside_down": {}}}, "variants.upside_down"),
        ({"ending": "fireworks"}, "ending:"),
        ({"skip_if": {"tired": "intro"}}, "skip_if:"),
        ({"colour": "blue"}, "top level: unknown fields ['colour']"),
    ],
)
def test_a_bad_script_is_refused_with_the_file_and_step_named(changes, message):
    path = Path(__file__).parents[1] / "responses" / "en" / "scripts" / "broken-example.json"
    with pytest.raises(ScriptError) as caught:
        parse_script(path, _minimal(**changes))
    assert str(caught.value).startswith("broken-example.json: ")
    assert message in str(caught.value)


def test_a_locale_may_override_wording_but_not_timing(tmp_path):
    for locale in ("en", "en-GB"):
        (tmp_path / locale / "scripts").mkdir(parents=True)
    (tmp_path / "en" / "scripts" / "demo.json").write_text(json.dumps(_minimal(phrases={"intro": "Color."})))
    (tmp_path / "en-GB" / "scripts" / "demo.json").write_text(json.dumps({"phrases": {"intro": "Colour."}}))
    assert load_script("demo", "en-GB", tmp_path).phrases["intro"] == "Colour."
    assert load_script("demo", "en-US", tmp_path).phrases["intro"] == "Color."
    (tmp_path / "en-GB" / "scripts" / "demo.json").write_text(json.dumps({"steps": [{"pause": 1}]}))
    load_script.cache_clear()
    with pytest.raises(ScriptError, match="may only hold phrases"):
        load_script("demo", "en-GB", tmp_path)


# -- the content guide's numbers ---------------------------------------------------------------------


def _breaths(script_id: str) -> list[tuple[tuple[str, int], ...]]:
    return [
        tuple((p.name, p.seconds) for p in s.phases)
        for s in load_script(script_id).steps
        if isinstance(s, Breath)
    ]


@pytest.mark.parametrize(
    ("script_id", "pattern"),
    [
        ("breathing-belly", (("inhale", 4), ("exhale", 6))),
        ("breathing-even", (("inhale", 5), ("exhale", 5))),
        ("breathing-long-exhale", (("inhale", 4), ("exhale", 8))),
        ("breathing-box", (("inhale", 4), ("hold", 4), ("exhale", 4), ("hold", 4))),
        ("breathing-four-seven-eight", (("inhale", 4), ("hold", 7), ("exhale", 8))),
    ],
)
def test_breathing_patterns_follow_the_content_guide(script_id, pattern):
    assert _breaths(script_id) == [pattern]
    timeline = plan(script_id).timeline
    assert "dizzy" in " ".join(e.text for e in timeline.speech)


@pytest.mark.parametrize("asked", [Options(breaths=12), Options(minutes=10), Options()])
def test_four_seven_eight_never_runs_more_than_four_cycles(asked):
    timeline = plan("breathing-four-seven-eight", asked).timeline
    assert timeline.cycles is not None and timeline.cycles <= 4
    assert (
        sum(
            1
            for e in timeline.entries
            if e.label == "exhale" and e.kind == "speech" and e.text in ("And out", "Out")
        )
        <= 4
    )


@pytest.mark.parametrize("variant", ["full", "legs", "in_bed"])
@pytest.mark.parametrize("pace", PACES)
def test_pmr_tenses_about_five_seconds_and_releases_twenty_to_thirty(variant, pace):
    timeline = plan("pmr", Options(variant=variant, pace=pace)).timeline
    tense = [e.duration for e in timeline.entries if e.kind == "silence" and e.label.startswith("tense:")]
    release = [e.duration for e in timeline.entries if e.kind == "silence" and e.label.startswith("release:")]
    assert tense and all(4 <= t <= 7 for t in tense)
    assert release and all(20 - 1e-6 <= r <= 30 + 1e-6 for r in release)
    groups = {e.label for e in timeline.entries if e.label.startswith("tense:")}
    assert groups == (
        {"tense:feet", "tense:thighs", "tense:hips"}
        if variant == "legs"
        else {f"tense:{g}" for g in ("feet", "thighs", "hips", "belly", "arms", "shoulders", "face")}
    )
    assert timeline.entries[0].label.startswith("say:intro")


def test_pmr_goes_from_the_feet_to_the_head():
    order = [
        e.label for e in plan("pmr").timeline.entries if e.kind == "speech" and e.label.startswith("tense:")
    ]
    assert order[0] == "tense:feet" and order[-1] == "tense:face"


def test_recall_relaxation_never_asks_to_tense():
    words = " ".join(e.text for e in plan("pmr", Options(variant="recall")).timeline.speech).lower()
    assert "without tensing" in words and "tighten" not in words and "squeeze" not in words


def test_in_bed_relaxation_whispers_and_ends_quietly():
    result = plan("pmr", Options(variant="in_bed"))
    assert result.timeline.voice == "whisper"
    assert 'amazon:effect name="whispered"' in result.segments[0].ssml
    assert (
        "sleep" in result.timeline.speech[-1].text and "open your eyes" not in result.timeline.speech[-1].text
    )


def test_bedtime_stretches_hold_ten_seconds_three_times_with_rests_on_both_legs():
    timeline = plan("stretch-bedtime").timeline
    holds = [e for e in timeline.entries if e.label == "hold"]
    starts = sorted({round(e.start, 3) for e in holds if e.kind == "speech" and e.text == "Hold"})
    assert len(starts) == 12  # calf and hamstring, each leg, three holds
    hold_seconds = [sum(e.duration for e in holds if s <= e.start < s + 10) for s in starts]
    assert all(abs(h - 10) < 0.05 for h in hold_seconds)
    rests = [e for e in timeline.entries if e.kind == "speech" and e.text == "And rest."]
    assert len(rests) >= 8
    words = " ".join(e.text for e in timeline.speech)
    assert "don't bounce" in words and "evidence is modest" in words


@pytest.mark.parametrize("script_id", ["acupressure-sp6", "acupressure-lv3"])
def test_acupressure_presses_about_a_minute_per_leg_and_says_when_to_skip(script_id):
    script = load_script(script_id)
    holds = [s for s in script.steps if isinstance(s, Hold)]
    assert len(holds) == 2 and all(h.seconds == 60 and h.high is not None and h.high <= 180 for h in holds)
    assert set(script.skip_if) == {"pregnant", "leg_swollen"}
    assert "pregnant" in " ".join(e.text for e in plan(script_id).timeline.speech)


def test_downward_dog_and_forward_fold_carry_their_cautions_and_easier_options():
    dog = " ".join(e.text for e in plan("stretch-downward-dog").timeline.speech)
    for caution in (
        "high blood pressure",
        "glaucoma",
        "detached retina",
        "wrist",
        "late pregnancy",
        "wall",
        "knees bent",
    ):
        assert caution in dog
    fold = " ".join(e.text for e in plan("stretch-forward-fold").timeline.speech)
    for caution in (
        "osteoporosis",
        "back problems",
        "three or four breaths",
        "table or a wall",
        "knees soft",
    ):
        assert caution in fold


@pytest.mark.parametrize("muscle", ["calf", "foot", "hamstring", "thigh", "shin", "other"])
def test_cramp_coach_stretches_counts_long_exhales_asks_then_gives_aftercare(muscle):
    result = plan(f"cramp-now-{muscle}")
    first, last = result.segments[0], result.segments[-1]
    assert first.prompt == "Has it eased?" and first.on_no == "repeat"
    inhale = sum(e.duration for e in first.entries if e.label == "inhale")
    exhale = sum(e.duration for e in first.entries if e.label == "exhale")
    assert exhale == pytest.approx(2 * inhale) and exhale >= 7 * 8  # long, slow breaths out: 4 in, 8 out
    assert "Warmth" in last.text and "ten minutes" in last.text
    assert result.script.ending == "offer_log"


def test_the_calf_cramp_cue_pulls_the_foot_toward_you():
    assert "pull your foot up toward you" in plan("cramp-now-calf").segments[0].text


@pytest.mark.parametrize(("variant", "last_part"), [("full", "pmr"), ("quick", "visualisation")])
def test_bedtime_routine_is_stretches_then_breathing_then_relaxation(variant, last_part):
    scripts = [e.script for e in plan("routine-bedtime", Options(variant=variant)).timeline.entries]
    order = list(dict.fromkeys(s for s in scripts if s != "routine-bedtime"))
    assert order == ["stretch-bedtime", "breathing-belly", last_part]


@pytest.mark.parametrize("variant", ["full", "quick"])
def test_visualisation_lengths_are_five_and_two_minutes(variant):
    assert plan("visualisation", Options(variant=variant)).timeline.total == pytest.approx(
        {"full": 300, "quick": 120}[variant], rel=MAX_FIT_ERROR
    )


# -- length, limits and cues for every combination ------------------------------------------------------


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_every_combination_fits_its_length_and_alexas_limits(script_id):
    """Every variant, voice, pace and length: within 5 % of a requested length, every segment valid."""
    mine = [options for sid, options in COMBINATIONS if sid == script_id]
    for options in mine:
        result = plan(script_id, options)
        timeline = result.timeline
        if timeline.target is not None:
            error = abs(timeline.total - timeline.target) / timeline.target
            assert error <= MAX_FIT_ERROR, f"{options}: {timeline.total:.0f} s for {timeline.target:.0f} s"
        entries = timeline.entries
        assert all(abs(b.start - a.end) < 0.01 for a, b in itertools.pairwise(entries))
        assert abs(sum(s.duration for s in result.segments) - timeline.total) < 0.01
        for segment in result.segments:
            where = (options, segment.index)
            document = f"<speak>{segment.ssml}</speak>"
            ssml.validate(document)
            assert len(segment.ssml) <= SEGMENT_SSML_BUDGET, where
            assert segment.duration <= MAX_SEGMENT_SECONDS + 1e-6, where
            silence = sum(e.duration for e in segment.entries if e.kind == "silence")
            assert abs(ssml.break_seconds(document) - silence) < 0.01 * len(segment.entries), where


def test_the_combinations_cover_the_options():
    assert len(COMBINATIONS) > 1000
    assert {options.pace for _, options in COMBINATIONS} == set(PACES)
    assert {options.voice for _, options in COMBINATIONS} == set(VOICES)
    assert {options.variant for _, options in COMBINATIONS} == {"full", "legs", "in_bed", "quick", "recall"}


def test_the_budget_leaves_room_for_the_longest_preface_and_prompt():
    catalog = default_catalog()
    longest = max(
        len(ssml.escape(v))
        for key, vs in catalog.items("en-US")
        for v in vs
        if key.startswith(("session.", "technique.note", "technique.cramp", "technique.continue"))
    )
    whisper_and_speak = len(ssml.whisper("")) * 3 + len("<speak></speak>")
    # Two prefaces (a note and a control word), the prompt, and a cramp question at most.
    assert SEGMENT_SSML_BUDGET + 4 * (longest + 1) + whisper_and_speak < ssml.MAX_SPEECH_CHARS


def test_slower_pace_never_drops_speech_below_alexas_floor():
    result = plan("pmr", Options(pace=PACES[-1]))
    rates = re.findall(r'rate="(\d+)%"', result.segments[0].ssml)
    assert rates and all(20 <= int(r) < 100 for r in rates)


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_no_script_cues_pointed_toes(script_id):
    for variant in load_script(script_id).variants:
        words = " ".join(e.text for e in plan(script_id, Options(variant=variant)).timeline.speech)
        hits = [p.pattern for p in BANNED_CUES if p.search(words)]
        assert not hits, f"{script_id} ({variant}) cues plantar flexion: {hits}"


@pytest.mark.parametrize(
    "bad",
    [
        "Now point your toes.",
        "Curl your toes under.",
        "Keep your foot pointed",
        "Point the toes away",
        "plantar flex",
    ],
)
def test_the_banned_cue_scan_catches_what_it_should(bad):
    assert any(p.search(bad) for p in BANNED_CUES)


def test_catalog_cues_do_not_point_the_toes_either():
    words = " ".join(
        v for key, vs in default_catalog().items("en-US") if key.startswith("technique.") for v in vs
    )
    assert not [p.pattern for p in BANNED_CUES if p.search(words)]


# -- golden SSML ----------------------------------------------------------------------------------------


def _golden_text(script_id: str) -> str:
    return "".join(f"<speak>{segment.ssml}</speak>\n" for segment in plan(script_id).segments)


@pytest.mark.parametrize("script_id", SCRIPTS)
def test_golden_ssml_at_default_options(script_id):
    path = GOLDEN / f"{script_id}.ssml"
    rendered = _golden_text(script_id)
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered, encoding="utf-8")
    assert path.is_file(), f"no golden file: run UPDATE_GOLDEN=1 pytest {__file__}"
    assert rendered == path.read_text(encoding="utf-8"), "rendering changed: review it, then UPDATE_GOLDEN=1"


def test_golden_files_are_not_orphaned():
    assert {p.stem for p in GOLDEN.glob("*.ssml")} == set(SCRIPTS)


# -- the words-per-minute model against a real synthesiser ---------------------------------------------


def test_speech_estimate_is_words_at_the_locale_rate():
    assert speech_seconds("one two three four five", "en-US") == pytest.approx(5 * 60 / 155, abs=0.01)
    assert speech_seconds("one two three four five", "en-US", 85) > speech_seconds(
        "one two three four five", "en-US"
    )
    assert speech_seconds("Hello. Again.") > speech_seconds("Hello again")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_espeak_audio_of_a_breathing_segment_matches_the_timeline(tmp_path, capsys):
    from skill.audio.tts import ESPEAK_BASE_SPEED  # the speed the audio renderer calibrated to ~155 wpm

    segment = plan("breathing-belly").segments[0]
    wav = tmp_path / "segment.wav"
    # SSML mode: espeak-ng honours <break time>, so the silences are the timeline's own.
    subprocess.run(
        [
            "espeak-ng",
            "-m",
            "-s",
            str(ESPEAK_BASE_SPEED),
            "-v",
            "en-us",
            "-w",
            str(wav),
            f"<speak>{segment.ssml}</speak>",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    import wave

    with wave.open(str(wav)) as audio:
        measured = audio.getnframes() / audio.getframerate()
    planned = segment.duration
    silence = sum(e.duration for e in segment.entries if e.kind == "silence")
    error = (measured - planned) / planned
    speech_error = ((measured - silence) - (planned - silence)) / (planned - silence)
    with capsys.disabled():
        print(
            f"\nespeak-ng: timeline {planned:.1f} s, audio {measured:.1f} s ({error:+.1%}); speech alone "
            f"{planned - silence:.1f} s planned vs {measured - silence:.1f} s ({speech_error:+.1%})"
        )
    assert abs(error) <= 0.10


# -- the render command ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["render", "breathing-box"], "Box breathing: variant full"),
        (["render", "breathing-box", "--minutes", "5", "--ssml"], "<speak>"),
        (["render", "pmr", "--variant", "legs", "--pace", "slower", "--timeline"], "tense:feet"),
        (["render", "breathing-four-seven-eight", "--breaths", "9"], "note: technique.note.capped_cycles"),
        (["render", "visualisation", "--voice", "whisper", "--ssml"], 'amazon:effect name="whispered"'),
        (["render", "cramp-now-calf"], "[asks: Has it eased?]"),
    ],
)
def test_render_prints_what_would_be_said(args, expected):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_render_refuses_an_unknown_script_and_lists_the_real_ones():
    result = CliRunner().invoke(main, ["render", "yoga-on-the-moon"])
    assert result.exit_code != 0 and "breathing-belly" in result.output


def test_timeline_is_a_clean_public_api_for_audio():
    timeline = build_timeline(load_script("breathing-even"), Options(minutes=2))
    data = timeline.to_dict()
    assert data["total_seconds"] == pytest.approx(120, rel=MAX_FIT_ERROR)
    kinds = {e["kind"] for e in data["entries"]}
    assert kinds <= {"speech", "silence", "checkpoint"}
    assert all({"start", "duration"} <= set(e) for e in data["entries"])
