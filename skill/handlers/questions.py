"""Questions people ask about cramps: why at night, magnesium, quinine, water, when to see a doctor,
and "I can't sleep".

Each answer is a short phrase (``responses/en/phrases/questions.json``, sources cited beside it)
that ends by offering one thing to do now; a yes hands over to that intent with its slots
(intent chaining, as Alexa allows with ``Dialog.Delegate``), a no says what else to say. No answer
ever tells anyone to start or stop a medicine.
"""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_intent_name, is_intent_name, is_request_type
from ask_sdk_model import Intent, IntentConfirmationStatus, Response, Slot, SlotConfirmationStatus
from ask_sdk_model.dialog import DelegateDirective
from ask_sdk_model.slu.entityresolution import (
    Resolution,
    Resolutions,
    Status,
    StatusCode,
    Value,
    ValueWrapper,
)

from skill.alexa.slots import is_yes_or_no
from skill.speech.reply import respond, speech
from skill.state import session as state

OWNER, OFFER = "questions", "offer"  # the pending question: yes starts what an answer offered
# Question intent -> (phrase, the intent offered, its slot: (name, spoken value, value id) or None).
QUESTIONS: dict[str, tuple[str, str, tuple[str, str, str] | None]] = {
    "NightCrampsQuestionIntent": (
        "questions.night",
        "StartStretchIntent",
        ("stretch", "bedtime stretches", "BEDTIME"),
    ),
    "MagnesiumQuestionIntent": ("questions.magnesium", "StartBreathingIntent", None),
    "QuinineQuestionIntent": ("questions.quinine", "StartBreathingIntent", None),
    "HydrationQuestionIntent": ("questions.hydration", "StartHydrationIntent", None),
    "SeeDoctorQuestionIntent": ("questions.doctor", "DiarySummaryIntent", None),
    "CantSleepIntent": ("questions.sleep", "StartRelaxationIntent", ("variant", "in bed", "IN_BED")),
}


def _slot(name: str, spoken: str, value_id: str) -> Slot:
    """A slot as Alexa sends it after entity resolution matched ``value_id``."""
    match = Resolution(
        authority=f"amzn1.er-authority.echo-sdk.cramp-coach.{name}",
        status=Status(code=StatusCode.ER_SUCCESS_MATCH),
        values=[ValueWrapper(value=Value(name=spoken, id=value_id))],
    )
    return Slot(
        name=name,
        value=spoken,
        confirmation_status=SlotConfirmationStatus.NONE,
        resolutions=Resolutions(resolutions_per_authority=[match]),
    )


class QuestionIntentHandler(AbstractRequestHandler):
    """ "Does magnesium help?", "why do I get cramps at night?", "I can't sleep"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("IntentRequest")(handler_input) and get_intent_name(handler_input) in QUESTIONS

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = str(get_intent_name(handler_input))
        key, _, _ = QUESTIONS[intent]
        state.set_pending(handler_input, OWNER, OFFER, intent=intent)
        return respond(
            handler_input,
            speech(handler_input).say(key),
            reprompt=speech(handler_input).say("questions.reprompt"),
        )


class QuestionOfferAnswerHandler(AbstractRequestHandler):
    """Yes or no to what an answer offered: yes starts it, no says what else to say."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_yes_or_no(handler_input) and state.pending_for(handler_input, OWNER, OFFER) is not None

    def handle(self, handler_input: HandlerInput) -> Response:
        question = state.clear_pending(handler_input, OWNER)
        offered = QUESTIONS.get(str(question.params.get("intent"))) if question else None
        if offered is None or is_intent_name("AMAZON.NoIntent")(handler_input):
            return respond(
                handler_input,
                speech(handler_input).say("questions.declined"),
                reprompt=speech(handler_input).say("launch.reprompt"),
            )
        _, target, slot = offered
        slots = {slot[0]: _slot(*slot)} if slot else {}
        handler_input.response_builder.add_directive(
            DelegateDirective(
                updated_intent=Intent(
                    name=target, slots=slots, confirmation_status=IntentConfirmationStatus.NONE
                )
            )
        )
        return handler_input.response_builder.response
