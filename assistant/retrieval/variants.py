"""Everyday words people type and the guides' words for them, and the words that only frame a question.

People ask in the words of their day ("la plata", "my husband", "je peux en parler sur Facebook ?"); the guides
say "dinero", "spouse or family", "réseaux sociaux". Lexical search and the evidence measure only see a word
the guides use, so a question in everyday words looked unanswered. Two small per-language tables fix the
matching, never the text shown to her:

- `VARIANTS`: a word -> the guides' words for the same thing, tried in order. A query word the guides of that
  language never use is read as the first variant they do use (`variant_terms`); a word they use is kept as
  it is (it may mean something else there: "me cuesta", it is hard for me). Only common everyday words are
  listed (money, husband, postpone, social networks...), never a topic word of one question.
- `FRAME`: words that say she is asking or wants help ("que hago", "je fais comment", "any tips", "necesito")
  and nothing about what. They are dropped from the terms searched and from the evidence measure
  (`is_frame`), so "mi socia no contesta, que hago?" is judged on "socia no contesta", not on "hago".

- `POSSESSIVES`: a word after "my", "mis", "mes" that no guide uses is her own thing (her product, her town),
  left out of the evidence like a framing word (`Retriever.asked_terms`): "how do I price my kakanin" is asked
  about pricing; "my son has a fever" is still asked about a fever.

Both are keyed by the language of the index searched: a Spanish word in the French index has no entry there.
"""

from __future__ import annotations

from collections.abc import Callable, Container
from functools import lru_cache

from assistant.retrieval.dictionary import is_word
from assistant.text import analyze, fold_accents

