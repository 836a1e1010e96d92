"""Words of the language (pyspellchecker's lists): a Spanish diminutive is told from a real word ending like one."""

from __future__ import annotations

from assistant.retrieval.dictionary import is_word


def test_words_of_the_language_are_known_with_or_without_accents():
    assert is_word("pleuvoir", "fr") and is_word("demain", "fr") and is_word("Demain", "fr")
    assert is_word("tomorrow", "en") and is_word("nadie", "es")
    assert is_word("deja", "fr")  # "déjà" typed without its accents
    assert is_word("deleguer", "fr")  # "déléguer" without its accents
    assert not is_word("delleguer", "fr") and not is_word("prestmo", "es")  # typos
    assert not is_word("jai", "fr")  # too short to tell from an SMS spelling
