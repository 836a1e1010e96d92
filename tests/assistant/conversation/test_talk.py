"""Scripted dialogues per language through the real engine, on SQLite and PostgreSQL: small talk gets a short
reply (no retrieval, no vote, no gap), and typed answers to buttons work like pressing them."""

from __future__ import annotations

import re

import pytest

from assistant.config import Settings
from assistant.conversation import Engine
from assistant.conversation import Message as Message_
from assistant.core import Assistant
from assistant.embeddings import HashEmbedder
from assistant.knowledge.ingest import Ingestor
from assistant.phrases import phrase
from assistant.runtime import Runtime
from assistant.storage.models import AnswerRecord, ContentGap, Conversation, Feedback, Message, Participant
from tests.assistant.conversation.conftest import User, _ids, button_ids, count, text_of
from tests.assistant.storage.conftest import database_url  # noqa: F401  (the sqlite/postgresql fixture)
from tests.conftest import write_small_corpus

TALK = {
    "es": {
        "greeting": ["hola buenas", "Buenas tardes!!", "holaaa"],
        "thanks": ["gracias!!", "muchas grasias señora", "mil gracias"],
        "ack": ["ok", "vale", "👍", "perfecto"],
        "confusion": ["no entiendo", "no entendi nada", "??"],
        "who": ["quien eres?", "eres un robot?"],
        "goodbye": ["adios", "hasta luego"],
        "question": "hola, como saco un credito?",
        "yes": ["si", "sí, borrar", "Sí, borrar todo"],
        "no": "no",
    },
    "fr": {
        "greeting": ["bonjour", "Bonsoir !", "slt"],
        "thanks": ["merci beaucoup", "Merciii", "je vous remercie"],
        "ack": ["d'accord", "daccord", "👍", "ok"],
        "confusion": ["je comprends pas", "j'ai pas compris", "hein ?"],
        "who": ["qui êtes-vous ?", "vous etes un robot ?"],
        "goodbye": ["au revoir", "bonne journee"],
        "question": "bonjour, comment obtenir un credit ?",
        "yes": ["oui", "oui, supprimer", "Oui, tout supprimer"],
        "no": "non",
    },
    "en": {
        "greeting": ["hi po", "Hello!", "good morning"],
        "thanks": ["thanks", "thank you so much", "thnks"],
        "ack": ["ok", "got it", "👍", "alright"],
        "confusion": ["i dont understand", "what?", "im confused"],
        "who": ["who are you?", "are you a bot"],
        "goodbye": ["bye", "see you later"],
        "question": "hi, how do I get a loan?",
        "yes": ["yes", "yes, delete", "Yes, delete it all"],
        "no": "no",
    },
}
LANGS = list(TALK)


@pytest.fixture
def runtime(tmp_path, database_url):  # noqa: F811
    settings = Settings(data_dir=tmp_path / "data", embedding_model="hash", database_url=database_url, _env_file=None)
    runtime = Runtime(settings, embedder=HashEmbedder())
    runtime.settings.abstain_threshold = 0.2
    Ingestor(runtime.settings, runtime.embedder).ingest([write_small_corpus(tmp_path / "corpus")])
    yield runtime
    runtime.database.dispose()


@pytest.fixture
def engine(runtime) -> Engine:
    return Engine(Assistant(runtime))


def member(engine: Engine, lang: str, user_id: str = "u-1") -> User:
    """Someone who chose `lang`, consented and stopped the profile questions."""
    user = User(engine, user_id)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    user.send("/cancel")
    return user


def untouched(runtime) -> tuple[int, int]:
    return count(runtime, AnswerRecord), count(runtime, ContentGap)


@pytest.mark.parametrize("lang", LANGS)
def test_small_talk_gets_a_short_reply_in_her_language_and_no_retrieval(engine, runtime, lang):
    user = member(engine, lang)
    before = untouched(runtime)
    for kind in ("greeting", "thanks", "ack", "who", "goodbye"):
        for text in TALK[lang][kind]:
            replies = user.send(text)
            assert not any(b.startswith("vote:") for b in button_ids(replies)), text
            assert all(r.language == lang for r in replies), text
            said = text_of(replies)
            assert said.startswith(phrase(f"talk_{kind}", lang, name="")[:6]), (text, said)
            if kind != "who":
                assert phrase("talk_next_member", lang) in said, text
    assert untouched(runtime) == before


