"""The conversation eval: does the engine understand people as they write? Per language, over
`evals/datasets/conversation.jsonl` (one case a line, `type` one of):

- `small_talk` {"text", "expect"}: the kind of small talk (greeting, thanks, ack, confusion, who, goodbye)
  or `question` (a real question, maybe wrapped in courtesies, that must go to the guides). Scored by the
  engine's classifier (`assistant.conversation.smalltalk.classify`).
- `confirmation` {"offered", "text", "expect"}: the buttons she was offered (forget, consent, path_check,
  step_done, intro, vote, with their labels in her language from the phrase catalogue) and what typing
  `text` must mean: the button's last id part (`confirm`, `no`, `up`...) or null (not an answer).
- `onboarding` {"step", "text", "expect"}: the value the step's parser must keep.
- `edit` and `restart`: short scripted dialogues through the real engine on a throw-away SQLite database
  (no retrieval is involved): an edited onboarding answer corrects that field and nothing else; a
  returning /start greets her by name and asks nothing again.

Figures are shares of cases; the goals are 95% each, per language. Cases fall in two fixed halves by the
hash of their id (`evals/splits.py`): tune on `calibration`, report `report`.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections import defaultdict
from pathlib import Path

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.conversation import Engine, Message
from assistant.conversation.choices import typed_choice
from assistant.conversation.onboarding import PARSERS, parse_country, parse_timezone
from assistant.conversation.smalltalk import classify
from assistant.core import Assistant
from assistant.phrases import phrase
from assistant.runtime import Runtime
from evals.splits import split

DATASET = Path(__file__).parent / "datasets" / "conversation.jsonl"
GOAL = 0.95
TYPES = ("small_talk", "confirmation", "onboarding", "edit", "restart")
METRICS = {  # report name -> the case types it is the share of
    "small_talk_handled": ("small_talk",),
    "confirmations_understood": ("confirmation",),
    "onboarding_fields_extracted": ("onboarding",),
    "edits_and_restarts": ("edit", "restart"),
}
_OFFERS = {  # what each offered choice looks like: (button id, label phrase key)
    "forget": [("forget:confirm", "button_forget_confirm"), ("forget:cancel", "button_forget_cancel")],
    "consent": [("consent:yes", "button_consent_yes"), ("consent:no", "button_consent_no")],
    "path_check": [("path:check:m:yes", "button_check_yes"), ("path:check:m:no", "button_check_not_yet")],
    "step_done": [("path:done:m", "button_step_done"), ("path:resources", "button_step_resources"),
                  ("path:rediag", "button_rediagnose")],
    "intro": [("match:accept:p", "button_match_accept"), ("match:decline:p", "button_match_decline")],
    "vote": [("vote:up:a", "button_vote_up"), ("vote:down:a", "button_vote_down")],
}  # fmt: skip
_SUFFIX = {"path:done:m": "done", "path:resources": "resources", "path:rediag": "rediag"}


def load(path: Path = DATASET) -> list[dict]:
    """The cases; a bad line is a ValueError naming its number."""
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from None
        if case.get("type") not in TYPES or case.get("language") not in SUPPORTED_LANGUAGES or "id" not in case:
            raise ValueError(f"{path}:{n}: needs an id, a type among {TYPES} and a language among fr, es, en")
        cases.append(case)
    return cases


# -- one case --------------------------------------------------------------------------------------------------


def small_talk_ok(case: dict) -> bool:
    result = classify(case["text"])
    if case["expect"] == "question":
        return result.kind is None and bool(result.rest.strip())
    return result.kind == case["expect"]


def confirmation_ok(case: dict) -> bool:
    options = [(i, phrase(key, case["language"])) for i, key in _OFFERS[case["offered"]]]
    picked = typed_choice(case["text"], options, [i for i, _ in options])
    got = None if picked is None else _SUFFIX.get(picked, picked.split(":")[1 if picked.count(":") == 1 else -1])
    if picked is not None and picked.startswith(("match:", "vote:")):
        got = picked.split(":")[1]
    return got == case["expect"]


def onboarding_ok(case: dict) -> bool:
    step, text = case["step"], case["text"]
    if step == "country":
        return parse_country(text, lang=case["language"]) == case["expect"]
    if step == "timezone":
        return parse_timezone(text) == case["expect"]
    return PARSERS[step](text, None) == case["expect"]


class _Dialogues:
    """The real engine on a throw-away SQLite database: edits and restarts."""

    def __init__(self, folder: Path) -> None:
        self.runtime = Runtime(Settings(data_dir=folder, _env_file=None))
        self.engine = Engine(Assistant(self.runtime))
        self._ids = itertools.count(1)

    def send(self, user: str, text: str = "", button: str | None = None, source: str | None = None,
             edited: bool = False) -> list:  # fmt: skip
        message = Message("eval", user, text, f"m{next(self._ids)}", None, button, source_id=source, edited=edited)
        return self.engine.handle(message)

    def consented(self, user: str, lang: str) -> None:
        self.send(user, "/start")
        self.send(user, button=f"lang:{lang}")
        self.send(user, button="consent:yes")

    def edit_ok(self, case: dict) -> bool:
        user = case["id"]
        self.consented(user, case["language"])
        for n, text in enumerate(case["answers"]):
            self.send(user, text, source=f"s{n}")
        which, new = case["edit"]
        self.send(user, new, source=f"s{which}", edited=True)
        state = self.engine.load_state("eval", user)[0]
        step_after = len(case["answers"])
        from_steps = list(PARSERS)
        return (
            state.get("answers", {}).get(case["field"]) == case["expect"]
            and state.get("step") == from_steps[step_after]
        )

    def restart_ok(self, case: dict) -> bool:
        user, lang = case["id"], case["language"]
        self.consented(user, lang)
        for text in case["answers"]:
            self.send(user, text)
        person = self.runtime.store.participant("eval", user)
        if person is None or not person.name:
            return False
        said = "\n".join(r.text for r in self.send(user, "/start"))
        greeted = phrase("welcome_back", lang, name=", " + person.name.split()[0]) in said
        return (
            greeted and phrase("ask_name", lang) not in said and not self.engine.load_state("eval", user)[0].get("step")
        )

    def close(self) -> None:
        self.runtime.database.dispose()


def evaluate(cases: list[dict], part: str = "report") -> dict:
    """{"split", "cases", "by_language": {lang: {metric: {"share", "passed", "cases", "goal_met"}}}, "failures"}."""
    chosen = split(cases, part)
    passed: dict[tuple[str, str], list[bool]] = defaultdict(list)
    failures = []
    with tempfile.TemporaryDirectory(prefix="mentor-conversation-eval-") as folder:
        dialogues = _Dialogues(Path(folder))
        try:
            for case in chosen:
                kind = case["type"]
                ok = {
                    "small_talk": small_talk_ok,
                    "confirmation": confirmation_ok,
                    "onboarding": onboarding_ok,
                    "edit": dialogues.edit_ok,
                    "restart": dialogues.restart_ok,
                }[kind](case)
                passed[(case["language"], kind)].append(ok)
                if not ok:
                    failures.append(case["id"])
        finally:
            dialogues.close()
    by_language = {}
    for lang in SUPPORTED_LANGUAGES:
        figures = {}
        for metric, kinds in METRICS.items():
            results = [r for kind in kinds for r in passed.get((lang, kind), [])]
            if results:
                share = sum(results) / len(results)
                figures[metric] = {"share": round(share, 3), "passed": sum(results), "cases": len(results),
                                   "goal_met": share >= GOAL}  # fmt: skip
        by_language[lang] = figures
    return {"split": part, "cases": len(chosen), "by_language": by_language, "failures": sorted(failures)}
