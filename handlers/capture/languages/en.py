"""English."""

from handlers.capture.lexicon import Lexicon
from handlers.domain import ActivityKind, Stage

LEXICON = Lexicon(
    code="en",
    kinds={
        ActivityKind.EMAIL: r"e-?mailed|sent (?:an |the |a )?e-?mail|e-?mail from|wrote to|mailed"
        r"|(?:by|via|over) e-?mail",
        ActivityKind.MEETING: r"had coffee|coffee w/?|catch-?up with|sat down with|met up with|"
        r"met|meeting|visited|visit|lunch|dinner|demo(?:ed)?|coffee with",
        ActivityKind.CALL: (
            r"quick call|call w/?|chat(?:ted)? w(?:ith|/)?|"
            r"called|phoned|rang|spoke|talked|had a call|call with|call w/?|on the phone|phone call"
        ),
        ActivityKind.NOTE: r"note",
    },
    intent=(
        r"check (?:back|in)|try (?:again|back)|circle back|"
        r"touch base|reconnect|next (?:call|meeting|chat|catch-?up)|"
        r"nudge|"
        r"call(?:ing)? (?:\w+ )?back|callback|call|ring|remind(?: me)?|reminder|fol+ow(?:[- ]?up)?"
        r"|f/u|get back|check in|ping|chase|reach out|e-?mail (?:\w+ )?(?:again|back)|meet again"
    ),
    stages={
        Stage.NEEDS: r"wants? (?:a |the )?(?:quote|pricing|price|proposal|offer)|asked for (?:a )?"
        r"(?:quote|pricing|price|proposal)|interested in",
        Stage.OFFER: r"(?:sent|e-?mailed)(?: \w+){0,2} (?:the |a |an |our )?"
        r"(?:offer|proposal|quote)",
        Stage.NEGOTIATION: r"negotiat\w*|discount|haggl\w*",
        Stage.CONTRACT: r"signed|signing the contract|closed the deal|deal closed",
        Stage.DELIVERY: r"delivered|shipped|installation|installing|onboarding",
        Stage.COMPLETED: r"paid|payment received|invoice paid|completed|project done",
        Stage.LOST: r"lost|declined|went with(?: \w+)?|chose (?:a )?competitor|not interested"
        r"|no longer "
        r"interested|rejected",
    },
    person_cues=(
        r"met(?: with)?|meeting with|called|phoned|rang|spoke (?:to|with)|talked (?:to|with)"
        r"|e-?mailed|e-?mail from|e-?mail to|call back|call(?: with)?|ring|remind me to call"
        r"|lunch with"
        r"|dinner with|coffee with|demo for|call back|call|ping|sent|e-?mail|text|chase|w/|w"
        r"|with|to|visited"
    ),
    company_cues=r"from|at|of|@",
    titles=r"mr|mrs|ms|miss|dr|mister",
    stopwords=frozenset(
        """a an the and or but from at of with to for about re on in by back up again today
        tomorrow tonight next this that they them he she him her his their we us our i me my it
        its you your is are was were be been wants want needs need said says asked will would
        can could should regarding meeting call called email emailed note remind follow later
        soon asap week weeks day days hour hours minute minutes morning afternoon evening noon
        pm am quote offer deal contract pricing demo about who team office there here folow
        followup him her them back re the before after last done season w moved has have had
        still
        monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs
        fri""".split()
    ),
    today=r"today|tonight|this (?:morning|afternoon|evening)",
    tomorrow=r"tomorrow|tmrw|tmr|tomorow|tommorow|tommorrow",
    day_after_tomorrow=r"(?:the )?day after (?:tomorrow|tmrw|tmr)",
    weekdays=(
        r"monday|mon",
        r"tuesday|tues?",
        r"wednesday|wed|weds",
        r"thursday|thu|thur|thurs",
        r"friday|fri",
        r"saturday",
        r"sunday",
    ),
    months=(
        r"january|jan",
        r"february|feb",
        r"march|mar",
        r"april|apr",
        r"may",
        r"june|jun",
        r"july|jul",
        r"august|aug",
        r"september|sept?",
        r"october|oct",
        r"november|nov",
        r"december|dec",
    ),
    relative=r"in|within",
    numbers={"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6},
    units={
        "minute": r"minutes?|mins?",
        "hour": r"hours?|hrs?|h",
        "day": r"days?",
        "week": r"weeks?|wks?",
        "month": r"months?",
    },
    next_week=r"(?:next|nxt) (?:week|wk)",
    clock_markers=r"at|@|around|by|after",
    hour_suffix=r"o'?clock|h",
    hour_words={
        "two": 2,
        "three": 3,
        "four": 4,
        "five": 5,
        "six": 6,
        "seven": 7,
        "eight": 8,
        "nine": 9,
        "ten": 10,
        "eleven": 11,
        "twelve": 12,
    },
    minutes_before_hour=(
        ("half past|half", 30),  # "half 4" is 4:30 in British English
        ("quarter past", 15),
        ("quarter to|quarter of", -15),
    ),
    day_of_month=(
        r"(?:on |by |till |until )?the (?P<day>\d{1,2})(?:st|nd|rd|th)",
        r"(?:on )?(?P<day>\d{1,2})(?:st|nd|rd|th)(?=\s*(?:$|[,.;!?)]|at |@))",
    ),
    day_then_hour=True,
    quantity_units=r"licen[cs]es?|seats?|units?|pcs|pieces?|users?|boxes|items?|pallets?|trucks?"
    r"|people|employees|laptops?|computers?",
    morning=r"morning",
    afternoon=r"afternoon",
    evening=r"tonight|(?:in the )?evening|night",
    hints=r"the|and|with|from|call|back|tomorrow|met|called|wants|at|he|she|they|remind|me",
)
