"""The words the free-text screen (``skill.safety.screen``) listens for: data, not logic.

Every pattern is a regular expression over normalised text (lower case, straight apostrophes,
``n't`` spelt ``not``: "won't" → "wo not", "can't" → "ca not", "isn't" → "is not"; see
``screen.normalise``). Symptom ids are the ones the rules table reads (``skill.safety.redflags``)
and ReportSymptomIntent's SafetySymptom type resolves to.

Order matters: patterns are tried top to bottom and each match consumes its words, so a specific
phrase ("chest pain", "hurts when I pull my foot up", "cramps are getting worse") is read before
the generic word inside it ("pain", "hurts", "getting worse"). Harmless phrases (``HARMLESS``) are
blanked first: "hot water bottle" is not warmth, "sore throat" is not a sore leg. docs/safety.md
says why each decision was made.
"""

from __future__ import annotations

LEG_PART = (
    r"legs?|calf|calves|calfs|foot|feet|ankles?|thighs?|shins?|knees?|hamstrings?|toes?|heels?"
    r"|instep|arch of my foot|soles?|quads?|back of my (?:knee|leg)"
)
PLURAL_LEG = r"legs|calves|calfs|feet|ankles|thighs|shins|knees|hamstrings"
# A body part that is not a leg: its own swelling or soreness is not the picture of a leg clot.
OTHER_PART = (
    r"arms?|hands?|fingers?|thumbs?|wrists?|elbows?|shoulders?|neck|face|eyes?|lips?|throat|head"
    r"|tummy|stomach|belly|back(?! of)|bum|bottom|gums?|teeth|tooth|ears?|nose"
)

# Blanked before anything else is read.
HARMLESS = (
    r"hot[- ]water[- ]bottles?|hot water|heat(?:ing)? pads?|wheat bag|electric blanket",
    r"(?:warm|hot) (?:bath|shower|towel|flannel|socks|blanket|bed|milk|drink|tea|water|room|weather"
    r"|day|night|pack|compress|chocolate|cup)s?",
    r"hot (?:flush|flushes|flash|flashes)|warm(?:ed|ing)? (?:it |them |my legs? )?up|keep(?:ing)? (?:it "
    r"|them |my \w+ |me )?warm",
    r"sore throat|headaches?|head ache|stomach ?aches?|tummy ?aches?|heartburn|tooth ?ache|earache",
    r"red wine|red meat|dark chocolate|weak tea|dead tired|right now|all right|right away|alright"
    r"|feel(?:ing)? (?:a bit |so |really )?(?:blue|down|low)",
    r"pain ?killers?|pain relief|painkiller|no pain no gain|in pain with a cramp",
    # Palpitations are not a leg sign (and not in the guide's red flags): not "throbbing".
    r"(?:heart|pulse) (?:is |'s )?(?:pounding|racing|thumping|pulsing|throbbing)|pounding (?:heart|head)",
    r"lead(?:s|ing)? (?:to|up|me|us|the way)|lead a\b|led to",
    r"cramp (?:has |had )?(?:stopped|eased|gone|passed|went away)",
    # "nothing helped" negates no sign: Alexa's slot values carry no commas ("nothing helped it's throbbing").
    r"nothing (?:has |had |is |really )?help(?:ed|s|ing)|nothing worked|nothing works",
    r"\bi(?:'m| am| feel| felt|'m feeling| am feeling| was| get)(?: a bit| a little| quite| so| really"
    r"| very| too| all)?"
    r" (?:hot|warm|feverish|sweaty)\b(?! (?:in|on|around|at|down|over) )",
    r"pregnancy mode|(?:last|previous|past|earlier|other) pregnanc(?:y|ies)|when i was pregnant"
    r"|while i was pregnant",
    r"not (?:that|too|very|so|as|really that|overly|terribly|hugely|massively|only|just|sure|certain)\b"
    r"|(?:do|does|did) not know|no idea|ca not tell|no wonder|no reason|not quite sure|no matter"
    r"|no more than|not long",
)

