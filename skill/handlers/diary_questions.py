"""Questions about the diary: last cramp, counts, averages, patterns, trend, what helped, practice,
and the spoken summary with a card in the Alexa app. Answers are short and end the session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from skill.alexa.slots import slot_id, slot_text
from skill.alexa.timezone import user_zone
from skill.diary import dates, report, stats
from skill.diary.model import CrampEntry, utc
from skill.diary.repository import StorageError
from skill.diary.tally import Tally
from skill.flows import diary_words as words
from skill.flows.practice import user_id
from skill.services import services
from skill.speech.reply import Speech, respond, speech
from skill.state.clock import local_now, now_utc

log = logging.getLogger(__name__)

DEFAULT_WINDOW_DAYS = 30
MAX_DAYS = 3660


def this_week(now: datetime) -> dates.Period:
    return dates.period_from_date(f"{now.isocalendar().year}-W{now.isocalendar().week:02d}", now)


def recent(now: datetime) -> dates.Period:
    return dates.last_days(DEFAULT_WINDOW_DAYS, now)


def last_week_rolling(now: datetime) -> dates.Period:
    return dates.last_days(7, now)


def asked_period(
    handler_input: HandlerInput, now: datetime, default: Callable[[datetime], dates.Period]
) -> dates.Period:
    """The period the question names ("this week", "in the last ten days", "since Monday"), or the default."""
    days, since, date = (slot_text(handler_input, name) for name in ("days", "since", "date"))
    if days is not None:
        if not days.isdigit() or not 1 <= int(days) <= MAX_DAYS:
            raise dates.DateProblem("invalid", days)
        return dates.last_days(int(days), now)
    if since is not None:
        return dates.since(since, now)
    if date is not None:
        return dates.period_from_date(date, now)
    return default(now)


class DiaryQuestion:
    """What every question shares: the user, now, the repository, and a read of a period."""

    def __init__(self, handler_input: HandlerInput) -> None:
        self.handler_input = handler_input
        self.user = user_id(handler_input)
        self.now = now_utc(handler_input)
        self.local_now = local_now(handler_input)
        self.diary = services(handler_input).diary
        self.said = speech(handler_input)
        self.card: tuple[str, str] | None = None  # (title, text) for the Alexa app

    def bounds(self, period: dates.Period) -> tuple[datetime, datetime]:
        """The period in UTC, ending no later than now."""
        return utc(period.start), min(utc(period.end), self.now + timedelta(seconds=1))

    def entries(self, period: dates.Period) -> list[CrampEntry]:
        return self.diary.entries(self.user, *self.bounds(period))

    def tally(self, period: dates.Period) -> Tally:
        """The period's aggregates, counted by the store (the entries are not read)."""
        return self.diary.tally(self.user, *self.bounds(period))

    def count(self, period: dates.Period) -> int:
        """How many entries a period holds, counted by the store (the entries are not read)."""
        return self.diary.count(self.user, *self.bounds(period))

    def comparable(self, period: dates.Period) -> bool:
        """True when the diary covers the period before this one (and is at least a week old)."""
        if not period.comparable:
            return False
        first = self.diary.first_started_at(self.user)
        return stats.enough_history(first, utc(period.previous().start), self.now)

    def period_words(self, period: dates.Period) -> str:
        return words.period(self.said, period)


class QuestionHandler(AbstractRequestHandler):
    """Base for the diary's questions: reads the period, answers, and turns failures into words."""

    intent = ""
    default_period: Callable[[datetime], dates.Period] = staticmethod(recent)

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_name(self.intent)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        question = DiaryQuestion(handler_input)
        try:
            period = asked_period(handler_input, question.local_now, type(self).default_period)
        except dates.DateProblem as problem:
            said = speech(handler_input).say(f"diary.question.period_{problem.reason}")
            return respond(
                handler_input, said, reprompt=speech(handler_input).say("diary.question.period_reprompt")
            )
        try:
            self.answer(question, period)
        except StorageError:
            log.exception("could not read the diary")
            return respond(handler_input, speech(handler_input).say("diary.read_failed"), end_session=True)
        return self.finish(handler_input, question)

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        raise NotImplementedError

    def finish(self, handler_input: HandlerInput, question: DiaryQuestion) -> Response:
        return respond(handler_input, question.said, card=question.card, end_session=True)


