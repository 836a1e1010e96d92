"""`/pathway` and `/resources` in the chat: the diagnostic (resumable, re-asked on bad answers), the next
step with its reasons, completion through the check question, resources, and the answers to nudges."""

from __future__ import annotations

import pytest

from assistant.phrases import phrase
from assistant.storage.models import Nudge
from tests.assistant.conversation.conftest import User, button_ids, count, text_of

COMPETENCIES = [
    "mentoring-relationship", "financial-management", "access-to-finance", "market-access", "digital-skills",
    "green-practices", "communication", "leadership",
]  # fmt: skip


def consented(engine, uid="amina", lang="fr") -> User:
    user = User(engine, uid)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    user.send("/cancel")
    return user


def diagnose(user: User, ratings: list[int]) -> list:
    replies = user.send("/pathway")
    for rating in ratings:
        replies = user.press(f"diag:{rating}")
    return replies


def test_pathway_needs_consent_first(engine):
    user = User(engine, "nobody")
    assert phrase("pathway_needs_consent", "en") in text_of(user.send("/pathway"))
    assert phrase("pathway_needs_consent", "en") in text_of(user.send("/resources"))


def test_the_diagnostic_asks_each_competency_with_buttons_in_her_language(engine):
    user = consented(engine, lang="es")
    replies = user.send("/pathway")
    assert phrase("diag_intro", "es", count=8) in text_of(replies)
    assert "(1/8) Relación de mentoría recíproca" in text_of(replies)
    assert button_ids(replies)[-5:] == [f"diag:{r}" for r in range(1, 6)]
    replies = user.press("diag:3")
    assert "(2/8) Gestión financiera" in text_of(replies)


@pytest.mark.parametrize(
    ("lang", "typed", "level"),
    [
        ("es", "poco", 2), ("es", "un poco", 2), ("es", "Un pocoo", 2), ("es", "nada", 1), ("es", "mucho", 5),
        ("es", "2 · un poco", 2), ("es", "con soltura", 4), ("es", "tres", 3), ("fr", "beaucoup", 5),
        ("fr", "un peu", 2), ("fr", "pas beaucoup", 2), ("fr", "a l'aise", 4), ("fr", "expret", 5),
        ("en", "a lot", 5), ("en", "a little", 2), ("en", "I manage", 3), ("en", "4/5", 4), ("fr", "trois", 3),
    ],
)  # fmt: skip
def test_a_rating_typed_in_words_is_recorded(engine, runtime, lang, typed, level):
    user = consented(engine, uid=f"w{lang}", lang=lang)
    user.send("/pathway")
    replies = user.send(typed)
    assert phrase("diag_invalid", lang) not in text_of(replies)
    assert "(2/8)" in text_of(replies)  # recorded: the next question
    assert runtime.store.conversation_state(user.channel, user.user_id)["diag"]["ratings"] == {COMPETENCIES[0]: level}


@pytest.mark.parametrize(
    ("lang", "typed"), [("es", "no sé qué es eso"), ("fr", "je sais pas"), ("en", "I don't know what that is")]
)
def test_i_dont_know_what_that_is_is_the_lowest_level_and_she_is_told(engine, runtime, lang, typed):
    user = consented(engine, uid=f"u{lang}", lang=lang)
    user.send("/pathway")
    replies = user.send(typed)
    assert phrase("diag_noted_unknown", lang, rating=phrase("rating_1", lang)) in text_of(replies)
    assert "(2/8)" in text_of(replies)
    assert runtime.store.conversation_state(user.channel, user.user_id)["diag"]["ratings"] == {COMPETENCIES[0]: 1}


@pytest.mark.parametrize("answer", ["7", "0", "3 ou 4", "bleu", ""])
def test_an_answer_out_of_range_or_in_words_is_asked_again_politely(engine, answer):
    user = consented(engine)
    user.send("/pathway")
    user.press("diag:4")
    replies = user.send(answer) if answer else user.press("diag:9")
    assert phrase("diag_invalid", "fr") in text_of(replies)
    assert "(2/8)" in text_of(replies)  # the same question again, nothing recorded
    assert "(3/8)" in text_of(user.send("2"))  # a typed digit is accepted


def test_the_diagnostic_resumes_where_she_left_it(engine):
    user = consented(engine)
    user.send("/pathway")
    user.press("diag:4")
    user.press("diag:2")
    user.send("/cancel")
    user.send("Comment préparer un dossier de crédit ?")  # a question in between is answered, not a rating
    replies = user.send("/pathway")
    assert phrase("diag_resume", "fr") in text_of(replies) and "(3/8)" in text_of(replies)


def test_the_first_step_addresses_her_weakest_area_and_says_why(engine, runtime):
    user = consented(engine, lang="en")
    # weakest: digital skills (1), everything else 3-5
    replies = diagnose(user, [4, 3, 3, 4, 1, 3, 4, 5])
    text = text_of(replies)
    assert phrase("diag_done", "en") in text
    assert "Your next step: Digital first steps for my business" in text
    assert "1/5 in Digital skills" in text
    assert "path:done:digital-first-steps" in button_ids(replies)
    person = runtime.store.participant("telegram", "amina")
    assert person.profile["diagnostic"]["digital-skills"] == 1
    assert runtime.store.module_states(person.id)["digital-first-steps"]["status"] == "given"


