"""One lexicon per language reps write in. Add a language by adding a module here."""

from handlers.capture.languages import bg, en, es, pl, ro, ru
from handlers.capture.lexicon import Lexicon

LEXICONS: dict[str, Lexicon] = {
    module.LEXICON.code: module.LEXICON for module in (en, ro, pl, bg, es, ru)
}
