"""Topics the programme's guides leave to others: a question about one is refused, not answered from nearby.

The guides are about reciprocal mentoring and running a small business. Asked how to get a visa to visit her
partner ("comment obtenir un visa pour aller voir ma binome à Montréal"), the search found the in-person
meeting section, whose words ("voir", "binôme", "Montréal") cover the rest of her question, and quoted it as if
it answered. So did the flight and visa questions of the clean set. The topics below are named here in the
three languages: visas, passports, residence and work permits, immigration, plane tickets, and medication.
When her question itself (not the story around it: "j'ai eu mon visa, comment préparer notre rencontre ?" is
about the meeting) or a follow-up's own words ask about one, she gets the honest "the guides do not answer
this", with the offer to pass it to the team. No guide uses these words. A test checks this, so a topic the
guides take up later has to leave this list.
"""

from __future__ import annotations

import re

from assistant.retrieval.places import folded

# Folded (lower case, no accents), whole words; a phrase where one word alone is too wide ("vol" is also theft).
OUT_OF_SCOPE = (
    # visas, passports, permits, immigration
    "visa", "visas", "visado", "visados", "passport", "passports", "passeport", "passeports", "pasaporte",
    "pasaportes", "immigration", "immigrer", "immigrar", "inmigracion", "migratoire", "migratorio", "migratoria",
    "permis de sejour", "permis de travail", "residence permit", "work permit", "permiso de residencia",
    "permiso de trabajo",
    # plane tickets and flights
    "avion", "vuelo", "vuelos", "flight", "flights", "airfare", "airline", "plane ticket", "plane tickets",
    # medication
    "medicament", "medicaments", "medicamento", "medicamentos", "medication", "medicine", "medicina",
    "pastilla", "pastillas", "ibuprofen", "ibuprofene", "ibuprofeno", "paracetamol",
)  # fmt: skip
_TOPIC = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in OUT_OF_SCOPE) + r")(?![\w'])")


def out_of_scope(question: str) -> str | None:
    """The out-of-scope topic word `question` asks about (folded), or None."""
    found = _TOPIC.search(folded(question))
    return found.group() if found else None