# fmt: off
VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "plata": ("dinero",), "platita": ("dinero",), "lana": ("dinero",), "guita": ("dinero",),
        "billete": ("dinero",), "marido": ("esposo", "pareja"), "esposa": ("pareja",),
        "pospone": ("aplazar",), "posponer": ("aplazar",), "posterga": ("aplazar",), "postergar": ("aplazar",),
        "facebook": ("redes sociales",), "instagram": ("redes sociales",),
        "tiktok": ("redes sociales",), "feisbuk": ("redes sociales",), "face": ("redes sociales",),
        "prestamito": ("préstamo",), "credito": ("crédito",), "chamba": ("trabajo",), "negocito": ("negocio",),
        "tiendita": ("tienda",), "changarro": ("negocio",), "emprendimiento": ("negocio",),
        "ganancias": ("ganancia",), "cobro": ("precio",), "tarifa": ("precio",), "costos": ("costo",),
        "deuda": ("endeudarse",), "deudas": ("endeudarse",), "compu": ("computadora",),
        "whatsap": ("whatsapp",), "wasap": ("whatsapp",),
        "guasap": ("whatsapp",),
        # AI assistants by their brand: the guides speak of AI, never of one product
        "chatgpt": ("IA", "inteligencia artificial"), "gemini": ("IA", "inteligencia artificial"),
        "copilot": ("IA", "inteligencia artificial"), "deepseek": ("IA", "inteligencia artificial"),
        "supermercado": ("compradores grandes",), "supermercados": ("compradores grandes",),
        # violence at home: the guides say gender-based violence
        "doméstica": ("género",), "domestica": ("género",), "intrafamiliar": ("género",),
        "machismo": ("género",),
        "papeleo": ("documentos", "requisitos"),
        # ecological is green in the guides ("negocios verdes")
        "ecológico": ("verde",), "ecologico": ("verde",), "ecológica": ("verde",), "ecologica": ("verde",),
        "ecológicos": ("verde",), "ecologicos": ("verde",), "eco": ("verde",),
        "insta": ("redes sociales",), "pricing": ("precio",), "stock": ("inventario",),
        "microcrédito": ("microfinanzas",), "microcredito": ("microfinanzas",),
        # rotating savings groups by their local names: the guides say "pasanaku" (and "tontine")
        "cundina": ("pasanaku",), "paluwagan": ("pasanaku",), "susu": ("pasanaku",), "ikimina": ("pasanaku",),
    },
    "fr": {
        "fric": ("argent",), "thune": ("argent",), "thunes": ("argent",), "oseille": ("argent",),
        "pognon": ("argent",), "conjoint": ("mari",), "époux": ("mari",),
        "epoux": ("mari",), "facebook": ("réseaux sociaux",), "instagram": ("réseaux sociaux",),
        "tiktok": ("réseaux sociaux",), "fb": ("réseaux sociaux",), "reporte": ("reporter",),
        "tarif": ("prix",), "tarifs": ("prix",), "payant": ("frais",),
        "dette": ("endetter",), "dettes": ("endetter",), "whatsap": ("whatsapp",),
        "wa": ("whatsapp",), "pub": ("publicité",), "pubs": ("publicité",),
        "chatgpt": ("IA", "intelligence artificielle"), "gemini": ("IA", "intelligence artificielle"),
        "copilot": ("IA", "intelligence artificielle"), "deepseek": ("IA", "intelligence artificielle"),
        "supermarché": ("gros acheteurs",), "supermarchés": ("gros acheteurs",),
        "conjugale": ("genre",), "conjugales": ("genre",), "conjugal": ("genre",), "conjugaux": ("genre",),
        "domestique": ("genre",), "domestiques": ("genre",),
        "supermarche": ("gros acheteurs",), "supermarches": ("gros acheteurs",),
        "paperasse": ("documents", "exigences"),
        # ecological is green in the guides ("entreprise verte")
        "écolo": ("vert",), "ecolo": ("vert",), "écolos": ("vert",), "écologique": ("vert",),
        "ecologique": ("vert",), "écologiques": ("vert",), "ecologiques": ("vert",), "éco": ("vert",), "eco": ("vert",),
        "insta": ("réseaux sociaux",), "appli": ("application",), "applis": ("application",),
        "visio": ("vidéo",), "microcrédit": ("microfinance",), "microcredit": ("microfinance",),
        "business": ("entreprise",),
        # rotating savings groups by their local names ("ikimina" in Rwanda, "natt" in Senegal): "tontine"
        "ikimina": ("tontine",), "natt": ("tontine",), "susu": ("tontine",), "esusu": ("tontine",),
        "pasanaku": ("tontine",), "paluwagan": ("tontine",),
    },
    "en": {
        "cash": ("money",), "bucks": ("money",), "funds": ("money",), "spouse": ("husband",),
        "hubby": ("husband",), "facebook": ("social media",), "fb": ("social media",),
        "instagram": ("social media",), "ig": ("social media",), "tiktok": ("social media",),
        "clients": ("customers",), "client": ("customers",), "reschedule": ("postpone",),
        "charge": ("price",), "charges": ("price",),
        "chatgpt": ("AI",), "gemini": ("AI",), "copilot": ("AI",), "deepseek": ("AI",),
        "supermarket": ("large buyers",), "supermarkets": ("large buyers",),
        "domestic": ("gender-based",), "abusive": ("gender-based",),
        "paperwork": ("documents", "requirements"),
        # ecological is green in the guides ("green business")
        "eco": ("green",), "ecofriendly": ("green",), "ecological": ("green",),
        "insta": ("social media",), "videocall": ("video",), "catalog": ("catalogue",), "catalogs": ("catalogue",),
        "inventory": ("stock",), "microloan": ("microfinance",), "microloans": ("microfinance",),
        "microcredit": ("microfinance",), "buddy": ("partner",),
        # rotating savings groups by their local names ("paluwagan" in the Philippines): "tontine"
        "paluwagan": ("tontine",), "susu": ("tontine",), "esusu": ("tontine",), "chama": ("tontine",),
        "ikimina": ("tontine",), "pasanaku": ("tontine",), "tanda": ("tontine",), "tandas": ("tontine",),
        "cundina": ("tontine",),
    },
}

# Words whose variant names their kind rather than the same thing (a platform is social media): the guides'
# word for the kind is searched beside the word even where a guide uses the word itself ("Instagram" once in a
# goal's example; "social media" where the guides speak of it).
KINDS = frozenset({"facebook", "instagram", "insta", "tiktok", "fb", "ig", "face", "feisbuk"})
# Ecological is green: a guide that says "transition écologique" once does not answer "plus écologique" as the
# green-business guide does, so the guides' green word is searched beside it too.
KINDS |= frozenset({"écologique", "ecologique", "écologiques", "ecologiques", "ecological", "ecológico", "ecologico",
                    "ecológica", "ecologica", "ecológicos", "ecologicos"})

