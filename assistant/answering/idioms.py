"""Idioms people use that the guides say otherwise, read in the guides' words before matching (never shown).

Asking how often: "on se voit tous les combien ?", "cada cuánto nos reunimos?". The guides speak of
"fréquence", "frecuencia"; "combien" and "cuánto" alone made the question one about an amount, and it was
refused.

Tried and not kept: mobile money by its operator's brand ("Orange Money", "Wave", "Tigo Money") read as
"argent mobile". "orange money c fiable ?" then got the mobile-money section, but a follow-up comparing two
brands' fees ("et wave ou orange money, lequel prend le moins de frais ?"), which the guides cannot answer,
was then answered instead of refused.
"""

from __future__ import annotations

import re

IDIOMS = {
    "fr": ((re.compile(r"\b(?:tous|toutes) les combien\b", re.IGNORECASE), "à quelle fréquence"),),
    "es": ((re.compile(r"\bcada cu[aá]nto(?: tiempo)?\b", re.IGNORECASE), "con qué frecuencia"),),
}


def plain_idioms(text: str, lang: str) -> str:
    """`text` with the idioms of `lang` in the guides' words."""
    for idiom, plain in IDIOMS.get(lang, ()):
        text = idiom.sub(plain, text)
    return text
