"""Pathways with the database: her diagnostic, the modules she was given and completed, the questions she
asked, her active pairing; the resources she has seen. Used by the chat, the CLI, the API and the nudges."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from assistant.config import SUPPORTED_LANGUAGES, Settings
from assistant.errors import InputError, NotFoundError
from assistant.knowledge.catalog import Catalog, load_catalog
from assistant.knowledge.resource_pages import FILES, ResourcePage, find_by_name, page
from assistant.matching.taxonomy import default_taxonomy
from assistant.pathways.planner import Needs, Planner, Step, skill_competency
from assistant.pathways.recommend import Context, Recommendation, Recommender
from assistant.phrases import phrase
from assistant.storage.store import ParticipantInfo, Store, now

log = logging.getLogger(__name__)

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "knowledge_base"
QUESTION_WINDOW = timedelta(days=30)


def level_of(needs: Needs) -> str:
    """beginner, intermediate or advanced, from the mean self-rating (beginner without a diagnostic)."""
    if not needs.ratings:
        return "beginner"
    mean = sum(needs.ratings.values()) / len(needs.ratings)
    return "beginner" if mean < 2.5 else "intermediate" if mean < 4 else "advanced"


class PathwayService:
    def __init__(self, settings: Settings, store: Store, embedder, catalog: Catalog | None = None) -> None:
        self.settings = settings
        self.store = store
        self.catalog_root = Path(settings.catalog_dir or DEFAULT_CATALOG)
        self.catalog = catalog or load_catalog(self.catalog_root)
        self.planner = Planner(self.catalog)
        self.recommender = Recommender(self.catalog, embedder)
        self._taxonomy = None
        # guide id -> the competencies of the modules that use it (a question citing it counts for them)
        self.guide_competencies: dict[str, set[str]] = {}
        for module in self.catalog.modules.values():
            for guide in module.get("guide_ids") or []:
                self.guide_competencies.setdefault(guide, set()).update(module.get("competencies") or [])

    @property
    def taxonomy(self):
        if self._taxonomy is None:
            self._taxonomy = default_taxonomy()
        return self._taxonomy

    # -- what drives her pathway ------------------------------------------------------------------------

    def participant(self, participant_id: str) -> ParticipantInfo:
        person = self.store.participant_by_id(participant_id)
        if person is None or not person.consent:
            raise NotFoundError(f"no participant {participant_id!r}")
        return person

    def language(self, person: ParticipantInfo, lang: str | None = None) -> str:
        for candidate in (lang, person.preferred_language):
            if candidate in SUPPORTED_LANGUAGES:
                return candidate
        return "en"

    def needs(self, person: ParticipantInfo) -> Needs:
        profile = person.profile or {}
        ratings = {
            c: int(r)
            for c, r in (profile.get("diagnostic") or {}).items()
            if c in self.catalog.competencies and isinstance(r, int) and 1 <= r <= 5
        }
        questions: dict[str, int] = {}
        guide_questions: dict[str, int] = {}
        guide_titles: dict[str, str] = {}
        for record in self.store.recent_questions(person.id, QUESTION_WINDOW):
            if not record["citations"]:
                continue
            top = min(record["citations"], key=lambda c: c.get("n") or 0)  # the guide that answered it first
            guide = top.get("doc_id")
            if not guide:
                continue
            guide_questions[guide] = guide_questions.get(guide, 0) + 1
            guide_titles.setdefault(guide, str(top.get("title") or guide))
            for competency in self.guide_competencies.get(guide, ()):
                questions[competency] = questions.get(competency, 0) + 1
        stated: set[str] = set()
        stated_skills: dict[str, list[str]] = {}
        needs_text = profile.get("needs") or ""
        if isinstance(needs_text, str) and needs_text.strip():
            for skill in self.taxonomy.extract(needs_text):
                competency = skill_competency(skill, self.taxonomy.by_id[skill].category)
                if competency:
                    stated.add(competency)
                    stated_skills.setdefault(competency, []).append(skill)
        return Needs(ratings, questions, stated, guide_questions, guide_titles, stated_skills)

    def completed(self, person: ParticipantInfo) -> set[str]:
        return {m for m, state in self.store.module_states(person.id).items() if state["status"] == "completed"}

    # -- the pathway ----------------------------------------------------------------------------------------

    def plan(self, person: ParticipantInfo, lang: str | None = None) -> tuple[list[Step], Needs]:
        needs = self.needs(person)
        return self.planner.plan(needs, self.completed(person), self.language(person, lang)), needs

    def pathway(self, participant_id: str, lang: str | None = None) -> dict:
        """The JSON shape other tools read, plus what a console shows beside it."""
        person = self.participant(participant_id)
        lang = self.language(person, lang)
        steps, needs = self.plan(person, lang)
        return {
            "participant_id": person.id,
            "language": lang,
            "steps": [s.to_dict() for s in steps],
            "completed": sorted(self.completed(person)),
            "diagnostic": dict(needs.ratings),
            "questions_by_competency": dict(needs.questions),
            "level": level_of(needs),
            "agenda": self.agenda(person, steps, lang),
        }

    def give(self, person: ParticipantInfo, step: Step) -> None:
        """She was shown this step as her next one: the follow-up nudge counts from now."""
        states = self.store.module_states(person.id)
        if step.module_id not in states:
            self.store.set_module_state(person.id, step.module_id, "given", given_at=now().isoformat())

    def complete(self, participant_id: str, module_id: str) -> None:
        if module_id not in self.catalog.modules:
            raise InputError(f"unknown module {module_id!r}")
        self.store.set_module_state(participant_id, module_id, "completed", completed_at=now().isoformat())
        log.info("module completed")

    def save_diagnostic(self, person: ParticipantInfo, ratings: dict[str, int]) -> ParticipantInfo:
        profile = dict(person.profile or {})
        profile["diagnostic"] = {c: int(r) for c, r in ratings.items() if c in self.catalog.competencies}
        profile["diagnostic_at"] = now().isoformat()
        return self.store.update_participant(person.id, profile=profile)

    # -- the pairing ---------------------------------------------------------------------------------------

    def partner(self, person: ParticipantInfo) -> ParticipantInfo | None:
        for pairing in self.store.pairings(person=person.id, status="active"):
            other = pairing["b"] if pairing["a"] == person.id else pairing["a"]
            found = self.store.participant_by_id(other)
            if found is not None and found.consent:
                return found
        return None

    def agenda(self, person: ParticipantInfo, steps: list[Step], lang: str) -> list[str]:
        """A suggested agenda for the next meeting with her active partner, from both women's goals and
        pathway steps; empty without an active pairing."""
        partner = self.partner(person)
        if partner is None:
            return []
        partner_name = (partner.name or "").split(" ")[0] or phrase("your_partner", lang)
        partner_steps, _ = self.plan(partner, lang)
        items = []
        if steps:
            items.append(phrase("agenda_my_step", lang, title=steps[0].title, minutes=steps[0].minutes))
        if partner_steps:
            items.append(phrase("agenda_her_step", lang, name=partner_name, title=partner_steps[0].title))
        shared = [s.title for s in steps[:4] if s.module_id in {p.module_id for p in partner_steps[:4]}]
        if shared:
            items.append(phrase("agenda_shared", lang, title=shared[0]))
        for who, goals in ((None, person.profile.get("goals")), (partner_name, partner.profile.get("goals"))):
            goal = goals[0] if isinstance(goals, list) and goals else goals if isinstance(goals, str) else None
            if goal:
                key = "agenda_my_goal" if who is None else "agenda_her_goal"
                items.append(phrase(key, lang, name=who or "", goal=str(goal)[:160]))
        items.append(phrase("agenda_next_date", lang))
        return items

    # -- resources ------------------------------------------------------------------------------------------

    def seen_resources(self, person: ParticipantInfo) -> set[str]:
        return set((person.profile or {}).get("resources_seen") or [])

    def done_resources(self, person: ParticipantInfo) -> set[str]:
        """Resources she marked done: never recommended again. (Completing a module does not mark its
        resources done: when every module is completed, its advanced resources are what is left to offer.)"""
        return set((person.profile or {}).get("resources_done") or [])

    def resources(
        self, person: ParticipantInfo, lang: str | None = None, k: int = 5, record: bool = False
    ) -> tuple[list[Recommendation], str | None]:
        """Her recommendations and a note (another language, or everything completed); `record` marks them
        seen so the next call shows others."""
        lang = self.language(person, lang)
        steps, needs = self.plan(person, lang)
        questions = tuple(r["question"] for r in self.store.recent_questions(person.id, QUESTION_WINDOW, limit=3))
        context = Context(
            needs=str((person.profile or {}).get("needs") or ""),
            step_title=steps[0].title if steps else "",
            step_text=self.catalog.modules[steps[0].module_id]["description"][lang] if steps else "",
            questions=questions,
            competencies=frozenset((set(steps[0].competencies) if steps else set()) | needs.stated),
        )
        exclude = self.done_resources(person) | self.seen_resources(person)
        recs, note = self.recommender.recommend(
            context, lang, level_of(needs), exclude=exclude, k=k, advanced_only=not steps
        )
        if not recs and self.seen_resources(person):  # everything seen: start again, completed ones still out
            recs, note = self.recommender.recommend(
                context, lang, level_of(needs), exclude=self.done_resources(person), k=k, advanced_only=not steps
            )
        if record and recs:
            profile = dict(person.profile or {})
            seen = list(profile.get("resources_seen") or [])
            profile["resources_seen"] = (seen + [r.resource_id for r in recs if r.resource_id not in seen])[-200:]
            self.store.update_participant(person.id, profile=profile)
        return recs, note

    def resource_page(self, resource_id: str, lang: str) -> ResourcePage:
        """What she opens for a resource, in her language or else the first it exists in."""
        resource = self.catalog.resources.get(resource_id)
        if resource is None:
            raise NotFoundError(f"no resource {resource_id!r}")
        languages = [lang] + [code for code in resource.get("languages") or [] if code != lang]
        for code in languages:
            if code in (resource.get("languages") or [code]):
                found = page(self.catalog_root, resource, code)
                if found is not None:
                    return found
        raise NotFoundError(f"resource {resource_id!r} has nothing to open")

    def resource_file(self, resource_id: str) -> Path:
        """The file the app serves for a resource (inside the catalogue's resource_files/ only)."""
        resource = self.catalog.resources.get(resource_id) or {}
        root = (self.catalog_root / FILES).resolve()
        path = (root / str(resource.get("file") or "")).resolve()
        if not resource.get("file") or root not in path.parents or not path.is_file():
            raise NotFoundError(f"resource {resource_id!r} has no file")
        return path

    def resource_link(self, resource_id: str, lang: str) -> str:
        """The address of the resource's page in her language (or its own link, when it is only a link)."""
        resource = self.catalog.resources[resource_id]
        if resource.get("url") and not (resource.get("body") or resource.get("section") or resource.get("file")):
            return str(resource["url"])
        base = self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}"
        return f"{base.rstrip('/')}/resources/{resource_id}?lang={lang}"

    def find_resource(self, text: str) -> str | None:
        """The resource her message names by its title, if any."""
        return find_by_name(self.catalog, text)

    def mark_resource_done(self, person: ParticipantInfo, resource_id: str) -> None:
        if resource_id not in self.catalog.resources:
            raise InputError(f"unknown resource {resource_id!r}")
        profile = dict(person.profile or {})
        done = list(profile.get("resources_done") or [])
        if resource_id not in done:
            profile["resources_done"] = [*done, resource_id]
            self.store.update_participant(person.id, profile=profile)
