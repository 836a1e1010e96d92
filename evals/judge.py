"""Optional LLM-judged faithfulness, reported beside the deterministic metrics and never instead of them.

Only with `mentor eval run --judge` and a chat model configured (`MENTOR_LLM`). The judge reads the cited
evidence and the answer and replies with one number from 0 (unsupported) to 1 (every claim supported).
A reply without such a number, an error or a timeout gives no score for that case (None), so a flaky judge
cannot move the deterministic figures.
"""

from __future__ import annotations

import concurrent.futures
import re

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answering.llm import build_chat_model
from evals.outcome import Outcome

SYSTEM = (
    "You check answers for faithfulness. You get evidence passages and an answer. Reply with a single number "
    "between 0 and 1: the share of the answer's claims that the evidence supports. 1 means every claim is "
    "supported; 0 means none is. Reply with the number only."
)
_NUMBER = re.compile(r"(?<![\d.])(0(?:\.\d+)?|1(?:\.0+)?)(?![\d.])")


def parse_score(text: str) -> float | None:
    """The first number between 0 and 1 in the judge's reply, or None."""
    found = _NUMBER.search(text or "")
    return float(found.group(1)) if found else None


class Judge:
    def __init__(self, chat_model, settings) -> None:
        self.model = chat_model if chat_model is not None else build_chat_model(settings)
        self.timeout_s = settings.llm_timeout_s
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="judge")

    def __call__(self, case: dict, outcome: Outcome) -> float | None:
        evidence = "\n\n".join(f"<passage>\n{text}\n</passage>" for text in outcome.evidence.values())
        messages = [
            SystemMessage(content=SYSTEM),
            HumanMessage(content=f"Evidence:\n{evidence}\n\nQuestion: {case['question']}\n\nAnswer:\n{outcome.answer}"),
        ]
        future = self._pool.submit(self.model.invoke, messages)
        try:
            reply = future.result(timeout=self.timeout_s)
        except Exception:  # timeout or provider error: no score for this case
            return None
        content = reply.content if isinstance(reply.content, str) else str(reply.content)
        return parse_score(content)
