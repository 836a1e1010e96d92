"""The conversation engine end to end: commands, consent, onboarding, questions, votes, forgetting."""

from __future__ import annotations

import threading

import pytest

from assistant.config import Settings
from assistant.conversation import Engine
from assistant.conversation import Message as Message_
from assistant.conversation.onboarding import STEPS
from assistant.core import Assistant
from assistant.embeddings import HashEmbedder
from assistant.phrases import phrase
from assistant.runtime import Runtime
from assistant.storage.models import AnswerRecord, Conversation, Message, Participant
from tests.assistant.conversation.conftest import User, button_ids, count, text_of

QUESTION = "How do I prepare a loan file to obtain credit?"

# One whole onboarding per language: (message text, button) per step, and what must be stored.
FLOWS = {
    "fr": (
        [
            ("Aminata Diallo", None),
            ("Sénégal", None),
            ("Transformation de céréales locales", None),
            ("", "stage:early"),
            ("La comptabilité et la vente sur les marchés", None),
            ("Accéder au crédit", None),
            ("français et wolof", None),
            ("", "tz:country"),
            ("le mardi et le jeudi soir", None),
            ("les deux", None),
        ],
        {
            "name": "Aminata Diallo",
            "country": "Sénégal",
            "languages": ["fr", "wo"],
            "profile": {"stage": "early", "timezone": "Africa/Dakar", "modality": "both"},
        },
    ),
    "es": (
        [
            ("María López", None),
            ("Perú", None),
            ("Textiles de alpaca", None),
            ("establecida", None),
            ("Diseño y exportación", None),
            ("Marketing digital", None),
            ("español, quechua e inglés", None),
            ("UTC-5", None),
            ("los sábados por la mañana", None),
            ("", "modality:in_person"),
        ],
        {
            "name": "María López",
            "country": "Perú",
            "languages": ["es", "qu", "en"],
            "profile": {"stage": "established", "timezone": "UTC-05:00", "modality": "in_person"},
        },
    ),
    "en": (
        [
            ("Jane Smith", None),
            ("Canada", None),
            ("Catering", None),
            ("", "stage:idea"),
            ("Bookkeeping", None),
            ("Funding and a first shop", None),
            ("spanish, english", None),
            ("america/toronto", None),
            ("weekday evenings", None),
            ("virtual", None),
        ],
        {
            "name": "Jane Smith",
            "country": "Canada",
            "languages": ["es", "en"],
            "profile": {"stage": "idea", "timezone": "America/Toronto", "modality": "virtual"},
        },
    ),
}


def consent(user: User, lang: str = "en") -> list:
    user.send("/start")
    user.press(f"lang:{lang}")
    return user.press("consent:yes")


def state(engine: Engine, user: User) -> dict:
    return engine.load_state(user.channel, user.user_id)[0]


def test_start_offers_languages_and_consent_and_stores_nothing(user, runtime):
    replies = user.send("/start")
    ids = button_ids(replies)
    assert {"lang:fr", "lang:es", "lang:en", "consent:yes", "consent:no"} <= set(ids)
    titles = {b.id: b.title for r in replies for b in r.buttons}
    assert (titles["lang:fr"], titles["lang:es"], titles["lang:en"]) == ("Français", "Español", "English")
    assert phrase("consent_question", "en") in text_of(replies)
    user.press("lang:es")  # the choice lives in process memory only
    assert runtime.store.participant(user.channel, user.user_id) is None
    assert count(runtime, Participant) == 0 and count(runtime, Conversation) == 0


def test_start_speaks_the_channel_language_hint(engine):
    replies = User(engine, "u-fr", hint="fr-CA").send("/start")
    assert phrase("start_greeting", "fr") in text_of(replies)
    assert phrase("consent_question", "fr") in text_of(replies)