FRAME: dict[str, tuple[str, ...]] = {
    "es": (
        "hago", "hacer", "hace", "hacemos", "necesito", "necesita", "quiero", "quisiera", "saber", "puedo",
        "podemos", "debo", "ayuda", "ayudame", "ayúdame", "consejo", "consejos", "tips", "dime", "digame",
        "explicame", "explícame", "favor", "exactamente", "realmente", "normalmente", "help",
        "tener", "tengo", "tiene", "ser", "cosa", "cosas", "algo", "dame", "deme", "danos", "muestrame", "muéstrame",
        "quiere", "queremos", "quieren", "quisieramos", "quisiéramos", "gustaria", "gustaría",
        "recomiendan", "recomiendas", "recomienda", "recomendar", "sugieres", "sugieren",
    ),
    "fr": (
        "fais", "faire", "fait", "faut", "veux", "voudrais", "savoir", "peux", "peut", "dois",
        "aide", "aidez", "conseil", "conseils", "astuces", "dites", "explique", "expliquez", "exactement",
        "vraiment", "normalement", "comment",
        "avoir", "être", "etre", "tout", "tous", "toute", "toutes", "chose", "choses", "truc", "trucs",
        "donne", "donnez", "donner", "montre", "montrez",
        "veut", "voulons", "voulez", "veulent", "voudrait", "voudrions", "aimerais", "aimerait",
        "conseillez", "conseilles", "recommandez", "recommandes", "suggérez", "suggères",
    ),
    "en": (
        "get", "help", "tips", "advice", "want", "know", "actually", "exactly", "really", "please",
        "tell", "explain", "anyone", "idea", "ideas",
        "thing", "things", "stuff", "ok", "okay", "give", "show", "any", "some",
        "wanna", "wants", "recommend", "recommendations", "suggest", "suggestions",
    ),
}
# fmt: on


# Possessives: the word after one is often her own thing ("my kakanin", "mis salteñas", "mon karité").
POSSESSIVES = {
    "es": frozenset({"mi", "mis", "nuestro", "nuestra", "nuestros", "nuestras"}),
    "fr": frozenset({"mon", "ma", "mes", "notre", "nos"}),
    "en": frozenset({"my", "our"}),
}


def is_possessive(word: str, lang: str) -> bool:
    return word.lower() in POSSESSIVES.get(lang, frozenset())


@lru_cache(maxsize=4)
def _frame_terms(lang: str) -> frozenset[str]:
    return frozenset(t for word in FRAME.get(lang, ()) for t in analyze(word, lang))


def is_frame(term: str, lang: str) -> bool:
    """Whether an analysed term only frames a question in `lang` ("hag", "fais", "tip")."""
    return term in _frame_terms(lang)


def variant_terms(word: str, lang: str, vocab: Container[str], terms_of: Callable[[str, str], list[str]] = analyze):
    """The analysed terms of the first variant of `word` that the guides of `lang` use (every term in `vocab`),
    or None: `word` has no variant there, or none the guides use."""
    table = VARIANTS.get(lang, {})
    alternatives = table.get(word.lower(), table.get(fold_accents(word.lower()), ()))
    if not alternatives and lang == "es" and not is_word(word, lang):
        alternatives = diminutive_bases(word)
    for alternative in alternatives:
        terms = terms_of(alternative, lang)
        if terms and all(t in vocab for t in terms):
            return terms
    return None


# Spanish diminutives, as people write them in Bolivia and Guatemala ("un prestamito", "mi tiendita", "mis
# ahorritos", "un poquito"): the ending and the word it was put on ("-quito" was "-co", "-guita" was "-ga").
_DIMINUTIVE = (
    ("quitos", "cos"), ("quitas", "cas"), ("quito", "co"), ("quita", "ca"),
    ("guitos", "gos"), ("guitas", "gas"), ("guito", "go"), ("guita", "ga"),
    ("citos", ""), ("citas", ""), ("cito", ""), ("cita", ""),
    ("itos", "os"), ("itas", "as"), ("ito", "o"), ("ita", "a"),
)  # fmt: skip
MIN_BASE = 2


def diminutive_bases(word: str) -> tuple[str, ...]:
    """The words a Spanish diminutive may have been made from, most likely first ("tiendita" -> "tienda",
    "cafecito" -> "cafe", "poquito" -> "poco"); none for a word without a diminutive's ending."""
    low = fold_accents(word.lower())
    out = []
    for ending, base in _DIMINUTIVE:
        if low.endswith(ending) and len(low) - len(ending) >= MIN_BASE:
            out.append(low[: -len(ending)] + base)
    return tuple(dict.fromkeys(out))
