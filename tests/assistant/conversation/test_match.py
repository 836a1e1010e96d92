"""`/match` in the chat: suggestions with evidence, introductions proposed to both, answers, staff approval."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.phrases import phrase
from tests.assistant.conversation.conftest import User, button_ids, text_of


def member(engine, runtime, uid, name, country, languages, offers, needs, lang="en", channel="telegram") -> User:
    """A woman who consented and told her offers and needs (the onboarding itself is tested elsewhere)."""
    user = User(engine, uid, channel)
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    user.send("/cancel")  # leave the onboarding; her profile is set directly below
    person = runtime.store.participant(channel, uid)
    runtime.store.update_participant(
        person.id,
        name=name,
        country=country,
        languages=languages,
        preferred_language=lang,
        profile={"offers": offers, "needs": needs, "stage": "early", "timezone": "UTC"},
    )
    return user


AWA_OFFERS = "Je peux aider pour la transformation alimentaire"
AWA_NEEDS = "J'ai besoin d'aide pour la comptabilité"


@pytest.fixture
def pair(engine, runtime):
    awa = member(engine, runtime, "awa", "Awa Diop", "Sénégal", ["fr"], AWA_OFFERS, AWA_NEEDS, lang="fr")
    lucie = member(
        engine, runtime, "lucie", "Lucie Roy", "Canada", ["fr", "en"],
        "Je peux aider pour la comptabilité et la trésorerie", "Je cherche la transformation alimentaire",
    )  # fmt: skip
    return awa, lucie


def pid(runtime, user: User) -> str:
    return runtime.store.participant(user.channel, user.user_id).id


def test_match_needs_her_offers_and_needs_first(user):
    user.send("/start")
    user.press("lang:en")
    user.press("consent:yes")
    said = text_of(user.send("/match"))
    assert phrase("match_needs_profile", "en", offers="what i offer", needs="what i need") in said


@pytest.mark.parametrize("lang", ["es", "fr", "en"])
def test_what_match_tells_her_to_send_asks_for_her_offers(engine, lang):
    """A member with a name but no offers: a returning /start would not ask again, /profile <field> does."""
    user = User(engine, f"m-{lang}")
    user.send("/start")
    user.press(f"lang:{lang}")
    user.press("consent:yes")
    user.send("Rosa Pérez")
    user.send("/cancel")
    user.send(f"/profile {phrase('field_name', lang)}")
    user.send("Rosa Pérez")
    said = text_of(user.send("/match"))
    command = "/profile " + phrase("field_offers", lang).lower()
    assert command in said, said
    assert phrase("ask_offers", lang) in text_of(user.send(command))


def test_match_without_a_suitable_partner_says_so(engine, runtime):
    alone = member(engine, runtime, "solo", "Ana", "Bolivia", ["es"], "Puedo ayudar con la contabilidad",
                   "Necesito vender en línea", lang="es")  # fmt: skip
    assert phrase("match_none", "es") in text_of(alone.send("/match"))


def test_match_shows_the_reciprocal_partner_with_evidence_in_her_language(pair, runtime):
    awa, lucie = pair
    replies = awa.send("/match")
    text = text_of(replies)
    assert "Lucie (Canada)" in text and "Roy" not in text  # her first name only
    assert "Tenue de livres".lower() in text.lower()  # what Lucie can help her with, in French
    assert "transformation agroalimentaire" in text.lower()  # what she can help Lucie with (the taxonomy label)
    assert "français" in text  # the shared language
    lucie_id = pid(runtime, lucie)
    assert f"match:intro:{lucie_id}" in button_ids(replies) and "match:more" in button_ids(replies)
    # shown once: exposure is recorded
    assert runtime.store.exposure_counts(timedelta(days=1)) == {lucie_id: 1}


def test_introduction_is_proposed_to_both_and_active_after_both_accept_and_staff_approve(pair, runtime, engine):
    awa, lucie = pair
    awa.send("/match")
    lucie_id, awa_id = pid(runtime, lucie), pid(runtime, awa)
    replies = awa.press(f"match:intro:{lucie_id}")
    assert phrase("match_proposed", "fr", name="Lucie") in text_of(replies)
    invitation = next(r for r in replies if r.to is not None)
    assert invitation.to == ("telegram", "lucie") and invitation.language == "en"
    assert "Awa (Senegal)" in invitation.text and "bookkeeping" in invitation.text.lower()
    accept = next(b.id for b in invitation.buttons if b.id.startswith("match:accept:"))
    answer = lucie.press(accept)
    assert phrase("match_waiting_staff", "en") in text_of(answer)
    pairing = runtime.store.pairings(person=awa_id)[0]
    assert pairing["status"] == "proposed" and pairing["accepted_a"] and pairing["accepted_b"]
    decided = runtime.matching.decide(pairing["id"], "approved", "coordinator")
    assert decided["status"] == "active"
    assert phrase("match_current", "fr", names="Lucie") in text_of(awa.send("/match"))


def test_without_staff_approval_both_accepting_makes_it_active_and_tells_her(runtime, settings, pair):
    awa, lucie = pair
    runtime.settings.match_require_approval = False
    try:
        awa.send("/match")
        replies = awa.press(f"match:intro:{pid(runtime, lucie)}")
        accept = next(b.id for r in replies for b in r.buttons if b.id.startswith("match:accept:"))
        answer = lucie.press(accept)
    finally:
        runtime.settings.match_require_approval = True
    assert phrase("match_active", "en", name="Awa") in text_of([r for r in answer if r.to is None])
    told = [r for r in answer if r.to == ("telegram", "awa")]
    assert told and phrase("match_active", "fr", name="Lucie") in told[0].text


def test_a_decline_closes_the_pair_and_tells_the_other_gently(pair, runtime):
    awa, lucie = pair
    awa.send("/match")
    replies = awa.press(f"match:intro:{pid(runtime, lucie)}")
    decline = next(b.id for r in replies for b in r.buttons if b.id.startswith("match:decline:"))
    answer = lucie.press(decline)
    assert phrase("match_declined", "en") in text_of(answer)
    told = [r for r in answer if r.to == ("telegram", "awa")]
    assert told and "Lucie" in told[0].text
    # never proposed again
    assert phrase("match_none", "fr") in text_of(awa.send("/match"))


def test_a_pending_proposal_is_shown_at_her_next_match(pair, runtime):
    awa, lucie = pair
    awa.send("/match")
    awa.press(f"match:intro:{pid(runtime, lucie)}")
    replies = lucie.send("/match")  # the notification may never have reached her
    assert phrase("match_pending", "en", name="Awa") in text_of(replies)
    assert any(b.startswith("match:accept:") for b in button_ids(replies))


def test_unknown_or_stale_match_buttons_get_a_clear_answer(pair):
    awa, _ = pair
    assert phrase("match_unavailable", "fr") in text_of(awa.press("match:intro:nobody"))
    assert phrase("match_unavailable", "fr") in text_of(awa.press("match:accept:nope"))
    assert phrase("unknown_button", "fr") in text_of(awa.press("match:dance"))


def test_see_more_does_not_repeat_and_ends_politely(pair):
    awa, _ = pair
    awa.send("/match")
    assert phrase("match_no_more", "fr") in text_of(awa.press("match:more"))


def test_cohort_file_profiles_join_the_pool_and_staff_introduce_them(engine, runtime, tmp_path):
    line = (
        '{"id": "f1", "name": "Grace Uwase", "country": "rwanda", "languages": ["fr", "en"], '
        '"offers": ["bookkeeping"], "needs": ["food-processing"], "capacity": 1, "consent": true}'
    )
    (tmp_path / "cohort.jsonl").write_text(line + "\n", encoding="utf-8")
    runtime.settings.match_profiles = tmp_path / "cohort.jsonl"
    try:
        awa = member(engine, runtime, "awa2", "Awa Diop", "Sénégal", ["fr"], AWA_OFFERS, AWA_NEEDS, lang="fr")
        assert "Grace Uwase" in text_of(awa.send("/match"))
        replies = awa.press("match:intro:f1")
    finally:
        runtime.settings.match_profiles = None
    assert phrase("match_proposed_staff", "fr", name="Grace Uwase") in text_of(replies)
    assert all(r.to is None for r in replies)
    assert runtime.store.pairings(person="f1")[0]["status"] == "proposed"


def test_someone_shown_to_one_woman_is_not_shown_to_another_beyond_her_capacity(pair, engine, runtime):
    """Exposure control with the default factor 1: Lucie (capacity 1) is on Awa's screen, so Fatou, who would
    otherwise be offered her too, is not; once Awa's list moves on, Lucie is free to be shown again."""
    awa, lucie = pair
    fatou = member(engine, runtime, "fatou", "Fatou Sow", "Bénin", ["fr"], AWA_OFFERS, AWA_NEEDS, lang="fr")
    lucie_id = pid(runtime, lucie)
    assert f"match:intro:{lucie_id}" in button_ids(awa.send("/match"))
    assert f"match:intro:{lucie_id}" not in button_ids(fatou.send("/match"))
    awa.press("match:more")  # her screen now holds nobody (or others): Lucie is no longer shown to her
    assert f"match:intro:{lucie_id}" in button_ids(fatou.send("/match"))


