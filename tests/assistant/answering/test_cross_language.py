"""Across languages with the default model: a guide that exists in one language answers questions in the
others, with the note saying so, and a question no guide answers is still refused."""

from __future__ import annotations

import pytest

from assistant.answering.service import Answerer
from assistant.config import Settings
from assistant.knowledge.ingest import Ingestor
from assistant.phrases import language_label, phrase
from assistant.runtime import Runtime
from tests.conftest import guide, write, write_small_corpus

pytestmark = pytest.mark.integration


class NoGaps:
    def __init__(self) -> None:
        self.recorded: list[tuple] = []

    def record_gap(self, question, language, scores) -> None:
        self.recorded.append((question, language, scores))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory, real_embedder):
    """The small trilingual corpus plus a guide on exporting honey that exists only in French."""
    root = write_small_corpus(tmp_path_factory.mktemp("corpus"))
    write(
        root / "fr" / "miel.md",
        guide(
            "honey-export",
            "fr",
            "Exporter du miel vers l'Union européenne",
            {
                "Les documents exigés": "Pour exporter du miel vers l'Union européenne, il faut un certificat "
                "sanitaire délivré par l'autorité vétérinaire et une analyse des résidus faite par un "
                "laboratoire accrédité.",
                "L'étiquetage": "L'étiquette indique le pays d'origine, le poids net et la date de durabilité "
                "minimale du miel.",
            },
        ),
    )
    data = tmp_path_factory.mktemp("mixed")
    runtime = Runtime(Settings(data_dir=data, _env_file=None), embedder=real_embedder)
    Ingestor(runtime.settings, real_embedder).ingest([root])
    return runtime


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("¿Qué documentos necesito para exportar miel a Europa?", "es"),
        ("¿qué análisis de laboratorio piden para vender miel en la Unión Europea?", "es"),
    ],
)
def test_a_french_only_guide_answers_a_spanish_question_with_the_note(mixed, question, language):
    gaps = NoGaps()
    answer = Answerer(mixed, gaps=gaps).answer(question)
    assert answer.language == language and not answer.abstained, answer.text
    assert answer.citations[0].doc_id == "honey-export" and answer.citations[0].language == "fr"
    note = phrase("only_other_language", language, languages=language_label("fr", language))
    assert answer.text.startswith(note)
    assert gaps.recorded and gaps.recorded[0][2]["answered_from"] == ["fr"]


def test_a_question_no_guide_answers_is_still_refused(mixed):
    answer = Answerer(mixed, gaps=NoGaps()).answer("¿Cuál es la receta del pan de yuca con queso?")
    assert answer.abstained and answer.language == "es"
