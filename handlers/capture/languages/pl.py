"""Polish (folded: ą ć ę ł ń ó ś ź ż are written a c e l n o s z z)."""

from handlers.capture.lexicon import Lexicon, ordinal_days
from handlers.domain import ActivityKind, Stage

LEXICON = Lexicon(
    code="pl",
    kinds={
        ActivityKind.EMAIL: r"(?:wyslal[ae]?m|napisal[ae]?m) (?:maila|e-?maila|wiadomosc)"
        r"|mail(?:a|em)?|e-?mail(?:a|em)?|napisal[ae]?m do",
        ActivityKind.MEETING: r"(?:bylem|bylam|bylismy) na spotkaniu|na spotkaniu z|"
        r"spotkanie|spotkal[ae]?m(?: sie)?|spotkalismy sie|bylem u|bylam u"
        r"|wizyta|odwiedzil[ae]?m|lunch|obiad|kawa z|demo|prezentacja",
        ActivityKind.CALL: r"rozmowa telefoniczna|gadalem|gadalam|"
        r"dzwonil[ae]?m|zadzwonil[ae]?m|rozmawial[ae]?m|rozmowa"
        r"|telefon(?:icznie)?"
        r"|dzwonil[ae]?|oddzwonil[ae]?",
        ActivityKind.NOTE: r"notatka|notka",
    },
    intent=(
        r"(?:kolejny|nastepny) telefon|(?:kolejne|nastepne) spotkanie|"
        r"sprobuje (?:jeszcze raz|ponownie)|zadzwonie ponownie|"
        r"zadzwonic|zadzwonie|zadzwon|oddzwonic|oddzwonie|oddzwon|przypomnij(?: mi)?|przypomnienie"
        r"|oddzownic|zadzownic|oddzwonic"
        r"|odezwac sie|odezwe sie|odezwij sie|wrocic do|wroce do|skontaktowac sie|skontaktuje sie"
        r"|napisac|napisze|follow[- ]?up|dac znac|ponowic kontakt|przedzwonic|przedzwonie"
    ),
    stages={
        Stage.NEEDS: r"chc[ae] (?:wyceny|wycene|oferty|oferte)"
        r"|prosi(?:l[aiy]?)? o (?:wycene|oferte)"
        r"|zainteresowan[iya]\w*",
        Stage.OFFER: r"wyslal[ae]?m (?:im |mu |jej )?(?:oferte|wycene|propozycje)|oferta wyslana",
        Stage.NEGOTIATION: r"negocj\w*|rabat\w*|upust\w*",
        Stage.CONTRACT: r"podpisal[iy]?(?: umowe)?|umowa podpisana|podpisana umowa",
        Stage.DELIVERY: r"dostarcz\w*|dostawa|wysylka|wdrozenie|instalacja",
        Stage.COMPLETED: r"zaplacil[aiy]?|zaplacone|oplacone|faktura oplacona|zakonczon\w*",
        Stage.LOST: r"przegral[ae]?m|stracil[ae]?m|odmowil[iy]?|rezygnuj\w*|zrezygnowal[iy]?"
        r"|wybral[iy]? konkurencje|nie (?:sa )?zainteresowan\w*|konkurencj\w*",
    },
    person_cues=(
        r"z panem|z pania|z|ze|do|dla|u|pana|pani|panem|pania|spotkanie z|rozmowa z"
        r"|zadzwonic do|zadzwonie do|zadzwon do|oddzwonic do|przypomnij(?: mi)? o"
    ),
    company_cues=r"z firmy|z|ze|w firmie|firma|firmy|w|od|@",
    titles=r"(?:pan|pani|panem|pania|pana|panu|p|dr|mgr|inz|prezes\w*|dyrektor\w*|kierownik\w*)"
    r"(?:\.?\s+(?:pan|pani|panem|pania|pana|dyrektor\w*|prezes\w*))?",
    stopwords=frozenset(
        """i a ale albo lub z ze do dla u w we na o od po przez dzis dzisiaj jutro pojutrze
        wieczorem
        rano tydzien tygodniu tygodnia godz godzine godziny dni dzien jest sa byl byla chce chca
        oferta oferte wycene umowa umowe zadzwonic oddzwonic przypomnij spotkanie rozmowa ze
        mnie mi mu jej im ich go ja on ona oni my pan pani poniedzialek wtorek sroda srode czwartek
        piatek sobota sobote niedziela niedziele przyszlym nastepnym ok bo ze ktory ktora""".split()
    ),
    today=r"dzis(?:iaj)?|dzis wieczorem|wieczorem",
    tomorrow=r"jutro",
    day_after_tomorrow=r"pojutrze",
    weekdays=(
        r"(?:w )?(?:poniedzialek|pon|pn)|poniedzialku",
        r"(?:we )?(?:wtorek|wt)|wtorku",
        r"(?:w )?(?:srode|sr)|sroda|srody",
        r"(?:w )?(?:czwartek|czw)|czwartku",
        r"(?:w )?(?:piatek|pt)|piatku",
        r"(?:w )?(?:sobote|sob)|sobota|soboty",
        r"(?:w )?(?:niedziele|ndz)|niedziela|niedzieli",
    ),
    months=(
        r"stycznia|styczen|sty",
        r"lutego|luty|lut",
        r"marca|marzec|mar",
        r"kwietnia|kwiecien|kwi",
        r"maja|maj",
        r"czerwca|czerwiec|cze",
        r"lipca|lipiec|lip",
        r"sierpnia|sierpien|sie",
        r"wrzesnia|wrzesien|wrz",
        r"pazdziernika|pazdziernik|paz",
        r"listopada|listopad|lis",
        r"grudnia|grudzien|gru",
    ),
    relative=r"za|w ciagu|po",
    numbers={
        "jeden": 1,
        "jedna": 1,
        "jedne": 1,
        "dwa": 2,
        "dwie": 2,
        "trzy": 3,
        "cztery": 4,
        "piec": 5,
    },
    units={
        "minute": r"minut[ey]?|min",
        "hour": r"godzin[ey]?|godz|h",
        "day": r"dni|dzien",
        "week": r"tygodni(?:e|a)?|tydzien",
        "month": r"miesiac[ea]?|miesiecy",
    },
    next_week=r"w (?:przyszlym|przysz\.?|nastepnym|nast\.?) (?:tygodniu|tyg\.?)|za tydzien",
    clock_markers=r"o godz(?:inie)?\.?|o|na|okolo|kolo|godz\.?|po",
    hour_suffix=r"h|godz",
    hour_words={
        "pierwszej": 1,
        "drugiej": 2,
        "trzeciej": 3,
        "czwartej": 4,
        "piatej": 5,
        "szostej": 6,
        "siodmej": 7,
        "osmej": 8,
        "dziewiatej": 9,
        "dziesiatej": 10,
        "jedenastej": 11,
        "dwunastej": 12,
    },
    minutes_before_hour=(("wpol do", -30), ("kwadrans po", 15), ("za kwadrans", -15)),
    day_words=ordinal_days(
        (
            "pierwszego",
            "drugiego",
            "trzeciego",
            "czwartego",
            "piatego",
            "szostego",
            "siodmego",
            "osmego",
            "dziewiatego",
        ),
        (
            "dziesiatego",
            "jedenastego",
            "dwunastego",
            "trzynastego",
            "czternastego",
            "pietnastego",
            "szesnastego",
            "siedemnastego",
            "osiemnastego",
            "dziewietnastego",
        ),
        {20: ("dwudziestego", "dwudziestego "), 30: ("trzydziestego", "trzydziestego ")},
    ),
    day_of_month=(r"(?P<day>\d{1,2})-?go",),
    quantity_units=r"szt(?:uk[ia]?)?\.?|licencj[ie]|licencji|sztuk|palet[y]?|uzytkownik\w*|osob"
    r"|pracownik\w*|laptop\w*|komputer\w*|kartony?|paczk\w*",
    morning=r"rano",
    afternoon=r"po poludniu",
    evening=r"wieczorem",
    hints=r"z|w|na|jutro|i|do|sie|ze|nie|jest|chce|oferte|zadzwonic|o|pan|pani",
)
