"""Language detection restricted to what the assistant speaks (fr, es, en).

A maintained detector (lingua) decides among the supported languages plus a few others, so a message in,
say, Portuguese is recognised as unsupported instead of being forced into Spanish. Very short or
ambiguous texts fall back to the user's preference when one is known.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lingua import Language, LanguageDetectorBuilder

from assistant.config import SUPPORTED_LANGUAGES

_SUPPORTED = {Language.FRENCH: "fr", Language.SPANISH: "es", Language.ENGLISH: "en"}
# Languages people in the programme may also write in; recognised so they are not mistaken for fr/es/en.
_OTHERS = {
    Language.PORTUGUESE: "pt",
    Language.ITALIAN: "it",
    Language.GERMAN: "de",
    Language.TAGALOG: "tl",
    Language.SWAHILI: "sw",
}
LANGUAGE_NAMES = {"fr": "français", "es": "español", "en": "English"}

# Below this many words a detection is a guess; the user's preference wins.
SHORT_TEXT_WORDS = 3
MIN_CONFIDENCE = 0.5
# A text that looks weakly like a language we do not speak (unaccented Spanish often reads as Italian: "q es la
# mentoria reciproca", es 0.20 against it 0.42) is ours when one supported language stands out among ours: at least
# this confidence and `STANDS_OUT` times the next supported one.
CLEAR_SUPPORTED = 0.15
STANDS_OUT = 2.0


@dataclass(frozen=True, slots=True)
class Detection:
    """The result of detecting a text's language."""

    language: str  # always a supported language: what the assistant should answer in
    detected: str | None  # what the text looked like, possibly unsupported ("pt"), None if unknown
    confidence: float

    @property
    def unsupported(self) -> bool:
        return self.detected is not None and self.detected not in SUPPORTED_LANGUAGES


@lru_cache(maxsize=1)
def _detector():
    return LanguageDetectorBuilder.from_languages(*_SUPPORTED, *_OTHERS).with_preloaded_language_models().build()


def detect_language(text: str, preferred: str | None = None, default: str = "en") -> Detection:
    """Detect `text`'s language; `preferred` breaks ties on short or ambiguous texts."""
    fallback = preferred if preferred in SUPPORTED_LANGUAGES else default
    words = text.split()
    if not words:
        return Detection(fallback, None, 0.0)
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return Detection(fallback, None, 0.0)
    best = values[0]
    code = _SUPPORTED.get(best.language) or _OTHERS.get(best.language)
    # Short texts ("ok", "merci", "y en Senegal?") are weak evidence: keep the preference unless the
    # detector is sure of another supported language.
    if len(words) < SHORT_TEXT_WORDS and preferred in SUPPORTED_LANGUAGES and code != preferred and best.value < 0.9:
        return Detection(preferred, code, best.value)
    if code in SUPPORTED_LANGUAGES:
        if best.value < MIN_CONFIDENCE and preferred in SUPPORTED_LANGUAGES:
            supported_pref = next((v.value for v in values if _SUPPORTED.get(v.language) == preferred), 0.0)
            if supported_pref >= best.value * 0.8:
                return Detection(preferred, code, best.value)
        return Detection(code, code, best.value)
    # The text looks unsupported. Answer in the best supported candidate only if it is close, else fallback.
    supported = [v for v in values if v.language in _SUPPORTED]
    if len(words) < SHORT_TEXT_WORDS or best.value < 0.6:
        if supported and (supported[0].value >= 0.3 or _stands_out(supported)):
            lang = _SUPPORTED[supported[0].language]
            return Detection(lang, lang, supported[0].value)
        # Too little text to call it unsupported: a letter only one of our languages writes decides ("Quel âge
        # a ...?" with a foreign name in it), else say nothing about its language.
        marked = _marked_language(text)
        return Detection(marked or fallback, marked, best.value)
    return Detection(fallback, code, best.value)


def _stands_out(supported: list) -> bool:
    """Whether the first of the supported candidates (best first) is clearly ahead of the others."""
    runner_up = supported[1].value if len(supported) > 1 else 0.0
    return supported[0].value >= CLEAR_SUPPORTED and supported[0].value >= STANDS_OUT * runner_up


# Letters that only one of the supported languages writes (é is both French and Spanish; English has none).
_MARKS = {"fr": set("âçèêëîïôœùû"), "es": set("ñ¿¡áíóú")}


def _marked_language(text: str) -> str | None:
    letters = set(text.lower())
    found = [lang for lang, marks in _MARKS.items() if letters & marks]
    return found[0] if len(found) == 1 else None
