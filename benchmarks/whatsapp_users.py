"""The WhatsApp load benchmark's simulated users: numbers of programme countries, the script of messages each
one sends (`/start`, the consent button, questions of the evaluation set, commands) and the webhook bodies Meta
POSTs for them."""

from __future__ import annotations

import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "evals" / "datasets" / "questions.jsonl"

PHONE_NUMBER_ID = "106540352242922"
DISPLAY_NUMBER = "15550000000"

# (calling code, national-number prefixes, digits after the prefix, language, first names)
COUNTRIES: tuple[tuple[str, tuple[str, ...], int, str, tuple[str, ...]], ...] = (
    ("591", ("6", "7"), 7, "es", ("María", "Ximena", "Rosa")),  # Bolivia: 8-digit mobiles
    ("502", ("3", "4", "5"), 7, "es", ("Ana", "Lucía", "Marta")),  # Guatemala
    ("51", ("9",), 8, "es", ("Carmen", "Julia")),  # Peru
    ("221", ("70", "76", "77", "78"), 7, "fr", ("Awa", "Fatou", "Aminata")),  # Senegal
    ("225", ("07", "05", "01"), 8, "fr", ("Adjoua", "Aya")),  # Côte d'Ivoire (10 digits)
    ("229", ("0196", "0197"), 6, "fr", ("Rachida", "Bernice")),  # Benin (10 digits since 2024)
    ("250", ("78", "72", "73"), 7, "fr", ("Claudine", "Aline")),  # Rwanda
    ("1", ("514", "418", "819"), 7, "fr", ("Chloé", "Geneviève")),  # Canada, Quebec area codes
    ("1", ("416", "613", "604"), 7, "en", ("Sarah", "Emily")),  # Canada, Ontario and British Columbia
    ("63", ("917", "918", "927"), 7, "en", ("Maricel", "Jocelyn", "Rowena")),  # Philippines
)  # fmt: skip


# -- the script of each user ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One message she sends: text or a button press, and what closes its reply (see `closes`)."""

    kind: str  # "command", "button" or "question"
    text: str
    button_id: str | None = None
    closer: str = "text"  # "consent": the consent question; "vote": an answer with vote buttons; "text"


@dataclass
class User:
    number: str
    name: str
    language: str
    steps: list[Step]
    twin_at: int | None = None  # this message is POSTed twice at the same moment
    redeliver: int | None = None  # with her last message, this earlier one is POSTed again


def questions_by_language(path: Path = QUESTIONS) -> dict[str, list[str]]:
    """The evaluation questions, in file order, per language."""
    found: dict[str, list[str]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            question = row["question"].strip()
            if question and not question.startswith("/"):
                found[row["language"]].append(question)
    return dict(found)


def phone_number(rng: random.Random, index: int) -> tuple[str, str, str]:
    """(wa_id, first name, language) of the index-th user: E.164 digits without the '+', as WhatsApp sends."""
    code, prefixes, digits, language, names = COUNTRIES[index % len(COUNTRIES)]
    national = rng.choice(prefixes) + "".join(str(rng.randrange(10)) for _ in range(digits))
    return code + national, rng.choice(names), language


def build_script(messages: int, language: str, pool: dict[str, list[str]], rng: random.Random) -> list[Step]:
    """`/start`, the "No" consent button, then questions (7 in 10 in her language) with `/help` and
    `/resources` along the way when there are enough messages."""
    others = [lang for lang in sorted(pool) if lang != language]
    steps: list[Step] = []
    for i in range(messages):
        if i == 0:
            steps.append(Step("command", "/start", closer="consent"))
        elif i == 1:
            steps.append(Step("button", "No", button_id="consent:no"))
        elif messages >= 6 and i == messages // 2:
            steps.append(Step("command", "/help"))
        elif messages >= 10 and i == messages - 4:
            steps.append(Step("command", "/resources"))
        else:
            lang = language if rng.random() < 0.7 or not others else rng.choice(others)
            steps.append(Step("question", rng.choice(pool[lang]), closer="vote"))
    return steps


def build_users(count: int, messages: int, seed: int) -> list[User]:
    rng = random.Random(seed)
    pool = questions_by_language()
    users, seen = [], set()
    for index in range(count):
        number, name, language = phone_number(rng, index)
        while number in seen:
            number, name, language = phone_number(rng, index)
        seen.add(number)
        steps = build_script(messages, language, pool, rng)
        questions = [i for i, s in enumerate(steps) if s.kind == "question" and i >= messages // 2]
        twin_at = questions[0] if questions else messages - 1
        redeliver = None if messages < 2 else 1 if messages > 2 else 0  # an early message, re-sent with the last
        users.append(User(number, name, language, steps, twin_at, redeliver))
    return users


def webhook_body(user: User, step: Step, wamid: str) -> bytes:
    """The body Meta POSTs for one inbound message."""
    message: dict = {"from": user.number, "id": wamid, "timestamp": str(int(time.time()))}
    if step.button_id:
        message |= {
            "type": "interactive",
            "interactive": {"type": "button_reply", "button_reply": {"id": step.button_id, "title": step.text}},
        }
    else:
        message |= {"type": "text", "text": {"body": step.text}}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": user.name}, "wa_id": user.number}],
        "messages": [message],
    }
    payload = {"object": "whatsapp_business_account",
               "entry": [{"id": "WABA-BENCH", "changes": [{"field": "messages", "value": value}]}]}  # fmt: skip
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
