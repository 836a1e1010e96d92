"""The guides cut into sections, and the passages an evaluation case counts as relevant.

`GuideSections.load(kb)` reads every document of a knowledge base folder and cuts its body at its headings
the way the chunker does (`assistant.knowledge.chunking.sections`: the text before the first heading belongs to
the title). A section is named `<doc-id>#<heading-slug>`; its text starts with its heading. For a case,
`relevant(case)` gives two lists of texts, in the case's language (another language where the guide has no
version in it):

- the relevant sections: those the case names in `relevant_sections`, else the sections of its relevant
  guides that hold one of its key facts (else the whole guide, when no section holds one);
- the relevant guides, whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.knowledge.chunking import sections
from assistant.knowledge.documents import DocumentError, load_document
from assistant.knowledge.ingest import collect_files
from assistant.text import slugify
from evals.metrics import fact_found


@dataclass(frozen=True, slots=True)
class Section:
    slug: str
    heading: str
    text: str


@dataclass
class GuideSections:
    """(doc_id, lang) -> the guide's sections in order."""

    guides: dict[tuple[str, str], list[Section]] = field(default_factory=dict)

    @classmethod
    def load(cls, kb: Path) -> GuideSections:
        guides: dict[tuple[str, str], list[Section]] = {}
        for path, root, _ in collect_files([kb]):
            try:
                document = load_document(path, root)
            except DocumentError:
                continue  # the ingest report already names the files it skipped
            # A section's heading is part of its text: an answer may open on the section's title.
            guides[(document.doc_id, document.lang)] = [
                Section(slugify(heading), heading, f"{heading}\n{text}")
                for heading, text in sections(document.body, document.title)
            ]
        return cls(guides)

    def of(self, doc_id: str, lang: str) -> list[Section]:
        """The guide's sections in `lang`, else in the first other language it has; [] when unknown."""
        if (doc_id, lang) in self.guides:
            return self.guides[(doc_id, lang)]
        return next((s for (d, _), s in sorted(self.guides.items()) if d == doc_id), [])

    def relevant(self, case: dict) -> tuple[list[str], list[str]]:
        """(relevant section texts, relevant guide texts) of a case, in its language."""
        lang = case["language"]
        named = set(case.get("relevant_sections") or [])
        chosen: list[str] = []
        whole: list[str] = []
        for doc_id in case["relevant_doc_ids"]:
            parts = self.of(doc_id, lang)
            whole.append("\n\n".join(s.text for s in parts))
            if named:
                chosen += [s.text for s in parts if f"{doc_id}#{s.slug}" in named]
                continue
            holding = [s.text for s in parts if any(fact_found(f, s.text, lang) for f in case["key_facts"])]
            chosen += holding or [whole[-1]]
        return chosen, whole

    def slugs(self, doc_id: str, lang: str) -> list[str]:
        return [s.slug for s in self.of(doc_id, lang)]