@pytest.mark.parametrize("lang", LANGS)
def test_small_talk_from_someone_new_speaks_her_language_and_points_to_start(engine, runtime, lang):
    user = User(engine, f"new-{lang}")
    replies = user.send(TALK[lang]["thanks"][0])
    assert replies[0].language == lang
    assert phrase("talk_next_new", lang) in text_of(replies)
    assert untouched(runtime) == (0, 0)


@pytest.mark.parametrize("lang", LANGS)
def test_confusion_rephrases_the_last_answer_and_offers_a_person(engine, runtime, lang):
    user = member(engine, lang)
    answer = user.send(TALK[lang]["question"])
    first_sentence = answer[0].text.split(". ")[0][:40]
    before = untouched(runtime)
    for text in TALK[lang]["confusion"]:
        said = text_of(user.send(text))
        assert said.startswith(phrase("talk_simple_intro", lang)), (text, said)
        assert first_sentence in said and "/human" in said
        # one introduction ("Let me put it more simply:"), then her answer's words, not a second one
        assert said.split("\n\n")[1].strip('«»" ').startswith(first_sentence), (text, said)
    assert untouched(runtime) == before


@pytest.mark.parametrize("lang", LANGS)
def test_confusion_during_onboarding_asks_the_step_again_more_simply(engine, lang):
    user = User(engine)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    said = text_of(user.send(TALK[lang]["confusion"][0]))
    assert phrase("simple_name", lang) in said
    greeting = user.send(TALK[lang]["greeting"][0])  # not taken as her name
    assert phrase("ask_name", lang) in text_of(greeting)
    assert engine.load_state(user.channel, user.user_id)[0]["step"] == "name"


@pytest.mark.parametrize("lang", LANGS)
def test_courtesy_around_a_real_question_still_gets_it_answered(engine, runtime, lang):
    user = member(engine, lang)
    replies = user.send(TALK[lang]["question"])
    assert any(b.startswith("vote:") for b in button_ids(replies))
    assert count(runtime, AnswerRecord) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_typed_forget_confirmation_deletes_her_data(engine, runtime, lang):
    for n, typed in enumerate(TALK[lang]["yes"]):
        user = member(engine, lang, f"u-{n}")
        replies = user.send(TALK[lang]["question"])
        user.send("👍")  # the typed thumb votes for the answer
        assert count(runtime, Feedback) == 1
        assert button_ids(user.send("/forget")) == ["forget:confirm", "forget:cancel"]
        assert text_of(user.send(typed)) == phrase("forget_done", lang), typed
        assert runtime.store.participant(user.channel, user.user_id) is None
        for model in (Participant, Conversation, Message, Feedback):
            assert count(runtime, model) == 0, (typed, model)
        assert replies


@pytest.mark.parametrize("lang", LANGS)
def test_typed_no_and_the_button_number_answer_the_forget_question(engine, runtime, lang):
    user = member(engine, lang)
    user.send("/forget")
    assert text_of(user.send(TALK[lang]["no"])) == phrase("forget_cancelled", lang)
    assert runtime.store.participant(user.channel, user.user_id) is not None
    user.send("/forget")
    assert text_of(user.send("2")) == phrase("forget_cancelled", lang)
    user.send("/forget")
    assert text_of(user.send("1")) == phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_while_a_choice_is_pending_is_answered_and_the_choice_stays_open(engine, runtime, lang):
    user = member(engine, lang)
    user.send("/forget")
    replies = user.send(TALK[lang]["question"])
    assert any(b.startswith("vote:") for b in button_ids(replies))  # answered
    assert replies[-1].buttons and [b.id for b in replies[-1].buttons] == ["forget:confirm", "forget:cancel"]
    assert phrase("choice_still_open", lang) in replies[-1].text
    assert runtime.store.participant(user.channel, user.user_id) is not None
    assert text_of(user.send(TALK[lang]["yes"][0])) == phrase("forget_done", lang)
    assert runtime.store.participant(user.channel, user.user_id) is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_button_that_no_longer_applies_says_so_and_changes_nothing(engine, runtime, lang):
    user = member(engine, lang)
    user.send("/forget")
    user.send(TALK[lang]["no"])
    said = text_of(user.press("forget:confirm"))  # the old message's button
    assert said.startswith(phrase("stale_button", lang))
    assert runtime.store.participant(user.channel, user.user_id) is not None
    assert phrase("stale_button", lang) in text_of(user.press("stage:idea"))