# A length said next to these is a cramp's length (not "breathe for ten minutes").
CRAMP_WORDS = (
    r"\b(?:cramps?|cramping|cramped|spasms?|charley horse|charlie horse|knotted|seized up|locked up)\b"
)
# A length said after these is how long something has lasted ("it has lasted more than ten minutes").
LENGTH_WORDS = (
    r"\b(?:lasted|lasting|been going(?! to)|going on|gone on|been cramping|for the (?:last|past))\b"
)
# "It won't stop" is about the cramp unless nothing in the words points to one.
CRAMP_CONTEXT = CRAMP_WORDS[:-3] + r"|it|this|pain|muscle|" + LEG_PART + r")\b"

# (symptom id, pattern). Negation is read by the screen, except where the pattern itself carries it.
SYMPTOMS: tuple[tuple[str, str], ...] = (
    # Emergency: the lungs [C14, C15].
    (
        "BREATHLESS",
        r"\bca ?not (?:really |properly )?(?:breathe|catch my breath|get my breath)"
        r"(?! (?:in|out) (?:for|that|so|as|through|slowly|to|fully|all the way))"
        r"(?! (?:that|so|as|this) (?:slow|slowly|long|deep|deeply|fast))"
        r"(?! through (?:my|the) (?:nose|mouth))(?! for (?:that|so|this) long)(?! for \w+(?: seconds"
        r"| counts)?\b)",
    ),
    (
        "BREATHLESS",
        r"short(?:ness)? of breath|breathless|struggling (?:to|for) breath(?:e)?|trouble breathing"
        r"|difficulty breathing|hard to breathe|fighting for breath|gasping|breathing (?:is )?(?:hard"
        r"|difficult)"
        r"|can hardly breathe|could not breathe|out of breath(?! (?:from|after) (?:the stairs|walking"
        r"|my walk|running|exercise|the gym|climbing|the walk|gardening))"
        r"|(?:puffed|winded|puffing)(?! (?:from|after|out from))",
    ),
    (
        "CHEST_PAIN",
        r"chest (?:pains?|hurts?|is hurting|(?:(?:feels?|is|'s|has gone) )?(?:really |very |so |quite |a bit "
        r"|a little |all )?"
        r"(?:tight|heavy|sore|painful)|tightness)"
        r"|(?:pain|pains|tightness|pressure|ache|a weight) (?:in|on|across) (?:my|the) chest"
        r"|tight chest|sore chest|crushing (?:pain|feeling)|(?:having|have) a heart attack",
    ),
    ("COUGHING_BLOOD", r"cough(?:ing|ed)? (?:up )?(?:some )?blood|blood when i cough|spitting (?:up )?blood"),
    # Tetanus [C19].
    (
        "LOCKJAW",
        r"lock ?jaw|jaw (?:is |feels |has |'s )?(?:gone )?(?:stiff|locked|tight|clenched|seized)"
        r"|stiff jaw|ca not open my mouth",
    ),
    ("SWALLOWING", r"(?:trouble|difficulty|problems?) swallowing|hard to swallow|ca not swallow"),
    # The cramp's course [C1, C2, C3].
    (
        "LONG_CRAMP",
        r"(?:wo|will|does|is|'s|has|have|still|are|'re) not (?:stop|stopped|stopping|ease|eased|easing"
        r"|go away|gone away|let go|let up"
        r"|shift|budge|settle|settling|going away|passing|pass|calm down|relax|loosen)"
        r"|(?:keeps|still) going|still (?:cramping|there|tight|locked|knotted|hurting)|still (?:has"
        r"|have) (?:a|the) cramp"
        r"|(?:cramp|it) (?:is|'s|keeps) getting worse|(?:no|nothing) (?:is )?(?:helping|working)",
    ),
    (
        "FREQUENT",
        r"every (?:single )?night|most nights|night after night|all the time|several times a night"
        r"|(?:two|three|four|five|many|several|a few|\d+) times (?:a|every|each) night|every day"
        r"|every morning"
        r"|more and more often|more often|more frequent|cramps (?:are|have been|keep) getting (?:worse"
        r"|more frequent|more often)"
        r"|almost every|nearly every|constantly|non ?stop",
    ),
    (
        "SLEEP_DISTURBED",
        r"keeps? (?:on )?waking me|wakes? me (?:up )?(?:every|most|all|each|night)|can not (?:get to )?sleep"
        r"|ruin(?:s|ing)? my sleep|stop(?:s|ping)? me (?:from )?sleeping|keeps? me (?:up|awake)|no sleep",
    ),
    (
        "DARK_URINE",
        r"(?:dark|brown|cola|tea|coke)[- ]colou?red (?:urine|pee|wee|water)|(?:dark|brown) (?:urine|pee|wee)"
        r"|(?:urine|pee|wee|water) (?:is|looks|has gone|went|was|has been|is really|is very) (?:really "
        r"|very |quite )?"
        r"(?:dark|brown|cola|tea|coke|the colou?r of (?:cola|tea|coke))",
    ),
    # A clot in one leg [C13, C14, C15]; read before the generic pain words.
    (
        "PAIN_ON_FLEX",
        r"(?:hurts?|pain(?:ful)?|sore|worse|agony|kills) (?:more )?(?:when|if) i (?:pull|bend|flex|lift"
        r"|point)"
        r" (?:my |the )?(?:foot|toes|ankle)(?: up)?|pulling my (?:foot|toes) up hurts",
    ),
    (
        "INCREASING_PAIN",
        r"getting worse|worse and worse|more and more (?:painful|sore)|getting more (?:painful|sore)"
        r"|(?:pain|soreness|ache|it) (?:is|'s) (?:increasing|growing|spreading)|hurts more and more"
        r"|worsening",
    ),
    ("THROBBING", r"throb(?:s|bing|bed)?|pounding|pulsing"),
    (
        "SWELLING",
        r"swol+en|swelling|swelled|swells|puff(?:y|ed up|ing up)|bloated|(?:bigger|fatter|thicker) than"
        r" (?:the other|my other|my (?:left|right)|the (?:left|right))|tight and shiny|ballooned",
    ),
    (
        "REDNESS",
        r"\bred(?:der|dish|ness)?\b(?! (?:wine|meat))|flushed|inflamed|red (?:patch|streaks?|lines?|blotch)",
    ),
    (
        "DARKER",
        r"darker|gone dark|turned dark|discolou?r(?:ed|ation)|purple|purplish|bluish|blue|mottled"
        r"|black and blue",
    ),
    (
        "WARMTH",
        r"\bwarm(?:er|th)?\b|\bhot\b|burning hot|heat coming off|feels? hot|(?:warmer"
        r"|hotter) than (?:the|my) other",
    ),
    # Signs to see a doctor about [C1, C3, C5].
    (
        "NUMBNESS",
        r"numb(?:ness)?|no feeling|lost (?:the |all )?feeling|ca not feel (?:my|the|it)|dead (?:leg|foot)"
        r"|(?:leg|foot) (?:feels|is|has gone|went) dead",
    ),
    # Tingling is numbness in a leg or foot, and breathing too hard anywhere else (``LIGHT_HEADED``).
    ("TINGLING", r"pins and needles|tingl(?:e|es|ing|y)"),
    (
        "WEAKNESS",
        r"\bweak(?:ness|er)?\b|giv(?:es|ing) way|gave way|buckl(?:es|ed|ing)|no strength|lost (?:its|my"
        r"|the) strength"
        r"|ca not (?:lift|stand on|put weight on|walk on|move) (?:my|the|it)|floppy|foot drop"
        r"|dragging my foot",
    ),
    ("WASTING", r"wasting|getting thinner|thinner than|shrinking|losing muscle|lost muscle|shrunk"),
    (
        "DIRTY_WOUND",
        r"rusty (?:nail|metal|wire)|dirty (?:cut|wound|graze|scratch)|deep (?:cut|wound|gash)|puncture"
        r"|(?:stood|stepped|trod) on (?:a |some )?(?:nail|glass|something sharp|a thorn)|(?:dog|cat"
        r"|animal) bite"
        r"|bitten by|cut (?:myself|my \w+) (?:on|in|with|while|gardening)|infected (?:cut|wound)|gash|manure"
        r"|soil (?:in|got in)|(?:a |the )?(?:cut|wound|graze) (?:from|in) the garden",
    ),
    (
        "TOXIN",
        r"mercury|lead (?:paint|dust|pipes?|poisoning|fumes|solder|shot|work|flashing)|(?:with|of) lead\b"
        r"|exposed to lead|lead exposure|lead-based",
    ),
    # Soreness, tenderness, pain: never a flag alone (a muscle may be tender for a day after a cramp
    # [C1]); next to warmth in one leg it is the clot level (see skill.safety.redflags).
    (
        "MUSCLE_ACHE",
        r"\bsore(?:ness)?\b|tender(?:ness)?|\bach(?:e|es|ing|y)\b|aching|painful|\bhurt(?:s|ing)?\b"
        r"|\bpain(?:s|ing|ed)?\b"
        r"|agony|killing me|\bkills\b",
    ),
)

