import yaml

from assistant.config import SUPPORTED_LANGUAGES
from assistant.phrases import CATALOGUE, language_label, phrase


def test_every_phrase_exists_in_every_language():
    catalogue = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    for key, entry in catalogue.items():
        assert set(SUPPORTED_LANGUAGES) <= set(entry), key


def test_placeholders_are_filled_and_languages_named_for_the_reader():
    assert "2000" in phrase("question_truncated", "es", limit=2000)
    assert language_label("fr", "es") == "francés"
    assert phrase("dont_know", "xx") == phrase("dont_know", "en")