@pytest.mark.parametrize("lang", LANGS)
def test_typed_consent(engine, runtime, lang):
    user = User(engine)
    user.send("/start")
    user.press(f"lang:{lang}")
    replies = user.send(TALK[lang]["yes"][0])
    assert phrase("consent_given", lang) in text_of(replies)
    assert runtime.store.participant(user.channel, user.user_id).consent


YES = {"fr": "oui", "es": "si", "en": "yes"}
DID_IT = {"fr": "c'est fait", "es": "ya lo hice", "en": "I did it"}


@pytest.mark.parametrize("lang", LANGS)
def test_typed_answers_to_the_pathway_step_and_its_check(engine, runtime, lang):
    user = member(engine, lang)
    replies = user.send("/pathway")
    for _ in range(8):
        replies = user.send("3")
    done = next(b for b in button_ids(replies) if b.startswith("path:done:"))
    module = done.split(":")[2]
    check = user.send(DID_IT[lang])
    assert f"path:check:{module}:yes" in button_ids(check)
    user.send(YES[lang])
    person = runtime.store.participant(user.channel, user.user_id)
    assert runtime.store.module_states(person.id)[module]["status"] == "completed"
    assert count(runtime, Feedback) == 0


@pytest.mark.parametrize("lang", LANGS)
def test_a_typed_number_at_the_check_answers_it_and_is_no_vote(engine, runtime, lang):
    user = member(engine, lang)
    user.send(TALK[lang]["question"])  # an answer with vote buttons, earlier
    replies = user.send("/pathway")
    for _ in range(8):
        replies = user.send("3")
    module = next(b for b in button_ids(replies) if b.startswith("path:done:")).split(":")[2]
    user.send("1")  # the first button: I did this step
    user.send("1")  # the first button of the check: yes
    person = runtime.store.participant(user.channel, user.user_id)
    assert runtime.store.module_states(person.id)[module]["status"] == "completed"
    assert count(runtime, Feedback) == 0


def test_a_typed_yes_accepts_an_introduction_she_was_sent(engine, runtime):
    women = {}
    for uid, lang, country, offers, needs in (
        ("awa", "fr", "Sénégal", "Je peux aider pour la transformation alimentaire",
         "J'ai besoin d'aide pour la comptabilité"),
        ("lucia", "es", "Canada", "Je peux aider pour la comptabilité et la trésorerie",
         "Je cherche la transformation alimentaire"),
    ):  # fmt: skip
        women[uid] = member(engine, lang, uid)
        person = runtime.store.participant("telegram", uid)
        runtime.store.update_participant(
            person.id, name=uid.capitalize(), country=country, languages=[lang, "fr"], preferred_language=lang,
            profile={"offers": offers, "needs": needs, "stage": "early", "timezone": "UTC"},
        )  # fmt: skip
    shown = women["awa"].send("/match")
    lucia = runtime.store.participant("telegram", "lucia")
    replies = women["awa"].send("1")  # the first suggestion's button, typed
    assert any(r.to == ("telegram", "lucia") for r in replies), ([(r.text, r.buttons) for r in shown], replies)
    answer = women["lucia"].send("sí, acepto")
    assert phrase("match_waiting_staff", "es") in text_of(answer)
    assert runtime.store.pairings(person=lucia.id)[0]["accepted_b"]


