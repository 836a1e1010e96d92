"""The matching benchmark's synthetic cohort: people of Canada and of the seven partner countries, drawn with
the demo cohort's proportions (languages, time zones, availability, stages, capacities) from one seeded NumPy
generator, with offers/needs texts and goals written from the taxonomy's skill labels."""

from __future__ import annotations

import numpy as np

from assistant.matching.profiles import DAYS, Profile
from assistant.matching.taxonomy import Taxonomy

PARTNERS = ("bolivia", "senegal", "benin", "guatemala", "rwanda", "cote-divoire", "philippines")
NORTH_SHARE = 0.36  # Canadians in the demo cohort: 48 of 134

# country -> ((languages, weight), ...), as in the demo cohort; the first language is the preferred one.
LANGUAGES: dict[str, tuple[tuple[tuple[str, ...], float], ...]] = {
    "canada": (
        (("fr", "en"), 0.30), (("en",), 0.31), (("fr",), 0.15), (("en", "fr"), 0.08), (("fr", "en", "es"), 0.05),
        (("en", "es"), 0.05), (("es", "en"), 0.04), (("fr", "es"), 0.02),
    ),
    "bolivia": ((("es",), 0.77), (("es", "en"), 0.23)),
    "guatemala": ((("es",), 0.75), (("es", "en"), 0.25)),
    "senegal": ((("fr",), 0.62), (("fr", "en"), 0.38)),
    "benin": ((("fr",), 0.75), (("fr", "en"), 0.25)),
    "cote-divoire": ((("fr",), 0.83), (("fr", "en"), 0.17)),
    "rwanda": ((("fr", "en"), 0.25), (("en", "fr"), 0.33), (("fr",), 0.25), (("en",), 0.17)),
    "philippines": ((("en",), 1.0),),
}  # fmt: skip
TIMEZONES: dict[str, tuple[tuple[str, float], ...]] = {
    "canada": (
        ("America/Toronto", 0.60), ("America/Vancouver", 0.10), ("America/Edmonton", 0.07),
        ("America/Moncton", 0.07), ("America/Halifax", 0.05), ("America/Winnipeg", 0.04),
        ("America/Regina", 0.04), ("America/St_Johns", 0.03),
    ),
    "bolivia": (("America/La_Paz", 1.0),),
    "senegal": (("Africa/Dakar", 1.0),),
    "benin": (("Africa/Porto-Novo", 1.0),),
    "guatemala": (("America/Guatemala", 1.0),),
    "rwanda": (("Africa/Kigali", 1.0),),
    "cote-divoire": (("Africa/Abidjan", 1.0),),
    "philippines": (("Asia/Manila", 1.0),),
}  # fmt: skip
STAGES = {
    "north": (("established", 0.50), ("growth", 0.28), ("early", 0.20), ("idea", 0.02)),
    "south": (("growth", 0.37), ("established", 0.28), ("early", 0.27), ("idea", 0.08)),
}
SECTORS = {
    "north": (
        "accounting", "digital-marketing", "business-consulting", "hr-consulting", "ethical-fashion", "preserves",
        "software", "organic-farm", "maple-products", "specialty-food", "ecotourism", "retail", "bakery",
        "export-consulting", "community-lending", "web-agency",
    ),
    "south": (
        "handicrafts", "coffee", "cocoa", "shea-butter", "fish-processing", "attieke", "quinoa", "weaving",
        "tailoring", "natural-cosmetics", "community-tourism", "market-gardening", "coconut-products",
        "dried-fruit", "sari-sari-store", "cassava-processing", "dairy", "plastic-recycling",
    ),
}  # fmt: skip
DAY_WEIGHTS = (74, 106, 56, 118, 38, 91, 11)  # mon..sun, availability slots of the demo cohort
WINDOWS = (
    (("19:00", "21:00"), 79), (("09:00", "11:00"), 68), (("14:00", "16:00"), 66), (("15:00", "17:00"), 53),
    (("16:00", "18:00"), 44), (("08:00", "10:00"), 41), (("18:00", "20:00"), 41), (("10:00", "12:00"), 19),
    (("17:00", "19:00"), 13), (("20:00", "22:00"), 12), (("07:00", "09:00"), 8), (("12:00", "13:00"), 4),
)  # fmt: skip
CAPACITY = ((1, 0.70), (2, 0.22), (3, 0.08))
TEMPLATES = {
    "fr": ("Je peux aider pour : {skills}", "J'ai besoin d'aide pour : {skills}", " et ", ", entre autres"),
    "en": ("I can help with: {skills}", "I need help with: {skills}", " and ", ", among others"),
    "es": ("Puedo ayudar con: {skills}", "Necesito ayuda con: {skills}", " y ", ", entre otras cosas"),
}
GOALS = {
    "fr": ("Progresser en : {skill}", "Partager mon expérience avec une entrepreneure d'un pays partenaire",
           "Faire grandir mon entreprise avec une mentore"),
    "en": ("Get better at: {skill}", "Share my experience with an entrepreneur from a partner country",
           "Grow my business with a mentor"),
    "es": ("Mejorar en: {skill}", "Compartir mi experiencia con una emprendedora de un país socio",
           "Hacer crecer mi negocio con una mentora"),
}  # fmt: skip