def test_match_after_an_introduction_request_shows_where_it_stands(pair, runtime):
    awa, lucie = pair
    awa.send("/match")
    awa.press(f"match:intro:{pid(runtime, lucie)}")
    # waiting for Lucie
    assert phrase("match_status_other", "fr", name="Lucie") in text_of(awa.send("/match"))
    # waiting for her: Lucie sees the proposal with its buttons
    replies = lucie.send("/match")
    assert phrase("match_pending", "en", name="Awa") in text_of(replies)
    accept = next(b for b in button_ids(replies) if b.startswith("match:accept:"))
    lucie.press(accept)
    # both accepted: waiting for staff, said to both
    assert phrase("match_status_staff", "fr", name="Lucie") in text_of(awa.send("/match"))
    assert phrase("match_status_staff", "en", name="Awa") in text_of(lucie.send("/match"))
    pairing = runtime.store.pairings(person=pid(runtime, awa))[0]
    runtime.matching.decide(pairing["id"], "approved", "coordinator")
    text = text_of(awa.send("/match"))
    assert phrase("match_current", "fr", names="Lucie") in text
    assert phrase("match_status_staff", "fr", name="Lucie") not in text


def test_her_main_need_that_nobody_can_offer_is_said_in_her_language(engine, runtime):
    offers, needs = "Puedo ayudar con la transformación de alimentos", "Necesito acceso al crédito y llevar las cuentas"
    ana = member(engine, runtime, "ana", "Ana Condori", "Bolivia", ["es"], offers, needs, lang="es")
    member(engine, runtime, "maria", "María López", "Guatemala", ["es"], "Le enseño a llevar las cuentas",
           "Busco aprender transformación de alimentos", lang="es")  # fmt: skip
    text = text_of(ana.send("/match"))
    assert "María (Guatemala)" in text
    label = runtime.matching.taxonomy.label("credit-file-preparation", "es")
    assert phrase("match_main_need_none", "es", skill=label[:1].lower() + label[1:]) in text


