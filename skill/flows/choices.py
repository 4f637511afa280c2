"""Which script each slot value starts: the start intents' tables, shared by the technique handlers
and "the usual" (personal preferences). Adding a script that a slot value names is an edit here and
in the interaction model's slot type.
"""

from __future__ import annotations

SCRIPT_FOR_PATTERN = {
    "BELLY": "breathing-belly",
    "EVEN": "breathing-even",
    "LONG_EXHALE": "breathing-long-exhale",
    "BOX": "breathing-box",
    "FOUR_SEVEN_EIGHT": "breathing-four-seven-eight",
}
SCRIPT_FOR_STRETCH = {
    "BEDTIME": "stretch-bedtime",
    "CALF": "stretch-calf",
    "HAMSTRING": "stretch-hamstring",
    "TOWEL": "stretch-towel",
    "FORWARD_FOLD": "stretch-forward-fold",
    "DOWNWARD_DOG": "stretch-downward-dog",
}
SCRIPT_FOR_POINT = {"SP6": "acupressure-sp6", "LV3": "acupressure-lv3"}
SCRIPT_FOR_MUSCLE = {
    "CALF": "cramp-now-calf",
    "FOOT": "cramp-now-foot",
    "TOES": "cramp-now-foot",
    "SHIN": "cramp-now-shin",
    "THIGH": "cramp-now-thigh",
    "HAMSTRING": "cramp-now-hamstring",
    "OTHER": "cramp-now-other",
}
# A technique named without details starts its everyday script.
SCRIPT_FOR_TECHNIQUE = {
    "BREATHING": "breathing-belly",
    "RELAXATION": "pmr",
    "VISUALISATION": "visualisation",
    "STRETCH": "stretch-bedtime",
    "HYDRATION": "hydration",
    "ACUPRESSURE": "acupressure-sp6",
    "ROUTINE": "routine-bedtime",
}