@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_whole_onboarding_in_each_language_stores_the_profile(user, runtime, lang):
    user.send("/start")
    switched = user.press(f"lang:{lang}")
    assert phrase("consent_question", lang) in text_of(switched)  # asked again, now in her language
    replies = user.press("consent:yes")
    assert phrase("ask_name", lang) in text_of(replies)
    participant = runtime.store.participant(user.channel, user.user_id)
    assert participant.consent and participant.preferred_language == lang
    steps, expected = FLOWS[lang]
    for index, (text, button) in enumerate(steps):
        replies = user.send(text, button)
        if index + 1 < len(STEPS):
            assert phrase(f"ask_{STEPS[index + 1]}", lang) in text_of(replies), (STEPS[index], text_of(replies))
    assert phrase("onboarding_done", lang) in text_of(replies)
    stored = runtime.store.participant(user.channel, user.user_id)
    assert stored.name == expected["name"] and stored.country == expected["country"]
    assert stored.languages == expected["languages"] and stored.preferred_language == lang
    assert expected["profile"].items() <= stored.profile.items()
    assert set(stored.profile) >= {"sector", "stage", "offers", "needs", "timezone", "availability", "modality"}
    assert stored.profile["sector"] == steps[2][0] and stored.profile["availability"] == steps[8][0]
    assert state(user.engine, user).get("step") is None
    assert expected["name"] in text_of(replies)  # the summary shows what was saved


def test_stage_and_modality_questions_offer_buttons(user):
    consent(user)
    for text in ("Jane", "Canada", "Catering"):
        replies = user.send(text)
    assert button_ids(replies) == ["stage:idea", "stage:early", "stage:established"]
    for text, button in [("", "stage:idea"), ("Bookkeeping", None), ("Funding", None), ("english", None)]:
        replies = user.send(text, button)
    assert button_ids(replies) == ["tz:country"]  # her country's zone, one tap away
    title = replies[0].buttons[0].title
    assert title.startswith("Toronto, ") and "America/" not in title  # a city and its time, never an IANA name
    for text in ("UTC-4", "weekday evenings"):
        replies = user.send(text)
    assert button_ids(replies) == ["modality:virtual", "modality:in_person", "modality:both"]


@pytest.mark.parametrize(
    ("step_index", "nonsense"),
    [
        (0, "12345"),
        (0, ""),
        (0, "   "),
        (0, "Jane 2"),
        (1, "42"),
        (2, ""),
        (3, "maybe later"),
        (6, "I like cats"),
        (7, "Mars/Olympus"),
        (7, "UTC+25"),
        (7, "Atlantis"),
        (8, "no"),
        (9, "sometimes"),
    ],
)
def test_nonsense_answers_are_asked_again(user, engine, step_index, nonsense):
    consent(user)
    for text, button in FLOWS["en"][0][:step_index]:
        user.send(text, button)
    step = STEPS[step_index]
    assert state(engine, user)["step"] == step
    replies = user.send(nonsense)
    assert phrase(f"invalid_{step}", "en") in text_of(replies)
    assert phrase(f"ask_{step}", "en") in text_of(replies)
    assert state(engine, user)["step"] == step
    assert step not in state(engine, user)["answers"]


def test_a_bad_time_zone_then_a_good_one(user, engine, runtime):
    consent(user)
    for text, button in FLOWS["en"][0][:7]:
        user.send(text, button)
    assert phrase("invalid_timezone", "en") in text_of(user.send("Europe/Nowhere"))
    replies = user.send("utc+5:30")
    assert phrase("ask_availability", "en") in text_of(replies)
    assert state(engine, user)["answers"]["timezone"] == "UTC+05:30"


def test_an_answer_in_another_language_is_accepted(user, engine):
    consent(user, "fr")
    for text in ("Amina", "Spain", "Textile"):
        user.send(text)
    user.send("established")  # English, though she chose French
    replies = user.send("Comptabilité")
    assert phrase("ask_needs", "fr") in text_of(replies)
    user.send("Crédit")
    replies = user.send("spanish, english")
    assert phrase("ask_timezone", "fr") in text_of(replies)
    answers = state(engine, user)["answers"]
    assert answers["stage"] == "established" and answers["languages"] == ["es", "en"]