MEDICINES: tuple[tuple[str, str], ...] = (
    (
        "STATIN",
        r"statins?|atorvastatin|simvastatin|rosuvastatin|pravastatin|fluvastatin|pitavastatin|lovastatin"
        r"|lipitor|crestor|zocor|cholesterol (?:medicine|medication|meds|tablets?|pills?|drug)",
    ),
    (
        "DIURETIC",
        r"diuretics?|water (?:pills?|tablets?)|furosemide|frusemide|lasix|bendroflumethiazide"
        r"|hydrochlorothiazide|indapamide|bumetanide|spironolactone|chlorthalidone",
    ),
)
NEW_MEDICINE = (
    r"new (?:medicine|medication|meds|tablets?|pills?|prescription|drug)|(?:started|starting"
    r"|began) (?:taking |on )?"
    r"(?:a |some )?new|changed my (?:medicine|medication|tablets|pills)|(?:dose|dosage) (?:was "
    r"|has been )?(?:changed|increased|upped)"
)

# "I'm pregnant" in people's words [C16]; never someone else's pregnancy, never a negated one.
PREGNANCY = (
    r"\bpregnan(?:t|cy)\b"
    r"|\b(?:i am|i'm|im|we are|we're|am|currently) expecting\b(?! (?:it|that|to|the|him|her|them|you|a call"
    r"|a delivery|more|worse|better|a parcel|a package|someone|visitors|company))"
    r"|expecting (?:a baby|twins|triplets|our|my first|my second)|having a baby|with child"
    r"|\b(?:first|second|third|last) trimester|(?:baby is|i am|i'm) due (?:in|next|on|any)|my due date"
    r"|weeks? (?:along|gone)\b"
)
OTHER_PERSON = (
    r"\b(?:my|our|his|her) (?:wife|partner|daughter|sister|girlfriend|friend|granddaughter|niece|mum|mother"
    r"|daughter in law|daughter-in-law|patient|neighbour|neighbor|colleague)\b|\bshe(?: is|'s)?\b"
    r"|\bthey(?: are|'re)\b"
)
NOT_PREGNANT = r"\b(?:had (?:my|the|our) baby|gave birth|since the baby|after (?:the|my) baby)\b"

