"""State below the handlers: everything the skill stores, each record with one owner module.

Handlers and flows call the owners' operations; only ``skill.state`` touches the dicts. The time is
``skill.state.clock`` (``services.clock``) for every feature.

Session attributes, namespace ``cc`` (``skill.state.session``); they last one Alexa session:

=================  ==========================================================  =======================
key                value                                                       owner
=================  ==========================================================  =======================
``pending``        ``{"owner", "key", "params"}``: the one question waiting     ``state.session``
                   for a yes or no (``Pending``; owners ``technique``:            (``Pending``)
                   checkpoint/log_offer/log_cramp/ask, ``diary``:
                   offer/retry_save, ``personal``: checkin/resume)
``mode``           ``"technique"`` while a technique plays (contextual help)   ``state.session``
``session``        the engine's ``SessionState`` dict (live spoken session)    ``state.technique``
``cramp``          ``{"started_at", "muscle"?, "side"?}`` being coached          ``state.technique``
``diary_log``      the LogCramp ``Draft`` (``Draft.to_session``)                 ``state.diary_draft``
``diary_last``     id of the entry last logged or talked about                 ``state.diary_draft``
``reminder``       ``{"time", "task", "repeat"}`` awaiting the permission        ``state.reminder``
``reminder_denied`` ``True``: the permission was refused this session           ``state.reminder``
``leg_swollen``    ``True``: no stretch, massage or acupressure (safety hold;  ``state.safety_hold``
                   survives "go home")
``leg_hold_said``  ``True``: why the leg is left out was said this session    ``state.safety_hold``
``flags_said``     red-flag rule ids whose advice was spoken this session     ``state.safety_hold``
=================  ==========================================================  =======================

Persistent record, one item per user (``skill.state.user``; migrated on read by ``user.migrate``):

======================  =====================================================  ============================
key                     value                                                  owner
======================  =====================================================  ============================
``profile.pregnant``    pregnancy mode                                         ``state.safety_hold``
``profile.leg_hold``    ``{"since", "side"}``: leg exercises held for 7 days    ``state.safety_hold``
                        or until the user says the leg was checked
``profile.preferences`` pace, voice, minutes, favourite technique/pattern      ``personal.preferences``
``profile.last_technique`` ``{"script", "options", "at"}``                     ``personal.preferences``
``profile.medicines``   medicines the user named once (diary)                  ``flows.diary_log``
``profile.nights``      night (ISO date) → ``none``/``asked``/``cramps``       ``handlers.personal``
``profile.progress_said_on`` local date the streak was last mentioned          ``handlers.personal``
``profile.disclaimer_heard`` the user has heard the disclaimer                 ``personal.disclaimer``
``open_cramp``          ``{"started_at", "muscle", "side", "source"?}`` timer   ``state.open_cramp``
``unfinished``          ``{"session": SessionState, "saved_at"}`` to resume     ``state.technique``
``playback``            the AudioPlayer position (``audio.playback.Position``)  ``flows.playback``
======================  =====================================================  ============================

The cramp diary and the practice log are not here: they are repositories (``skill.diary``) on the
same store.
"""