@pytest.mark.parametrize("word", ["cancel", "/cancel", "Annuler", "cancelar"])
def test_cancel_mid_onboarding(user, engine, runtime, word):
    consent(user, "es")
    user.send("María")
    replies = user.send(word)
    assert text_of(replies) == phrase("onboarding_cancelled", "es")
    assert state(engine, user).get("step") is None
    # Afterwards free text is a question again, not an answer to the profile.
    replies = user.send(QUESTION)
    assert any(i.startswith("vote:up:") for i in button_ids(replies))
    assert runtime.store.participant(user.channel, user.user_id).name == "María"  # kept: /start asks the rest
    assert text_of(user.send("cancel")) == phrase("nothing_to_cancel", "es")


def test_onboarding_resumes_at_the_same_step_after_a_restart(user, runtime):
    consent(user, "fr")
    for text in ("Aminata", "Sénégal", "Agriculture"):
        user.send(text)
    # A new process: a new runtime over the same data directory, a new engine.
    restarted = Runtime(
        Settings(data_dir=runtime.settings.data_dir, embedding_model="hash", _env_file=None), embedder=HashEmbedder()
    )
    again = User(Engine(Assistant(restarted)), user.user_id, user.channel)
    replies = again.send("", "stage:idea")
    assert phrase("ask_offers", "fr") in text_of(replies)
    for text, button in FLOWS["fr"][0][4:]:
        replies = again.send(text, button)
    assert phrase("onboarding_done", "fr") in text_of(replies)
    stored = restarted.store.participant(user.channel, user.user_id)
    assert stored.name == "Aminata" and stored.profile["sector"] == "Agriculture"
    assert stored.profile["stage"] == "idea"


def test_language_switch(user, runtime):
    replies = user.send("/lang")
    assert button_ids(replies) == ["lang:fr", "lang:es", "lang:en"]
    replies = user.press("lang:es")
    assert text_of(replies) == phrase("language_set", "es", language="español")
    assert text_of(user.send("/help")) == phrase("help", "es")
    assert runtime.store.participant(user.channel, user.user_id) is None  # not consented: memory only
    # Consented and onboarding: saved as her preference, and the current question asked again in French.
    user.press("consent:yes")
    replies = user.send("/lang fr")
    assert phrase("ask_name", "fr") in text_of(replies)
    assert runtime.store.participant(user.channel, user.user_id).preferred_language == "fr"


def test_a_question_gets_an_answer_with_vote_buttons_and_a_vote_is_recorded(user, runtime):
    replies = user.send(QUESTION)
    assert len(replies) == 1
    answer_text = replies[0].text
    assert "loan file" in answer_text and phrase("sources", "en") in answer_text
    up, down = replies[0].buttons
    assert up.id.startswith("vote:up:") and down.id.startswith("vote:down:")
    answer_id = up.id.removeprefix("vote:up:")
    assert down.id == f"vote:down:{answer_id}"
    assert text_of(user.press(down.id)) == phrase("feedback_why", "en")  # then why: test_feedback.py
    assert runtime.store.negative_feedback()[0]["answer_id"] == answer_id
    assert text_of(user.press(up.id)) == phrase("vote_thanks", "en")
    assert runtime.store.stats()["feedback"] == {"up": 1, "down": 1}
    assert text_of(user.press("vote:up:no-such-answer")) == phrase("vote_unknown", "en")


def test_a_question_is_answered_in_its_language(user):
    replies = user.send("Comment préparer un dossier de prêt pour obtenir un crédit ?")
    assert "dossier de prêt" in replies[0].text
    assert button_ids(replies)[0].startswith("vote:up:")
    assert replies[0].buttons[0].title == phrase("button_vote_up", "fr")
    assert text_of(user.send("/help")) == phrase("help", "fr")  # she is spoken to in French from now on


def test_until_she_chooses_the_language_she_last_asked_in_is_spoken(user):
    """/start after a Spanish question greeted in French, the language of her first message."""
    user.send("Comment préparer un dossier de prêt pour obtenir un crédit ?")
    replies = user.send("¿Cómo preparo una carpeta de crédito para obtener un préstamo?")
    assert replies[0].language == "es"
    assert phrase("start_greeting", "es") in text_of(user.send("/start"))


