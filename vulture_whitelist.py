# ruff: noqa: F821, B018
"""Names vulture (``make lint``) reports that are used, only not in a way it can see.

Each line names the use. Dead code is deleted, not listed here.
"""

# ask-sdk persistence adapters: called by ask-sdk's AttributesManager.
get_attributes
save_attributes
# Flask routes (registered by decorator), gunicorn's BaseApplication hook, urllib's redirect hook.
health
alexa
audio_file
load_config
redirect_request
kwargs
row_factory  # sqlite3 reads it
# Type aliases and value tables that document a stored or typed field.
Respell
Variant
SOURCES
# Used by the tests: a cache reset, the fit tolerance they check against, progress fields, the
# locale-limited SSML wrapper the locale tests hold all code to.
clear_cache
MAX_FIT_ERROR
practised_tonight
styled
_named  # skill/models.py is another issue's; left for it
# The renderer's measurable pieces, which the audio timing tests call directly.
silence
silent_runs
render_parts
is_complete
# Tests wait for a background render to finish before they look at the store.
wait_for_background
# The figures computed from entries: the reference the stored tallies are proven equal to.
helped_most
practice_effect
# Seeding DynamoDB with tallies (bench and tests); the Lambda module's hook registration, read by tests.
tally_items
SNAPSTART_HOOKS
delegated  # skill/localchat is another issue's (a dataclass field it reads back)