def pattern_sentence(said: Speech, summary: stats.Summary) -> None:
    """ "Mostly your left calf, around 3 am." when the entries show a pattern."""
    place = (
        words.place(said, summary.muscle.value, summary.side.value if summary.side else None)
        if summary.muscle
        else None
    )
    hour = words.hour(summary.hour.value, said.locale) if summary.hour else None
    if place and hour:
        said.say("diary.pattern.place_hour", place=place, hour=hour)
    elif place:
        said.say("diary.pattern.place", place=place)
    elif hour:
        said.say("diary.pattern.hour", hour=hour)


def comparison(question: DiaryQuestion, previous: dates.Period, count: int, earlier: int) -> None:
    """ "That's down from 5 last week." """
    trend = stats.trend(count, earlier, True)
    question.said.say(
        f"diary.compare.{trend.direction}", previous=earlier, period=question.period_words(previous)
    )


class LastCrampIntentHandler(QuestionHandler):
    """ "When was my last cramp?" """

    intent = "LastCrampIntent"

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said, entry = question.said, question.diary.last(question.user)
        if entry is None:
            said.say("diary.last.none")
            return
        fields = {
            "when": words.entry_when(said, entry, question.now),
            "place": words.place(said, entry.muscle, entry.side),
            "severity": entry.severity,
        }
        if entry.is_open:
            said.say("diary.last.still_open", **fields)
        elif entry.duration_s is None:
            said.say("diary.last.plain", **fields)
        else:
            said.say("diary.last.lasting", duration=words.duration(said, entry.duration_s), **fields)


class CrampCountIntentHandler(QuestionHandler):
    """ "How many cramps this week?" — with the week before and the pattern when there is one."""

    intent = "CrampCountIntent"
    default_period = staticmethod(this_week)

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said, previous = question.said, period.previous()
        tally = question.tally(period)
        earlier = question.count(previous) if question.comparable(period) else None
        count = tally.count
        key = "none" if count == 0 else "one" if count == 1 else "many"
        said.say(f"diary.count.{key}", count=count, period=question.period_words(period))
        if earlier is not None:
            comparison(question, previous, count, earlier)
        if count >= 2:
            pattern_sentence(said, stats.summary_of(tally, period.start, period.end))


class CrampAverageIntentHandler(QuestionHandler):
    """ "What's my average severity?" / "How long do my cramps last?" """

    intent = "CrampAverageIntent"

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said, measure = question.said, slot_id(question.handler_input, "measure")
        tally = question.tally(period)
        where = question.period_words(period)
        if not tally.count:
            said.say("diary.none_in_period", period=where)
            return
        summary = stats.summary_of(tally, period.start, period.end)
        if measure in (None, "SEVERITY") and summary.severity_mean is not None:
            said.say(
                "diary.average.severity",
                period=where,
                severity=words.number(summary.severity_mean),
                highest=summary.severity_max,
                count=summary.count,
            )
        if measure in (None, "DURATION"):
            if summary.duration_mean_s is None:
                said.say("diary.average.no_durations")
            else:
                said.say(
                    "diary.average.duration",
                    average=words.duration(said, summary.duration_mean_s),
                    longest=words.duration(said, summary.duration_max_s or 0),
                )


class CrampPatternIntentHandler(QuestionHandler):
    """ "Which muscle cramps most?" / "What time do my cramps happen?" """

    intent = "CrampPatternIntent"

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said, aspect = question.said, slot_id(question.handler_input, "pattern")
        tally = question.tally(period)
        if not tally.count:
            said.say("diary.none_in_period", period=question.period_words(period))
            return
        summary = stats.summary_of(tally, period.start, period.end)
        if aspect == "MUSCLE":
            top, count = summary.muscles[0]
            key = "diary.pattern.muscle" if summary.muscle else "diary.pattern.muscle_mixed"
            said.say(key, muscles=words.label(said, "muscles", top), count=count, total=summary.count)
        elif aspect == "SIDE":
            sides = summary.sides
            if summary.side:
                said.say(
                    "diary.pattern.side",
                    side=words.label(said, "side_name", summary.side.value),
                    count=summary.side.count,
                    total=summary.side.total,
                )
            else:
                said.say("diary.pattern.side_mixed" if sides else "diary.pattern.side_unknown")
        elif aspect == "TIME":
            if summary.hour:
                said.say(
                    "diary.pattern.time",
                    hour=words.hour(summary.hour.value, said.locale),
                    count=summary.hour.count,
                    total=summary.hour.total,
                )
            else:
                said.say("diary.pattern.time_unclear")
        elif summary.muscle or summary.hour:
            pattern_sentence(said, summary)
        else:
            key = "diary.pattern.none_yet_one" if summary.count == 1 else "diary.pattern.none_yet"
            said.say(key, count=summary.count, period=question.period_words(period))


