"""The optional LLM composer: any LangChain chat model writes the answer from the same evidence.

`build_chat_model(spec)` turns `MENTOR_LLM` into a chat model: `transformers:/path` loads a local model
(see local_llm.py), `scripted:TEXT` is the deterministic test double, anything else goes to LangChain's
`init_chat_model` ("ollama:llama3.1", "openai:gpt-4o-mini", with `MENTOR_LLM_BASE_URL` for compatible
endpoints). The model gets the rules in a system message (from prompts/system.md) and the evidence
fenced as data in the user message (prompts/user.md). Afterwards citations to unknown sources are removed;
no citation, the wrong language, an error or a timeout raises `CompositionFailed`, and the caller falls
back to the extractive answer.
"""

from __future__ import annotations

import concurrent.futures
import logging
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from assistant.answering.citing import citation
from assistant.answering.local_llm import TransformersChatModel
from assistant.answering.types import Draft
from assistant.config import Settings
from assistant.errors import ConfigurationError
from assistant.languages import detect_language
from assistant.phrases import language_label
from assistant.retrieval.search import SearchHit

log = logging.getLogger(__name__)
PROMPTS = Path(__file__).resolve().parents[1] / "prompts"
_CITE = re.compile(r"\[(\d+)\]")
_FENCES = re.compile(r"</?\s*(evidence|question|source)[^>]*>", re.IGNORECASE)
MAX_SOURCES = 6


class CompositionFailed(Exception):
    """The LLM's answer cannot be used; the reason goes to the log, the extractive answer to the user."""


class ScriptedChatModel(BaseChatModel):
    """A deterministic chat model that replays `responses` in turn and records every call's messages."""

    responses: list[str]
    calls: list[list[BaseMessage]] = Field(default_factory=list)
    delay_s: float = 0.0
    fail_with: str | None = None

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages: list[BaseMessage], stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        self.calls.append(list(messages))
        if self.delay_s:
            import time

            time.sleep(self.delay_s)
        if self.fail_with:
            raise RuntimeError(self.fail_with)
        text = self.responses[(len(self.calls) - 1) % len(self.responses)]
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


def build_chat_model(settings: Settings) -> BaseChatModel | None:
    spec = settings.llm
    if not spec:
        return None
    if spec.startswith("transformers:"):
        path = spec.split(":", 1)[1]
        if not Path(path).expanduser().is_dir():
            raise ConfigurationError(f"MENTOR_LLM: local model folder {path!r} does not exist")
        return TransformersChatModel(model_path=str(Path(path).expanduser()))
    if spec.startswith("scripted:"):
        return ScriptedChatModel(responses=[spec.split(":", 1)[1]])
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ConfigurationError("MENTOR_LLM needs the 'langchain' package") from exc
    kwargs: dict[str, Any] = {"temperature": 0, "timeout": settings.llm_timeout_s}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    if settings.llm_api_key:
        kwargs["api_key"] = settings.llm_api_key.get_secret_value()
    try:
        return init_chat_model(spec, **kwargs)
    except (ImportError, ValueError) as exc:
        raise ConfigurationError(
            f"MENTOR_LLM={spec!r} cannot be used: {exc}. Install the provider's LangChain package "
            "(for example langchain-ollama or langchain-openai) or unset MENTOR_LLM."
        ) from exc


def _fence_safe(text: str) -> str:
    """Text cannot close or open a fence of its own: '</evidence>' inside a document is neutralised."""
    return _FENCES.sub(lambda m: m.group(0).replace("<", "‹").replace(">", "›"), text)


@lru_cache(maxsize=4)
def _prompt(name: str) -> str:
    """A prompt template, read from disk once."""
    return (PROMPTS / name).read_text(encoding="utf-8")


def build_messages(question: str, language: str, hits: list[SearchHit], max_chars: int) -> list[BaseMessage]:
    name = language_label(language, "en")
    system = _prompt("system.md").format(language=language, language_name=name, max_chars=max_chars)
    evidence = "\n\n".join(
        f'<source n="{n}" title="{_fence_safe(h.chunk.title)}" language="{h.chunk.lang}">\n'
        f"{_fence_safe(h.chunk.text)}\n</source>"
        for n, h in enumerate(hits, start=1)
    )
    user = _prompt("user.md").format(evidence=evidence, question=_fence_safe(question), language_name=name)
    return [SystemMessage(content=system), HumanMessage(content=user)]


class LLMComposer:
    name = "llm"

    def __init__(self, model: BaseChatModel, timeout_s: float = 20.0, max_chars: int = 600) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.max_chars = max_chars
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="llm")

    def compose(self, question: str, language: str, hits: list[SearchHit]) -> Draft:
        sources = hits[:MAX_SOURCES]
        messages = build_messages(question, language, sources, self.max_chars)
        future = self._pool.submit(self.model.invoke, messages)
        try:
            reply = future.result(timeout=self.timeout_s)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise CompositionFailed(f"no answer within {self.timeout_s:g} s") from exc
        except Exception as exc:  # any provider error means "use the extractive answer"
            raise CompositionFailed(f"{exc.__class__.__name__}: {exc}") from exc
        text = reply.content if isinstance(reply.content, str) else str(reply.content)
        return self.validate(text, language, sources)

    def validate(self, text: str, language: str, sources: list[SearchHit]) -> Draft:
        valid = {str(n) for n in range(1, len(sources) + 1)}
        text = _CITE.sub(lambda m: m.group(0) if m.group(1) in valid else "", text)
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
        used = sorted({int(n) for n in _CITE.findall(text)})
        if not used:
            raise CompositionFailed("the answer cites no given source")
        plain = _CITE.sub("", text)
        detection = detect_language(plain, preferred=language)
        if detection.language != language and detection.confidence >= 0.5:
            raise CompositionFailed(f"answer in {detection.language}, expected {language}")
        renumber = {old: new for new, old in enumerate(used, start=1)}
        text = _CITE.sub(lambda m: f"[{renumber[int(m.group(1))]}]", text)
        return Draft(text=text, citations=[citation(renumber[n], sources[n - 1]) for n in used], composer=self.name)
