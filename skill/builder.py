"""The one place the skill is assembled. The handler list below is the routing table: the first
handler whose ``can_handle`` is true answers, so specific handlers come before general ones."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder

from skill.alexa.api_client import TimedApiClient
from skill.config import Settings
from skill.handlers import (
    audio,
    core,
    diary,
    diary_changes,
    diary_questions,
    events,
    interceptors,
    personal,
    questions,
    reminders,
    safety,
    session_control,
    techniques,
)
from skill.personal.disclaimer import FirstUseDisclaimerInterceptor
from skill.services import Services, ServicesInterceptor, build_services


def request_handlers() -> list:
    """Every request handler, in routing order."""
    return [
        # Launch (a returning user first), session end, and events that arrive without a session.
        personal.WelcomeBackLaunchHandler(),
        core.LaunchRequestHandler(),
        events.SkillDisabledHandler(),
        session_control.SessionEndedInTechniqueHandler(),
        core.SessionEndedRequestHandler(),
        core.ExceptionEncounteredHandler(),
        # AudioPlayer and PlaybackController events (no session), for hands-free long sessions.
        audio.PlaybackStartedHandler(),
        audio.PlaybackNearlyFinishedHandler(),
        audio.PlaybackFinishedHandler(),
        audio.PlaybackStoppedHandler(),
        audio.PlaybackFailedHandler(),
        audio.PlaybackControllerHandler(),
        # Safety first: an emergency heard in any slot, stop after a red flag in a log, dizziness
        # during a technique, then a symptom, whatever the user was doing (the screen interceptor has
        # already queued the advice for every other red flag).
        safety.EmergencyHeardHandler(),
        safety.StopAfterRedFlagInLogHandler(),
        safety.DizzyAnswerHandler(),
        safety.DizzyDuringTechniqueHandler(),
        safety.LegCheckedIntentHandler(),
        safety.ReportSymptomIntentHandler(),
        safety.PregnancyModeOnIntentHandler(),
        safety.PregnancyModeOffIntentHandler(),
        # Questions people ask (magnesium, quinine, why at night, "I can't sleep"), and yes to an offer.
        questions.QuestionOfferAnswerHandler(),
        questions.QuestionIntentHandler(),
        # The cramp diary: answers inside its own dialog and to its own questions come first.
        diary.LogDialogInterruptionHandler(),
        diary.DiaryAnswerHandler(),
        diary.LogCrampIntentHandler(),
        diary.CrampGoneIntentHandler(),
        diary.StartCrampTimerIntentHandler(),
        diary_questions.LastCrampIntentHandler(),
        diary_questions.CrampCountIntentHandler(),
        diary_questions.CrampAverageIntentHandler(),
        diary_questions.CrampPatternIntentHandler(),
        diary_questions.CrampTrendIntentHandler(),
        diary_questions.WhatHelpedIntentHandler(),
        diary_questions.PracticeEffectIntentHandler(),
        diary_questions.DiarySummaryIntentHandler(),
        diary_changes.DeleteLastCrampIntentHandler(),
        diary_changes.CorrectCrampIntentHandler(),
        diary_changes.DeleteDiaryIntentHandler(),
        # Guided techniques: answers to a technique's own question, then the controls of a session.
        techniques.TechniqueAnswerHandler(),
        # Pause, resume, next, previous, start over, repeat and stop mean the AudioPlayer when our audio
        # is in control (outside a spoken session): before the spoken session's own controls.
        audio.AudioControlIntentHandler(),
        audio.StopWhilePlayingHandler(),
        audio.LoopShuffleIntentHandler(),
        session_control.SessionControlHandler(),
        session_control.StopSessionHandler(),
        techniques.CrampNowHandler(),
        techniques.StartTechniqueHandler(),
        # Reminders (with the permission answer) and personal preferences.
        reminders.PermissionResponseHandler(),
        reminders.SetReminderIntentHandler(),
        reminders.ListRemindersIntentHandler(),
        reminders.CancelReminderIntentHandler(),
        personal.WelcomeAnswerHandler(),
        personal.SetPreferenceIntentHandler(),
        personal.UsualIntentHandler(),
        personal.SameAsLastTimeIntentHandler(),
        personal.ForgetPreferencesIntentHandler(),
        # Session controls with no session to control: say so helpfully.
        session_control.NoSessionControlHandler(),
        # Built-ins that apply everywhere, after the features that may claim them in context.
        core.HelpIntentHandler(),
        core.StopOrCancelIntentHandler(),
        core.NavigateHomeIntentHandler(),
        core.FallbackIntentHandler(),
        core.UnexpectedYesNoHandler(),
        core.UnhandledIntentHandler(),
        core.UnclaimedRequestHandler(),
    ]


def build_skill(settings: Settings | None = None, services: Services | None = None) -> CustomSkill:
    """Build the skill for the web service, Lambda or tests."""
    settings = settings or Settings.from_env()
    services = services or build_services(settings)
    builder = CustomSkillBuilder(persistence_adapter=services.persistence, api_client=TimedApiClient())
    # ask-sdk declares the attribute only by assigning None, so mypy infers the type None.
    builder.skill_id = settings.skill_id  # type: ignore[assignment]
    for handler in request_handlers():
        builder.add_request_handler(handler)
    builder.add_global_request_interceptor(ServicesInterceptor(services))
    builder.add_global_request_interceptor(interceptors.RequestLogInterceptor())
    # After the services (the screen reads the store and the clock), before every handler.
    builder.add_global_request_interceptor(safety.SafetyScreenInterceptor())
    builder.add_global_request_interceptor(diary.LeaveDialogInterceptor())
    builder.add_global_response_interceptor(diary.LeaveDialogNoteInterceptor())
    builder.add_global_response_interceptor(FirstUseDisclaimerInterceptor())
    builder.add_global_response_interceptor(interceptors.ResponseLogInterceptor())
    builder.add_exception_handler(core.CatchAllExceptionHandler())
    return builder.create()
