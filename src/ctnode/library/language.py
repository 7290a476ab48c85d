"""How each language is analysed: which stemmer, whether accents fold, which words a query drops.

Stemming is done here, in Python, with the Snowball algorithms (PyStemmer), not by
the database: SQLite's FTS5 has only an English stemmer and PostgreSQL's
dictionaries differ by installation, so the node computes the same index terms for
both stores and for the naive reference (see ``docs/library.md``).

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
Myanmar) are cut into overlapping character bigrams in any language, so a Chinese
term inside an English document is found too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import Stemmer

from ctnode.library.model import language_base

# ISO 639-1 (or -3) code -> Snowball algorithm name, for every Snowball stemmer PyStemmer ships.
SNOWBALL: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "en": "english", "eo": "esperanto", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "hi": "hindi",
    "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
    "st": "sesotho",
}  # fmt: skip
# Languages written without spaces between words: bigrams, no stemmer.
NGRAM_LANGUAGES: frozenset[str] = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
# Languages in Latin script whose accents fold (cafe = café) before stemming.
FOLD_ACCENTS: frozenset[str] = frozenset(
    {"ca", "cs", "da", "nl", "en", "eo", "et", "fi", "fr", "de", "hu", "id", "ga", "it", "lt",
     "no", "nb", "nn", "pl", "pt", "ro", "es", "sv", "tr", "eu", "st"}
)  # fmt: skip

# Words a query drops when it has other words (documents keep them, for phrases).
# Short lists of the commonest function words, written for ctnode.
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "a an and are as at be by for from how in into is it of on or that the this to was what with".split()
    ),
    "fr": frozenset(
        "au aux avec ce ces dans de des du en et la le les leur par pour qui que sur un une est sont".split()
    ),
    "es": frozenset(
        "a al con de del el en es la las lo los para por que se su sus un una y o".split()
    ),
    "ru": frozenset("и в во на с со по для от до из к о об не что как это или а но у за".split()),
    "ar": frozenset("في من على إلى عن مع أو و ما هذا هذه التي الذي ذلك".split()),
    "de": frozenset("der die das und in zu den von mit ist im für auf dem des ein eine".split()),
    "pt": frozenset("a o as os de do da dos das em e para por com um uma que".split()),
}


@dataclass(frozen=True, slots=True)
class LanguageProfile:
    """How text of one language becomes index terms."""

    code: str
    stemmer: str | None  # Snowball algorithm, or None
    ngram: bool  # the script has no spaces between words
    fold_accents: bool
    stopwords: frozenset[str]

    def describe(self) -> str:
        if self.ngram:
            return f"{self.code}: character bigrams (no spaces between words), no stemming"
        stem = (
            f"Snowball {self.stemmer} stemmer" if self.stemmer else "no stemmer (words as written)"
        )
        fold = ", accents folded" if self.fold_accents else ""
        return f"{self.code}: words, {stem}{fold}"


_PROFILES: dict[str, LanguageProfile] = {}


def profile_for(tag: str | None) -> LanguageProfile:
    """The profile of a language tag (``fr``, ``zh-Hant``); unknown languages get words, no stemmer."""
    code = language_base(tag) if tag else "und"
    prof = _PROFILES.get(code)
    if prof is None:
        prof = LanguageProfile(
            code=code,
            stemmer=SNOWBALL.get(code),
            ngram=code in NGRAM_LANGUAGES,
            fold_accents=code in FOLD_ACCENTS,
            stopwords=STOPWORDS.get(code, frozenset()),
        )
        _PROFILES[code] = prof
    return prof


_local = threading.local()  # PyStemmer objects are not safe to share between threads


def stem(word: str, algorithm: str) -> str:
    """Stem one normalised word with a Snowball algorithm (cached per thread and algorithm)."""
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    st = stemmers.get(algorithm)
    if st is None:
        st = stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    result: str = st.stemWord(word)
    return result