def test_after_asking_for_an_introduction_match_shows_where_it_stands(pair, runtime):
    awa, lucie = pair
    awa.send("/match")
    replies = awa.press(f"match:intro:{pid(runtime, lucie)}")
    assert phrase("match_status_other", "fr", name="Lucie") in text_of(awa.send("/match"))
    accept = next(b.id for r in replies for b in r.buttons if b.id.startswith("match:accept:"))
    lucie.press(accept)
    said = text_of(awa.send("/match"))
    assert phrase("match_status_staff", "fr", name="Lucie") in said
    assert phrase("match_status_staff", "en", name="Awa") in text_of(lucie.send("/match"))


@pytest.mark.parametrize("typed", ["Lucie", "lucie roy", "je veux rencontrer lucie", "Luci", "Lucie svp"])
def test_typing_a_suggested_womans_name_chooses_her(pair, runtime, typed):
    awa, _lucie = pair
    awa.send("/match")
    replies = awa.send(typed)
    assert phrase("match_proposed", "fr", name="Lucie") in text_of(replies)
    assert runtime.store.pairings(person=pid(runtime, awa))[0]["status"] == "proposed"


def test_a_short_first_name_typed_chooses_her(engine, runtime):
    ana = member(engine, runtime, "ana", "Ana Quispe", "Bolivia", ["es"], "Puedo ayudar con la contabilidad",
                 "Necesito vender en línea", lang="es")  # fmt: skip
    eva = member(engine, runtime, "eva", "Eva Mamani", "Bolivia", ["es"], "Puedo ayudar a vender en línea",
                 "Necesito ayuda con la contabilidad", lang="es")  # fmt: skip
    replies = ana.send("/match")
    assert f"match:intro:{pid(runtime, eva)}" in button_ids(replies)
    assert phrase("match_proposed", "es", name="Eva") in text_of(ana.send("eva"))


def test_a_taglish_profile_finds_its_partner_with_both_skills_named(engine, runtime):
    joy = member(engine, runtime, "joy", "Joy Santos", "Philippines", ["en"],
                 "marketing sa facebook at online selling", "kailangan ko ng pautang para sa puhunan")  # fmt: skip
    marie_offers, marie_needs = "I help women prepare a bank loan application", "I want to learn Facebook marketing"
    member(engine, runtime, "marie", "Marie Roy", "Canada", ["en", "fr"], marie_offers, marie_needs)
    text = text_of(joy.send("/match")).lower()
    assert "marie (canada)" in text, text
    assert "loan application preparation" in text  # what Marie offers for her need, named
    assert "social media marketing" in text  # what Joy offers for Marie's need, named
    assert "does little" not in text, text