# Breathing too fast or deep (a pattern too strong for someone): the guide's caution [T1, T3].
LIGHT_HEADED = (
    r"dizz(?:y|iness)|light ?headed(?:ness)?|light-headed(?:ness)?|woozy|giddy|(?:head|room) is spinning"
    r"|(?:feel|feeling|going to|might|about to|gonna) faint|fainting|spaced out|tingl(?:e|es|ing|y)"
    r"|pins and needles"
)

# A negation before a sign in the same clause: "no swelling", "not swollen", "without any redness".
# Degrees and doubt ("not that swollen", "not sure if it's red") are blanked first (``HARMLESS``).
NEGATION = r"\b(?:no|not|without|never|nor|neither|none|nothing|zero)\b"
NEGATION_REACH = 6  # words between the negation and the sign ("no sign of any swelling")

# After a sign, in the same clause: it has gone ("the swelling has gone down").
GONE_AFTER = (
    r"^\W*(?:\w+ ){0,2}?(?:has |have |is |was |had )?(?:gone (?:down|away)|went (?:down|away)|disappeared"
    r"|cleared(?: up)?|settled(?: down)?|(?:is |'s )?gone|any ?more)\b"
)
# Clause breaks: punctuation, contrast words, and "and" that starts a new statement.
CLAUSE_BREAK = (
    r"[.;!?]|,(?= ?(?:and |but |so |now |then |it|its|i |i'm|im |my |the |this |that |there|though|also))"
    r"|\b(?:but|though|although|however|whereas|yet|except)\b"
    r"|\band (?=(?:it|its|i|i'm|im|my|the|now|there|this|that|also|then|suddenly)\b)"
)
