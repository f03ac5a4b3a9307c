"""Spanish (folded: á é í ó ú ü ñ are written a e i o u u n)."""

from handlers.capture.lexicon import Lexicon
from handlers.domain import ActivityKind, Stage

LEXICON = Lexicon(
    code="es",
    kinds={
        ActivityKind.EMAIL: r"(?:envie|mande) (?:un |el )?(?:correo|mail|e-?mail)|le escribi"
        r"|les escribi|correo|e-?mail|mail",
        ActivityKind.MEETING: r"junta|reunion con|"
        r"reunion|me reuni|nos reunimos|reunido|visita|visite|comida con"
        r"|almuerzo|almorce|cafe con|quede con|demo|presentacion",
        ActivityKind.CALL: r"llamada con|"
        r"llame|hable|llamada|hablamos|me llamo|conversacion telefonica"
        r"|por telefono",
        ActivityKind.NOTE: r"nota",
    },
    intent=(
        r"(?:proxima|siguiente) (?:llamada|reunion)|"
        r"vuelvo a (?:llamar|intentar)|insistir|recordarle|"
        r"volver a llamar(?:le|la|les|lo|los)?|llamar(?:le|la|les|lo|los)?|llamo|llamare"
        r"|llamale|llamalo|llamala"
        r"|recuerdame|recordar(?:me)?|recordatorio|seguimiento|contactar(?:le|la|lo|los|las)?"
        r"|escribir(?:le|la|les)?"
        r"|devolver la llamada|follow[- ]?up|retomar|volver a contactar(?:le|la|lo|los|las)?"
        r"|(?:le|les) (?:respondo|contesto|escribo|marco|aviso)|marcarle|marcarla"
    ),
    stages={
        Stage.NEEDS: r"pide?n? (?:un )?presupuesto|quiere?n? (?:un )?presupuesto"
        r"|quiere?n? (?:una )?"
        r"(?:oferta|cotizacion)|interesad[oa]s?",
        Stage.OFFER: r"(?:envie|mande|enviamos|mandamos) (?:la |el |una |un )?(?:propuesta|oferta"
        r"|presupuesto|cotizacion)",
        Stage.NEGOTIATION: r"negocia\w*|descuento",
        Stage.CONTRACT: r"firm(?:aron|amos|o)(?: el contrato)?|contrato firmado",
        Stage.DELIVERY: r"entregamos|entregado|entregada|entregaron|instalacion|implantacion",
        Stage.COMPLETED: r"pagaron|pagado|pago la factura|cobrado|factura pagada|completad[oa]",
        Stage.LOST: r"perdid[oa]|perdimos|rechaz\w*|eligieron (?:a )?(?:la )?competencia|no les"
        r" interesa|no (?:estan )?interesad\w*|competencia",
    },
    person_cues=(
        r"con (?:el |la )?(?:sr\.?|sra\.?|senor|senora|don|dona)|con|a (?:la |el )?(?:sr\.?|sra\.?)"
        r"|a|llamar a|llame a|reunion con|hable con|escribi a"
    ),
    company_cues=r"de la empresa|de|en|empresa|desde|@",
    titles=r"(?:el |la )?(?:sr|sra|srta|senor|senora|don|dona|dr|dra|lic|ing|ingeniero|ingeniera)",
    stopwords=frozenset(
        """y o pero de del la el los las en con a al para por sobre hoy manana pasado esta noche
        semana proxima que viene hora horas dia dias quiere quieren pide piden oferta presupuesto
        contrato llamar volver reunion llamada le les lo la me nos ellos ella el su sus es son
        esta estan lunes martes miercoles jueves viernes sabado domingo tarde las para un una
        porque muy mas""".split()
    ),
    today=r"hoy|esta noche|esta tarde",
    tomorrow=r"(?<!(?<!\w)la )manana",  # "por la mañana" is a morning; "llamarla mañana" tomorrow
    day_after_tomorrow=r"pasado manana",
    weekdays=(
        r"(?:el )?(?:lunes|lun)",
        r"(?:el )?martes",
        r"(?:el )?(?:miercoles|mie)",
        r"(?:el )?(?:jueves|jue)",
        r"(?:el )?(?:viernes|vie)",
        r"(?:el )?(?:sabado|sab)",
        r"(?:el )?domingo",
    ),
    months=(
        r"enero|ene",
        r"febrero|feb",
        r"marzo|mar",
        r"abril|abr",
        r"mayo|may",
        r"junio|jun",
        r"julio|jul",
        r"agosto|ago",
        r"septiembre|setiembre|sept?",
        r"octubre|oct",
        r"noviembre|nov",
        r"diciembre|dic",
    ),
    relative=r"en|dentro de",
    numbers={"un": 1, "una": 1, "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5},
    units={
        "minute": r"minutos?|min",
        "hour": r"horas?|h",
        "day": r"dias?",
        "week": r"semanas?",
        "month": r"meses|mes",
    },
    next_week=r"(?:la )?(?:proxima|prox\.?|siguiente) semana|la semana (?:que|q) viene",
    clock_markers=r"a las|a la|sobre las|hacia las|las",
    hour_suffix=r"h|hs|hrs",
    hour_words={
        "una": 1,
        "dos": 2,
        "tres": 3,
        "cuatro": 4,
        "cinco": 5,
        "seis": 6,
        "siete": 7,
        "ocho": 8,
        "nueve": 9,
        "diez": 10,
        "once": 11,
        "doce": 12,
    },
    minutes_after_hour=(("y media", 30), ("y cuarto", 15), ("menos cuarto", -15)),
    minutes_joiner=r"y",
    day_of_month=(
        r"(?:el )?dia (?P<day>\d{1,2})",
        # "el lunes 18": a weekday and its date
        r"(?:el )?(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo) (?P<day>\d{1,2})"
        r"(?!\s*(?::|h\b|horas?))",
        r"el (?P<day>\d{1,2})(?=\s*(?:$|[,.;!?)]|a las ))",
    ),
    quantity_units=r"unidades|unidad|licencias|licencia|piezas|cajas|palets|usuarios|personas"
    r"|empleados|portatiles|equipos|uds\.?",
    morning=r"(?:por|de|en) la manana|de manana|temprano",
    afternoon=r"(?:por|de|en) la tarde|esta tarde",
    evening=r"esta noche|(?:por|de|en) la noche|de noche",
    hints=r"y|con|de|la|el|en|que|manana|para|quiere|llamar|a las|es|les|hoy|pasado|semana"
    r"|cotizacion|presupuesto|pesos|envie|mande|los|las|del|muy|tiene|tienen",
)
