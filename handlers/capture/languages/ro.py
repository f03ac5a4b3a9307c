"""Romanian (folded: ă â î ș ț are written a a i s t)."""

from handlers.capture.lexicon import Lexicon
from handlers.domain import ActivityKind, Stage

LEXICON = Lexicon(
    code="ro",
    kinds={
        ActivityKind.EMAIL: r"(?:am )?trimis (?:un |o )?(?:e-?mail|mail)|i-?am scris|e-?mail(?:ul)?"
        r"|mail(?:ul)?",
        ActivityKind.MEETING: r"sedint(?:a|ei)|am avut o (?:sedinta|intalnire)|"
        r"intalnire(?:a)?|m-?am intalnit|ne-?am intalnit|am fost la|am fost"
        r" cu|vizita|am vizitat|pranz|cafea cu|demo",
        ActivityKind.CALL: r"am vb|vb cu|discutie telefonica|am discutat la telefon|"
        r"am sunat(?:-?o|-?l)?|am vorbit|apel(?:ul)?|convorbire|telefon(?:ul)?"
        r"|m-?a sunat|ne-?am auzit|am vb la tel|vb la tel",
        ActivityKind.NOTE: r"nota|notita",
    },
    intent=(
        r"urmatorul apel|urmatoarea (?:intalnire|discutie)|"
        r"reiau legatura|mai incerc|incerc (?:maine|iar|din nou)|"
        r"revin|revenim|reveni|revina|sa revin|sun(?:a|-?l|-?o)?|sa (?:il |o |ii )?sun|sa-?l sun"
        r"|sa-?i sun|suna-?l|suna-?o|re(?:a)?minteste(?:-?mi)?|aminteste(?:-?mi)?|reamintire"
        r"|follow[- ]?up|recontactez|contactez|apelez|ii scriu|sa(?: le)? scriu|ma aude"
        r"|incerc (?:iar|din nou)|sun din nou|sun iar"
    ),
    stages={
        Stage.NEEDS: r"vrea?u? (?:o )?oferta|cer(?:e|ut)? (?:o )?oferta|interesat[ia]?(?: de)?"
        r"|cer(?:e|ut)? pret",
        Stage.OFFER: r"(?:am )?trimis (?:si )?oferta|oferta trimisa|i-?am trimis oferta",
        Stage.NEGOTIATION: r"negocie\w*|discount|reducere",
        Stage.CONTRACT: r"(?:au |am )?semnat|contract(?:ul)? semnat",
        Stage.DELIVERY: r"livrat|livrare(?:a)?|instalare|implementare",
        Stage.COMPLETED: r"(?:au )?platit|plata primita|finalizat",
        Stage.LOST: r"pierdut|au refuzat|refuz|nu (?:mai )?sunt interesati"
        r"|au ales (?:alt|concurent)"
        r"\w*|concurenta",
    },
    person_cues=(
        r"cu (?:domnul|doamna|dl\.?|dna\.?|d-?l|d-?na)|cu|pe|lui|catre|intalnire cu|am vorbit cu"
        r"|la (?:domnul|doamna|dl\.?|dna\.?)|mail de la"
        r"|am sunat(?:-?o|-?l)? pe|sa(?: il| o)? sun pe|suna-?l pe|suna-?o pe|sun pe|i-?am scris"
        r"(?: lui)?|de la (?:domnul|doamna)"
    ),
    company_cues=r"de la|din partea|din|la firma|firma|compania|la|@",
    titles=r"domnul|doamna|dl|dna|d-?l|d-?na|dr",
    stopwords=frozenset(
        """si sau dar de la din cu pe lui pentru despre in la azi maine poimaine diseara saptamana
        viitoare ora ore zi zile ca care ei ea el ii il o le lor mi ne va vor vrea vrea vrem
        vor oferta pret contract sa revin sun suna intalnire am au a fost este e sunt luni marti
        miercuri joi vineri sambata simbata duminica dimineata seara pranz peste dupa tel vb
        sa-l sa-i il are avea zice spune intreaba prefera nu inapoi mail telefon catre despre
        problema factura cei cele acestia aceia dansul dansa""".split()
    ),
    today=r"azi|astazi|diseara|deseara|in seara asta",
    tomorrow=r"maine|mine",
    day_after_tomorrow=r"poimaine|poimine|poi maine",
    weekdays=(
        r"luni|lunea",
        r"marti|martea",
        r"miercuri|miercurea",
        r"joi|joia",
        r"vineri|vinerea",
        r"sambata|simbata",
        r"duminica",
    ),
    months=(
        r"ianuarie|ian",
        r"februarie|feb",
        r"martie|mar",
        r"aprilie|apr",
        r"mai",
        r"iunie|iun",
        r"iulie|iul",
        r"august|aug",
        r"septembrie|sept?",
        r"octombrie|oct",
        r"noiembrie|nov",
        r"decembrie|dec",
    ),
    relative=r"peste|in|dupa",
    numbers={"o": 1, "un": 1, "una": 1, "doua": 2, "doi": 2, "trei": 3, "patru": 4, "cinci": 5},
    units={
        "minute": r"minute|minut",
        "hour": r"ore|ora|h",
        "day": r"zile|zi",
        "week": r"saptamani|saptamana",
        "month": r"luni|luna",
    },
    next_week=r"(?:saptamana|sapt\.?) (?:viitoare|viit\.?|urmatoare)",
    clock_markers=r"la ora|la orele|pe la|la|ora|in jur de|catre",
    hour_suffix=r"h|ora",
    hour_words={
        "unu": 1,
        "doua": 2,
        "trei": 3,
        "patru": 4,
        "cinci": 5,
        "sase": 6,
        "sapte": 7,
        "opt": 8,
        "noua": 9,
        "zece": 10,
        "unsprezece": 11,
        "doisprezece": 12,
    },
    minutes_after_hour=(
        ("si jumatate|si jumate|jumatate|jumate", 30),
        ("si un sfert|si sfert", 15),
        ("fara un sfert|fara sfert", -15),
    ),
    minutes_joiner=r"si",
    day_of_month=(r"pe (?P<day>\d{1,2})(?=\s*(?:$|[,.;!?)]|la ))",),
    quantity_units=r"bucati|buc|licente|licenta|produse|paleti|utilizatori|oameni|angajati"
    r"|laptopuri|camioane|cutii|colete|bax(?:uri)?",
    morning=r"dimineata|dimineaza",
    afternoon=r"dupa[- ]?amiaza|dupa masa",
    evening=r"diseara|deseara|seara",
    hints=r"si|cu|de|la|pe|am|sa|maine|revin|azi|vrea|ora|este|ei|lui|dupa|pentru",
)