class CrampTrendIntentHandler(QuestionHandler):
    """ "Are my cramps getting better?" — "too few entries" until about a week of logs."""

    intent = "CrampTrendIntent"
    default_period = staticmethod(last_week_rolling)

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said = question.said
        first = question.diary.first_started_at(question.user)
        if first is None:
            said.say("diary.last.none")
            return
        previous = period.previous()
        if not period.comparable or not stats.enough_history(first, utc(previous.start), question.now):
            zone = user_zone(question.handler_input)
            said.say("diary.trend.too_few", since=words.when(said, first, question.now, zone, False))
            return
        current, earlier = question.count(period), question.count(previous)
        trend = stats.trend(current, earlier, True)
        said.say(
            f"diary.trend.{trend.direction}",
            current=current,
            previous=earlier,
            period=question.period_words(period),
            previous_period=question.period_words(previous),
        )


class WhatHelpedIntentHandler(QuestionHandler):
    """ "What helped most?" """

    intent = "WhatHelpedIntent"

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said = question.said
        top, answered = stats.helped_most_of(question.tally(period))
        if top is None:
            said.say("diary.what_helped.nothing" if answered else "diary.what_helped.none_recorded")
            return
        said.say(
            "diary.what_helped.most",
            helped=words.label(said, "helped", top.value),
            count=top.count,
            total=answered,
            period=question.period_words(period),
        )


class PracticeEffectIntentHandler(QuestionHandler):
    """ "Do I get fewer cramps after practice?" — nights after practice against other nights."""

    intent = "PracticeEffectIntent"

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said = question.said
        start, end = utc(period.start), min(utc(period.end), question.now)
        sessions = question.diary.practice(question.user, start, end)
        where = question.period_words(period)
        if not sessions:
            said.say("diary.practice.none", period=where)
            return
        technique, _ = stats.ranking(s.technique for s in sessions)[0]
        said.say(
            "diary.practice.sessions",
            count=len(sessions),
            period=where,
            technique=technique_name(said, technique),
        )
        effect = stats.practice_effect_of_nights(
            question.tally(period).nights(),
            sessions,
            start,
            question.local_now,
            question.diary.first_started_at(question.user),
        )
        if effect.direction == "too_few":
            said.say("diary.practice.too_few")
            return
        said.say(
            "diary.practice.compare",
            practised=effect.practised_nights,
            practised_with=effect.practised_with_cramps,
            other=effect.other_nights,
            other_with=effect.other_with_cramps,
        )
        said.say(f"diary.practice.{effect.direction}")


def technique_name(said: Speech, technique: str) -> str:
    """A technique id as words ("bedtime-stretches" → "the bedtime stretches" if the catalog knows it)."""
    key = f"diary.technique.{technique.lower().replace('-', '_')}"
    return (
        said.text(key)
        if said.catalog.has(said.locale, key)
        else technique.replace("-", " ").replace("_", " ")
    )


class DiarySummaryIntentHandler(QuestionHandler):
    """ "Send my cramp summary to my phone": a short spoken summary and the full one as a card."""

    intent = "DiarySummaryIntent"

    def answer(self, question: DiaryQuestion, period: dates.Period) -> None:
        said = question.said
        tally = question.tally(period)
        where = question.period_words(period)
        if not tally.count:
            said.say("diary.summary.empty", period=where)
            return
        end = min(period.end, question.local_now)
        summary = stats.summary_of(tally, period.start, end)
        if summary.count == 1:
            key = "diary.summary.counts_one"
        elif summary.nights == 1:
            key = "diary.summary.counts_one_night"
        else:
            key = "diary.summary.counts"
        said.say(
            key,
            period=where,
            count=summary.count,
            nights=summary.nights,
            per_week=words.number(summary.cramps_per_week),
        )
        if summary.severity_mean is not None:
            said.say("diary.summary.severity", severity=words.number(summary.severity_mean))
        if summary.duration_median_s is not None:
            said.say("diary.summary.duration", duration=words.duration(said, summary.duration_median_s))
        pattern_sentence(said, summary)
        if summary.helped:
            said.say("diary.summary.helped", helped=words.label(said, "helped", summary.helped[0][0]))
        if summary.red_flags:
            said.say("diary.summary.red_flags", count=len(summary.red_flags))
        said.say("diary.summary.sent")
        self.card = (
            said.text("diary.report.title"),
            report.text_summary(said.text, summary, period.start, end),
        )

    def finish(self, handler_input: HandlerInput, question: DiaryQuestion) -> Response:
        return respond(handler_input, question.said, card=getattr(self, "card", None), end_session=True)