def _pick(rng: np.random.Generator, table):
    values = [value for value, _ in table]
    weights = np.array([weight for _, weight in table], dtype=float)
    return values[int(rng.choice(len(values), p=weights / weights.sum()))]


class CohortMaker:
    """Deterministic synthetic profiles (one seeded NumPy generator; the same seed gives the same cohort)."""

    def __init__(self, taxonomy: Taxonomy, seed: int) -> None:
        self.taxonomy = taxonomy
        self.rng = np.random.default_rng(seed)
        self.count = 0
        skills = len(taxonomy.ids)
        rank_weight = 1.0 / np.sqrt(np.arange(1, skills + 1))  # some skills are far more common than others
        # Each side of each region has its own favourite skills (Canadians offer bookkeeping more often...).
        self.popularity = {}
        for region in ("north", "south"):
            for side in ("offers", "needs"):
                weights = self.rng.permutation(rank_weight)
                self.popularity[region, side] = weights / weights.sum()

    def _skills(self, region: str, side: str, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
        p = self.popularity[region, side].copy()
        for sid in exclude:
            p[self.taxonomy.index[sid]] = 0.0
        chosen = self.rng.choice(len(p), size=int(self.rng.integers(2, 5)), replace=False, p=p / p.sum())
        return tuple(self.taxonomy.ids[int(i)] for i in chosen)

    def _text(self, template: str, skills: tuple[str, ...], lang: str) -> str:
        """Names her first two skills (in taxonomy order), as a short profile does."""
        _, _, conjunction, more = TEMPLATES[lang]
        named = sorted(skills, key=self.taxonomy.index.get)[:2]
        labels = [self.taxonomy.label(s, lang) for s in named]
        listed = labels[0] if len(labels) == 1 else labels[0] + conjunction + labels[1][:1].lower() + labels[1][1:]
        return template.format(skills=listed + (more if len(skills) > 2 else ""))

    def person(self, country: str) -> Profile:
        rng = self.rng
        self.count += 1
        region = "north" if country == "canada" else "south"
        languages = _pick(rng, LANGUAGES[country])
        lang = languages[0]
        offers = self._skills(region, "offers")
        needs = self._skills(region, "needs", exclude=offers)
        offer_template, need_template, _, _ = TEMPLATES[lang]
        goal_template, north_goal, south_goal = GOALS[lang]
        main_need = self.taxonomy.label(needs[0], lang)
        goals = (
            goal_template.format(skill=main_need[:1].lower() + main_need[1:]),
            north_goal if region == "north" else south_goal,
        )
        days = rng.choice(7, size=int(rng.integers(2, 5)), replace=False, p=np.array(DAY_WEIGHTS) / sum(DAY_WEIGHTS))
        availability = tuple(
            {"day": DAYS[int(d)], "from": start, "to": end}
            for d in sorted(days)
            for start, end in [_pick(rng, WINDOWS)]
        )
        is_org = rng.random() < 0.08
        diaspora = None
        if region == "north" and rng.random() < 0.04:
            diaspora = PARTNERS[int(rng.integers(len(PARTNERS)))]
        return Profile(
            id=f"{country[:3]}-{self.count:05d}",
            name=f"Participant {self.count}",
            kind="organisation" if is_org else "person",
            country=country,
            languages=languages,
            preferred_language=lang,
            sector=str(rng.choice(SECTORS[region])),
            stage=_pick(rng, STAGES[region]),
            organisation=f"{country} organisation {int(rng.integers(200))}" if is_org else None,
            diaspora_origin=diaspora,
            offers_text=self._text(offer_template, offers, lang),
            needs_text=self._text(need_template, needs, lang),
            offers=offers,
            needs=needs,
            goals=goals,
            timezone=_pick(rng, TIMEZONES[country]),
            availability=availability,
            modality="either" if rng.random() < 0.1 else "virtual",
            capacity=_pick(rng, CAPACITY),
        )

    def cohort(self, north: int, south: int) -> list[Profile]:
        """`north` Canadians and `south` people spread evenly over the partner countries, interleaved."""
        countries = ["canada"] * north + [PARTNERS[i % len(PARTNERS)] for i in range(south)]
        order = self.rng.permutation(len(countries))
        return [self.person(countries[int(i)]) for i in order]


def distinct_texts(profiles: list[Profile]) -> int:
    """The texts the scorer embeds (offers, needs, goals, sector), each distinct one counted once."""
    texts = set()
    for p in profiles:
        texts.update((p.offers_text, p.needs_text, " ".join(p.goals), p.sector.replace("-", " ")))
    texts.discard("")
    return len(texts)