def test_unknown_command_lists_the_commands_and_asks_nothing(user, runtime):
    replies = user.send("/foo")
    assert phrase("unknown_command", "en", command="/foo") in text_of(replies)
    assert "/forget" in text_of(replies) and "/human" in text_of(replies)
    assert count(runtime, AnswerRecord) == 0


@pytest.mark.parametrize("media", ["audio", "image", "sticker", "location", "document"])
@pytest.mark.parametrize("lang", ["fr", "es", "en"])
def test_media_gets_a_polite_text_only_reply_in_her_language(engine, runtime, media, lang):
    user = User(engine, user_id=f"media-{media}-{lang}", hint=lang)
    message = Message_(user.channel, user.user_id, "", "m-1", lang, None, media)
    [reply] = engine.handle(message)
    assert reply.text == phrase("only_text", lang) and reply.language == lang
    assert count(runtime, Participant) == 0 and count(runtime, AnswerRecord) == 0


def test_every_reply_says_its_language(user):
    user.send("/start")
    replies = user.press("lang:es")
    assert {r.language for r in replies} == {"es"}
    assert {r.language for r in user.send("¿Cómo preparo un expediente de préstamo?")} == {"es"}


def test_human_without_consent_offers_consent_and_stores_nothing(user, runtime):
    replies = user.send("/human")
    assert phrase("human_needs_consent", "en") in text_of(replies)
    assert button_ids(replies) == ["consent:yes", "consent:no"]
    assert count(runtime, Participant) == 0 and count(runtime, Conversation) == 0
    user.send("yes")  # a typed yes answers the consent question
    assert runtime.store.participant(user.channel, user.user_id).consent
    assert text_of(user.send("/human")) == phrase("human_handed", "en", hours=24)


def test_someone_without_consent_gets_answers_and_nothing_is_stored_about_her(user, runtime):
    user.send("/start")
    assert text_of(user.press("consent:no")) == phrase("consent_declined", "en")
    for question in (QUESTION, "And what about savings groups?"):
        replies = user.send(question)
        assert button_ids(replies)[0].startswith("vote:up:")
    user.press(replies[0].buttons[0].id)
    assert count(runtime, Participant) == 0 and count(runtime, Conversation) == 0 and count(runtime, Message) == 0
    with runtime.database.session() as s:
        assert {r.participant_id for r in s.query(AnswerRecord)} == {None}
    assert text_of(user.send("/profile")) == phrase("profile_none", "en")


def test_start_again_mid_onboarding_carries_on_where_she_was(user):
    consent(user)
    user.send("Jane")
    replies = user.send("/start")
    assert "consent:yes" not in button_ids(replies)
    assert phrase("onboarding_resume", "en") in text_of(replies) and phrase("ask_country", "en") in text_of(replies)


def test_start_again_after_stopping_before_any_answer_starts_the_profile(user):
    consent(user)
    user.send("/cancel")
    assert phrase("ask_name", "en") in text_of(user.send("/start"))


def test_users_are_kept_apart(engine, runtime):
    a, b = User(engine, "a"), User(engine, "b", channel="whatsapp")
    consent(a, "fr")
    b.press("lang:es")
    assert text_of(b.send("/help")) == phrase("help", "es")
    assert text_of(a.send("/help")) == phrase("help", "fr")
    assert count(runtime, Participant) == 1


def test_concurrent_messages_from_one_user_are_handled_one_at_a_time(engine, runtime):
    user = User(engine, "busy")
    consent(user)
    errors: list[BaseException] = []

    def answer(text: str) -> None:
        try:
            user.send(text)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    # in whatever order the threads run, each text is a valid name, country and sector
    threads = [threading.Thread(target=answer, args=(t,)) for t in ("Rwanda", "Kenya", "Ghana")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert engine.load_state(user.channel, user.user_id)[0]["step"] == "stage"  # three answers, three steps