def test_completing_through_the_check_question_moves_the_pathway_on(engine, runtime):
    user = consented(engine, lang="en")
    diagnose(user, [4, 3, 3, 4, 1, 3, 4, 5])
    replies = user.press("path:done:digital-first-steps")
    assert "Is your product catalogue online with prices?" in text_of(replies)
    assert phrase("step_not_yet", "en") in text_of(user.press("path:check:digital-first-steps:no"))
    replies = user.press("path:check:digital-first-steps:yes")
    text = text_of(replies)
    assert "“Digital first steps for my business” is done" in text
    assert "Your next step: Digital first steps" not in text
    person = runtime.store.participant("telegram", "amina")
    assert runtime.store.module_states(person.id)["digital-first-steps"]["status"] == "completed"


def test_every_module_completed_congratulates_and_offers_advanced_resources(engine, runtime):
    user = consented(engine, lang="en")
    diagnose(user, [3] * 8)
    person = runtime.store.participant("telegram", "amina")
    for module in runtime.pathways.catalog.modules:
        runtime.pathways.complete(person.id, module)
    replies = user.send("/pathway")
    assert phrase("pathway_all_done", "en") in text_of(replies)
    shown = [b.id.split(":", 2)[2] for r in replies for b in r.buttons if b.id.startswith("res:done:")]
    assert shown, "advanced resources are offered, not an empty list"
    assert all(runtime.pathways.catalog.resources[r]["level"] == "advanced" for r in shown)


def test_resources_are_not_repeated_once_marked_done(engine, runtime):
    user = consented(engine, lang="en")
    diagnose(user, [4, 3, 3, 4, 1, 3, 4, 5])
    first = user.send("/resources")
    ids = [b.id for b in first[0].buttons]
    assert ids and phrase("resources_header", "en") in text_of(first)
    done = ids[0].split(":", 2)[2]
    assert phrase("resource_marked_done", "en") in text_of(user.press(ids[0]))
    for _ in range(20):  # every later list, even after all were seen once
        replies = user.send("/resources")
        assert f"res:done:{done}" not in button_ids(replies)
    assert phrase("unknown_button", "en") in text_of(user.press("res:done:no-such-resource"))


def test_a_nudge_answer_is_recorded_with_her_comment(engine, runtime):
    user = consented(engine, lang="en")
    diagnose(user, [4, 3, 3, 4, 1, 3, 4, 5])
    person = runtime.store.participant("telegram", "amina")
    nudge_id = runtime.store.record_nudge(person.id, "step", "digital-first-steps", "telegram", "text", "canada",
                                            "sent")  # fmt: skip
    assert phrase("nudge_thanks", "en") in text_of(user.press(f"nudge:{nudge_id}:hard"))
    assert phrase("nudge_comment_saved", "en") in text_of(user.send("Mobile money fees were too high"))
    nudge = runtime.store.nudge(nudge_id)
    assert (nudge["status"], nudge["answer"], nudge["comment"]) == (
        "answered",
        "hard",
        "Mobile money fees were too high",
    )
    feedback = runtime.store.module_states(person.id)["digital-first-steps"]["feedback"]
    assert feedback[-1]["answer"] == "hard" and "Mobile money" in feedback[-1]["comment"]
    # someone else's nudge, or a forged one, is refused
    other = consented(engine, uid="zoe", lang="en")
    assert phrase("unknown_button", "en") in text_of(other.press(f"nudge:{nudge_id}:helped"))
    assert phrase("unknown_button", "en") in text_of(other.press("nudge:nope:helped"))
    assert count(runtime, Nudge) == 1


def test_repeated_questions_on_credit_move_the_finance_modules_up_and_say_so(engine, runtime):
    from assistant.answering.types import Answer, Citation

    user = consented(engine, lang="en")
    diagnose(user, [2] * 8)  # every area equally weak: no finance module comes first on the ratings alone
    person = runtime.store.participant("telegram", "amina")
    before, _ = runtime.pathways.plan(person, "en")
    assert before[0].module_id != "money-basics"
    for n in range(3):
        cited = Citation(1, "access-to-credit", f"access-to-credit.en#{n}", "Access to credit", "en", "…")
        answer = Answer(f"How do I get a loan? ({n})", "en", "…", False, [cited])
        runtime.store.record_answer(answer, "telegram", participant_id=person.id)
    after, needs = runtime.pathways.plan(person, "en")
    assert needs.questions["financial-management"] == 3 and needs.questions["access-to-finance"] == 3
    assert after[0].module_id == "money-basics"
    assert "3 of your questions were answered from the guide “Access to credit”" in after[0].why
    assert "Your next step: Keeping your business money in order" in text_of(user.send("/pathway"))


def test_resources_are_sent_as_links_she_can_open(engine, runtime):
    user = consented(engine, lang="es")
    diagnose(user, [3, 3, 1, 3, 3, 3, 3, 3])
    replies = user.send("/resources")
    text = text_of(replies)
    shown = [b.id.split(":", 2)[2] for b in replies[0].buttons]
    assert shown
    base = (runtime.settings.public_url or f"http://{runtime.settings.host}:{runtime.settings.port}").rstrip("/")
    for resource_id in shown:  # each item carries the address of its page in her language
        assert f"{base}/resources/{resource_id}?lang=es" in text


@pytest.mark.parametrize(
    ("lang", "message", "title"),
    [
        ("en", "where can i download the am i ready for a loan checklist?", "Am I ready for a loan?"),
        ("es", "¿dónde descargo la lista «Estoy lista para un préstamo»?", "¿Estoy lista para un préstamo?"),
        ("fr", "je cherche la fiche suis-je prete pour un pret", "Suis-je prête pour un prêt ?"),
    ],
)
def test_asking_for_a_resource_by_name_finds_it(engine, runtime, lang, message, title):
    user = consented(engine, lang=lang)
    text = text_of(user.send(message))
    assert title in text
    assert f"/resources/loan-readiness-checklist?lang={lang}" in text
    assert phrase("sources", lang) not in text  # the resource itself, not an answer from the guides