PROFILE = {  # one whole onboarding, typed, per language; then the field names she uses with /profile
    "es": (["Rosa Mamani", "Bolivia", "tejidos de alpaca", "establecida", "vender en ferias", "crédito",
            "español y aymara", "si", "los sábados", "virtual"], "pais", "Perú"),
    "fr": (["Awa Ndiaye", "Sénégal", "couture", "idée", "la vente", "la comptabilité", "français et wolof", "oui",
            "le mardi soir", "les deux"], "pays", "Bénin"),
    "en": (["Grace Uwase", "Rwanda", "coffee roasting", "early", "marketing", "bookkeeping", "English and French",
            "yes", "Monday mornings", "in person"], "country", "Kenya"),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_a_returning_start_greets_her_by_name_and_her_next_question_is_answered(engine, runtime, lang):
    user = User(engine)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    answers, field, new_country = PROFILE[lang]
    for text in answers:
        user.send(text)
    person = runtime.store.participant(user.channel, user.user_id)
    first = person.name.split()[0]
    assert person.profile["modality"] and person.profile["timezone"]
    said = text_of(user.send("/start"))
    assert phrase("welcome_back", lang, name=", " + first) in said
    assert "consent:yes" not in said and phrase("ask_name", lang) not in said
    replies = user.send(TALK[lang]["question"])
    assert any(b.startswith("vote:") for b in button_ids(replies))
    assert runtime.store.participant(user.channel, user.user_id).name == person.name
    hint = text_of(user.send("/profile"))  # what it tells her to do works: a returning /start keeps her answers
    assert "/start" not in hint, hint
    assert phrase("ask_country", lang) in text_of(user.send(f"/profile {field}"))
    user.send(new_country)
    assert runtime.store.participant(user.channel, user.user_id).country == new_country


def send_as(user: User, text: str, source: str, edited: bool = False) -> list:
    """Her message `source` (the platform's id, kept by an edit), or a new version of it."""
    message = Message_(user.channel, user.user_id, text, f"m{next(_ids)}", None, source_id=source, edited=edited)
    return user.engine.handle(message)


EDITS = {  # a typo in her country, corrected by editing the message
    "es": ("María Quispe", "Bolivai", "Bolivia", "tejidos"),
    "fr": ("Awa Sow", "Senegl", "Sénégal", "couture"),
    "en": ("Grace Uwase", "Rwnda", "Rwanda", "coffee"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_an_edited_onboarding_answer_corrects_that_field_and_is_never_the_next_answer(engine, runtime, lang):
    name, typo, country, sector = EDITS[lang]
    user = User(engine)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    send_as(user, name, "t1")
    send_as(user, typo, "t2")  # taken as typed: the country step accepts any name
    replies = send_as(user, country, "t2", edited=True)
    assert phrase("ask_sector", lang) in text_of(replies)  # still the sector she is asked, nothing skipped
    assert engine.load_state(user.channel, user.user_id)[0]["answers"]["country"] == country
    replies = send_as(user, name + "a", "t1", edited=True)  # her name edited: the name, not the sector
    state = engine.load_state(user.channel, user.user_id)[0]
    assert state["answers"]["name"] == name + "a" and state["step"] == "sector"
    send_as(user, sector, "t3")
    assert engine.load_state(user.channel, user.user_id)[0]["answers"]["sector"] == sector


@pytest.mark.parametrize("lang", LANGS)
def test_edits_after_the_onboarding_update_the_profile_and_other_edits_are_left_alone(engine, runtime, lang):
    answers, _, _ = PROFILE[lang]
    user = User(engine)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    for n, text in enumerate(answers):
        send_as(user, text, f"s{n}")
    assert runtime.store.participant(user.channel, user.user_id).profile["modality"]
    replies = send_as(user, EDITS[lang][2], "s1", edited=True)
    assert phrase("edit_corrected", lang, field=phrase("field_country", lang), value=EDITS[lang][2]) in text_of(replies)
    assert runtime.store.participant(user.channel, user.user_id).country == EDITS[lang][2]
    before = untouched(runtime)
    assert send_as(user, "anything at all", "never-seen", edited=True) == []
    assert untouched(runtime) == before
    send_as(user, TALK[lang]["question"], "q1")
    assert len(send_as(user, TALK[lang]["question"] + " 2026", "q1", edited=True)) >= 1  # answered again, once
    assert send_as(user, TALK[lang]["question"] + " 2027", "q1", edited=True) == []
    assert count(runtime, AnswerRecord) == before[0] + 2


@pytest.mark.parametrize(
    ("lang", "mixed"),
    [("es", "necesito un loan para mi business"), ("fr", "j'ai besoin d'un loan pour mon business"),
     ("en", "necesito un crédito for my shop")],
)  # fmt: skip
def test_her_chosen_language_holds_when_she_mixes_words_of_another(engine, lang, mixed):
    for consent in ("consent:yes", "consent:no"):
        user = User(engine, f"{lang}-{consent}")
        user.send("/start")
        user.press(f"lang:{lang}")
        user.press(consent)
        user.send("/cancel")  # no profile questions now
        replies = user.send(mixed)
        assert any(b.startswith("vote:") for b in button_ids(replies))
        assert {r.language for r in replies} == {lang}, consent


@pytest.mark.parametrize("lang", LANGS)
def test_human_says_when_to_expect_a_reply_in_her_language(engine, runtime, lang):
    user = member(engine, lang)
    runtime.settings.human_reply_hours = 48
    said = text_of(user.send("/human"))
    assert said == phrase("human_handed", lang, hours=48) and "48" in said


@pytest.mark.parametrize("lang", LANGS)
def test_after_cancel_an_abandoned_check_up_does_not_capture_her_next_question(engine, runtime, lang):
    user = member(engine, lang)
    user.send("/pathway")
    user.send("3")  # the diagnostic started
    user.send("/cancel")
    replies = user.send(TALK[lang]["question"])
    assert any(b.startswith("vote:") for b in button_ids(replies))
    assert phrase("diag_invalid", lang) not in text_of(replies)
    replies = user.send("/pathway")  # resumed where she left it
    assert phrase("diag_resume", lang) in text_of(replies)
    for _ in range(7):
        replies = user.send("3")
    module = next(b for b in button_ids(replies) if b.startswith("path:done:")).split(":")[2]
    user.send("1")  # I did this step: the check question is put to her
    user.send("/cancel")
    user.send(YES[lang])  # no longer an answer to the abandoned check
    person = runtime.store.participant(user.channel, user.user_id)
    assert runtime.store.module_states(person.id).get(module, {}).get("status") != "completed"


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_during_the_diagnostic_is_answered_and_the_rating_asked_again(engine, lang):
    user = member(engine, lang)
    user.send("/pathway")
    replies = user.send(TALK[lang]["question"])
    assert any(b.startswith("vote:") for b in button_ids(replies))
    assert "(1/8)" in replies[-1].text and button_ids([replies[-1]])[0] == "diag:1"
    assert "(2/8)" in text_of(user.send("4"))


FREE_TEXT = {  # one onboarding typed as people write, and what must be kept and shown
    "es": (["hola, soy rosa mamani", "en bolivia, el alto", "tejidos de alpaca", "ya tengo 8 años con mi taller",
            "vender en ferias", "un crédito", "español, aymara y un poquito de inglés", "la hora de Bolivia",
            "los sábados en la mañana", "virtual nomás, por whatsapp"],
           {"name": "Rosa Mamani", "country": "Bolivia", "languages": ["es", "ay", "en"],
            "profile": {"city": "El Alto", "stage": "established", "timezone": "America/La_Paz",
                        "modality": "virtual"}},
           ["Bolivia (El Alto)", "aimara", "La Paz (allí son las"]),
    "fr": (["je m'appelle Awa Ndiaye", "au senegal, thies", "couture", "on vient de commencer", "la vente",
            "la comptabilité", "français, wolof et un peu de fon", "Dakar", "le mardi soir", "les deux"],
           {"name": "Awa Ndiaye", "country": "Sénégal", "languages": ["fr", "wo", "fon"],
            "profile": {"city": "Thies", "stage": "early", "timezone": "Africa/Dakar", "modality": "both"}},
           ["Sénégal (Thies)", "wolof", "Dakar (il est "]),
    "en": (["my name is Joy Santos", "in the philippines, cebu", "bakery", "only an idea for now", "baking",
            "funding", "Cebuano, Tagalog and English", "manila time", "weekends", "in person please"],
           {"name": "Joy Santos", "country": "Philippines", "languages": ["ceb", "tl", "en"],
            "profile": {"city": "Cebu", "stage": "idea", "timezone": "Asia/Manila", "modality": "in_person"}},
           ["Philippines (Cebu)", "Cebuano", "Manila (it is"]),
}  # fmt: skip


@pytest.mark.parametrize("lang", LANGS)
def test_onboarding_from_free_text_keeps_the_fields_and_shows_them_in_her_language(engine, runtime, lang):
    texts, expected, shown = FREE_TEXT[lang]
    user = User(engine)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    for text in texts:
        replies = user.send(text)
    person = runtime.store.participant(user.channel, user.user_id)
    assert (person.name, person.country, person.languages) == (expected["name"], expected["country"],
                                                               expected["languages"])  # fmt: skip
    assert expected["profile"].items() <= person.profile.items()
    said = text_of(replies)
    assert phrase("onboarding_done", lang) in said
    for piece in shown:
        assert piece in said, (piece, said)
    assert "America/" not in said and "Asia/" not in said and "Africa/" not in said


@pytest.mark.parametrize("lang", LANGS)
def test_a_lone_number_with_no_choice_pending_asks_what_she_meant_without_retrieval(engine, runtime, lang):
    user = member(engine, lang)
    before = untouched(runtime)
    for typed in ("2", "3.", "#1", "2️⃣"):
        replies = user.send(typed)
        assert text_of(replies) == phrase("lone_number", lang, number=typed), typed
        assert not button_ids(replies), typed  # no passage, no vote
    assert untouched(runtime) == before
    user.send(TALK[lang]["question"])  # an answer with vote buttons: they are no numbered choice
    assert phrase("lone_number", lang, number="4") in text_of(user.send("4"))


@pytest.mark.parametrize(
    ("lang", "text"), [("fr", "merci facture"), ("es", "gracias factura"), ("en", "thanks invoice")]
)
def test_thanks_with_a_question_word_is_a_question_not_thanks(engine, runtime, lang, text):
    """Only a message that is nothing but thanks is small talk: "merci facture" asks about an invoice."""
    user = member(engine, lang)
    user.send(TALK[lang]["question"])
    before = untouched(runtime)
    said = text_of(user.send(text))
    assert not said.startswith(phrase("talk_thanks", lang, name="")[:6]), said
    assert untouched(runtime) != before  # looked up in the guides: an answer (or a content gap) recorded


@pytest.mark.parametrize("lang", LANGS)
def test_a_thumbs_down_typed_after_small_talk_still_votes_on_the_answer(engine, runtime, lang):
    """After "ok" or "no entiendo", which offer no buttons: a 👎 typed next is her vote on that answer,
    never a question for the guides."""
    user = member(engine, lang)
    user.send(TALK[lang]["question"])
    for talk in (TALK[lang]["ack"][0], TALK[lang]["confusion"][0]):
        user.send(talk)
    answers = count(runtime, AnswerRecord)
    replies = user.send("👎")
    assert any(b.startswith("why:") for b in button_ids(replies)), text_of(replies)
    assert count(runtime, Feedback) == 1
    assert count(runtime, AnswerRecord) == answers


@pytest.mark.parametrize("lang", LANGS)
def test_a_message_without_words_is_not_asked_of_the_guides(engine, runtime, lang):
    user = member(engine, lang)
    before = untouched(runtime)
    for typed in ("👎", "😢", "...", "🌽🌽"):
        replies = user.send(typed)
        said = text_of(replies)
        assert said.startswith(phrase("no_words", lang)), (typed, said)
        assert phrase("talk_next_member", lang) in said
        assert not button_ids(replies), typed
    assert untouched(runtime) == before


def test_french_headings_take_a_space_before_the_colon_like_the_rest_of_the_catalogue(engine):
    """French typography, as every French phrase writes it: "Nom : Awa", "Sources :" (not "Nom: Awa")."""
    user = member(engine, "fr")
    user.send("/profile nom")
    user.send("Awa Sow")
    profile = text_of(user.send("/profile"))
    assert f"• {phrase('field_name', 'fr')} : Awa Sow" in profile, profile
    assert not re.search(r"\w: ", profile.replace("http:", "")), profile
    answer = text_of(user.send(TALK["fr"]["question"]))
    assert "\n\nSources :\n[1]" in answer, answer
    english = member(engine, "en", "u-en")
    english.send(TALK["en"]["question"])
    assert "\n\nSources:\n[1]" in text_of(english.send(TALK["en"]["question"]))


@pytest.mark.parametrize("lang", LANGS)
def test_answers_given_before_cancel_are_kept_and_start_asks_only_the_rest(engine, runtime, lang):
    """She answers three questions and stops: they are kept, and /start (which the cancel message tells her
    to send) goes on with the fourth; nothing she answered is asked again."""
    answers = PROFILE[lang][0]
    user = User(engine, f"stop-{lang}")
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    for text in answers[:3]:
        user.send(text)
    assert phrase("onboarding_cancelled", lang) in text_of(user.send("/cancel"))
    person = runtime.store.participant(user.channel, user.user_id)
    assert (person.name, person.profile.get("sector")) == (answers[0], answers[2]) and person.country
    said = text_of(user.send("/start"))
    assert phrase("ask_stage", lang) in said and phrase("ask_name", lang) not in said, said
    for text in answers[3:]:
        said = text_of(user.send(text))
        assert not any(phrase(f"ask_{f}", lang) in said for f in ("name", "country", "sector")), said
    assert phrase("onboarding_done", lang) in said
    person = runtime.store.participant(user.channel, user.user_id)
    assert person.name == answers[0] and person.profile.get("sector") == answers[2]
    assert person.profile.get("modality") and person.profile.get("stage")


@pytest.mark.parametrize(
    ("lang", "sector", "stage", "kept"),
    [
        ("es", "tengo un taller de tejidos hace 8 años", "established", "tejidos"),
        ("fr", "je suis couturière depuis 10 ans", "established", "couturière"),
        ("en", "i started a bakery 6 months ago", "early", "bakery"),
    ],
)
def test_a_sector_answer_that_says_how_long_gives_the_stage_too(engine, runtime, lang, sector, stage, kept):
    user = User(engine, f"sector-{lang}")
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    answers = PROFILE[lang][0]
    user.send(answers[0])
    user.send(answers[1])
    said = text_of(user.send(sector))
    assert phrase("ask_offers", lang) in said and phrase("ask_stage", lang) not in said, said
    for text in answers[4:]:
        said = text_of(user.send(text))
    assert phrase("onboarding_done", lang) in said
    person = runtime.store.participant(user.channel, user.user_id)
    assert person.profile["stage"] == stage and person.profile["sector"] == kept
    assert phrase("profile_line", lang, field=phrase("field_sector", lang), value=kept) in said  # shown back


@pytest.mark.parametrize("lang", LANGS)
def test_start_after_she_picked_a_language_does_not_ask_it_again(engine, lang):
    """The web chat's first screen asks the language; the /start that follows goes on to the consent."""
    user = User(engine, f"picked-{lang}", channel="web")
    user.press(f"lang:{lang}")
    replies = user.send("/start")
    ids = button_ids(replies)
    assert not any(i.startswith("lang:") for i in ids) and "consent:yes" in ids
    assert phrase("choose_language", lang) not in text_of(replies)
    assert all(r.language in (None, lang) for r in replies) and phrase("start_greeting", lang) in text_of(replies)
    fresh = User(engine, f"fresh-{lang}", channel="web")
    assert any(i.startswith("lang:") for i in button_ids(fresh.send("/start")))


ASKED_MID_PROFILE = {
    "es": "¿cómo saco un crédito para mi taller?",
    "fr": "comment obtenir un crédit pour mon atelier ?",
    "en": "how do I get a loan for my workshop?",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_question_asked_at_a_profile_question_is_answered_not_kept_as_her_answer(engine, runtime, lang):
    """At "What would you like to offer?" she asks the guides something: answered, then asked again."""
    answers = PROFILE[lang][0]
    user = User(engine, f"ask-{lang}")
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    for text in answers[:4]:
        said = text_of(user.send(text))
    assert phrase("ask_offers", lang) in said
    replies = user.send(ASKED_MID_PROFILE[lang])
    assert any(b.startswith("vote:") for b in button_ids(replies))
    assert replies[-1].text == phrase("ask_offers", lang)
    said = text_of(user.send(answers[4]))
    assert phrase("ask_needs", lang) in said
    for text in answers[5:]:
        user.send(text)
    person = runtime.store.participant(user.channel, user.user_id)
    assert person.profile["offers"] == answers[4]
