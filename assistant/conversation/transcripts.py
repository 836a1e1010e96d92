"""A voice note's transcript made into what she would have typed: the hesitations of speech taken out.

People rambling into a phone say "euh", "um", "este", "o sea", "you know", "tu vois" between their words; the
transcriber writes them down, set off by commas. Left in, they are searched with her question and hide where it
starts ("Eh, cómo pongo el precio" is no sentence that opens on "cómo"; "Uh, hello." is no greeting). Taken out:

- hesitation sounds ("euh", "um", "uh", "eh", "hmm"), wherever they are;
- discourse markers ("o sea", "you know", "tu vois", "bon", "so", "like", "bueno", "mira"), only where they stand
  alone between punctuation (", like, "): "I like it", "este negocio", "bon prix", "so I can" keep their words;
- the markers that are never anything else before a comma ("y este,", "and you know,", "o sea tengo").

What she is shown ("🎤 « ... »") stays what was heard; only what the conversation reads is cleaned.
"""

from __future__ import annotations

import re

from assistant.conversation.places import fold

# Sounds that are never words of French, Spanish or English.
HESITATIONS = frozenset(
    {"euh", "euhm", "heu", "hum", "hmm", "hm", "mmm", "mm", "um", "umm", "uhm", "uh", "uhh", "erm", "eh", "ehm",
     "ehh", "em", "emm", "mmh"}
)  # fmt: skip
# Words and phrases that only carry speech along when they stand alone between punctuation.
MARKERS = frozenset(
    {"so", "like", "well", "okay", "ok", "right", "i mean", "you know", "you see", "basically", "actually", "anyway",
     "bon", "ben", "bah", "alors", "voila", "donc", "enfin", "en fait", "genre", "tu vois", "tu sais", "vous voyez",
     "vous savez", "quoi", "bueno", "pues", "mira", "mire", "oye", "entonces", "este", "esto", "o sea", "digamos",
     "tipo", "sabes", "me entiendes", "me explico", "viste", "ves"}
)  # fmt: skip
# Markers that are never part of what she says when a comma follows them ("tengo un taller y este, ..."),
# and those that never open what she says ("o sea tengo un negocio").
BEFORE_COMMA = frozenset({"este", "o sea", "you know", "i mean", "tu vois", "tu sais", "vous voyez", "me entiendes"})
OPENING = frozenset({"o sea"})
_PIECES = re.compile(r"([,;:.!?…]+\s*)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def as_typed(transcript: str) -> str:
    """`transcript` without its hesitations: "Este, mira, no sé cómo calcular el precio, ¿me entiendes? Eh, ¿cómo
    pongo el precio?" -> "No sé cómo calcular el precio. ¿Cómo pongo el precio?"; the transcript itself when
    nothing else would be left ("euh, bon...")."""
    pieces = _PIECES.split(transcript.strip())
    kept: list[str] = []
    for at in range(0, len(pieces), 2):
        words = _without_markers(_without_hesitations(pieces[at]), pieces[at + 1] if at + 1 < len(pieces) else "")
        mark = pieces[at + 1] if at + 1 < len(pieces) else ""
        if words:
            kept.append(words + mark)
        elif kept and re.search(r"[.!?…]", mark):  # "..., me entiendes." : the sentence still ends there
            kept[-1] = re.sub(r"[,;:]+\s*$", "", kept[-1].rstrip()) + mark.strip() + " "
    text = re.sub(r"[,;:]+\s*$", "", "".join(kept).strip())
    text = re.sub(r"(^|[.!?…]\s+)([¿¡]?)([^\W\d_])", lambda m: m.group(1) + m.group(2) + m.group(3).upper(), text)
    return text if any(c.isalnum() for c in text) else transcript.strip()


def _without_hesitations(piece: str) -> str:
    words = piece.split()
    return " ".join(w for w in words if fold(w) not in HESITATIONS or not fold(w))


def _without_markers(piece: str, mark: str) -> str:
    """The piece between two punctuation marks, empty when it is only a marker; a marker that never belongs to
    her sentence cut from its end (before a comma) or its start."""
    folded = fold(piece.strip(" ¿¡"))
    if not folded or folded in MARKERS:
        return ""
    words = piece.split()
    for marker in OPENING:
        size = len(marker.split())
        if fold(" ".join(words[:size])) == marker and len(words) > size:
            words = words[size:]
    if mark.strip().startswith(","):
        for marker in BEFORE_COMMA:
            size = len(marker.split())
            if len(words) > size and fold(" ".join(words[-size:])) == marker:
                words = words[:-size]
    return " ".join(words)
