"""Scoring one case: an answered (or errored) case in, its per-case metrics and case row out.

The scoring rules, in one place:
- Retrieval metrics (hit@k, recall@k, MRR@10, nDCG@10) are on distinct document ids, answerable cases only.
- Answer metrics: key-fact recall and token F1 on answerable cases (an abstention scores 0: the asker got
  no facts); citation precision where the answer cites something; citation recall on answerable cases;
  groundedness (`grounded_facts`, `content_support`) on every answer that was given, against the text of
  the chunks it cites; language match on every case.
- Abstention: `abstain_recall` over unanswerable cases, `abstain_precision` over abstentions,
  `wrong_abstention` over answerable cases.
- What she gets (`evals.usefulness`), when the case's relevant passages are given: `answer_relevance` and
  `first_sentence_relevant` on every answer given to an answerable case; `useful_answer` on every answerable case
  (a refusal is not useful); `followup_useful` on the follow-up turns of a conversation (turn 2 on): a useful
  answer where the guides answer, a refusal where they do not. Each case that fails gets one `failure_type`.
- An error is never dropped: it scores 0 on every quality metric the case has and is counted in `errors`.
- With `--repeat N`, each case's metrics are averaged over its repeats before the intervals are computed
  (repeating does not narrow them), and `changed_share` is the share of cases whose answer changed.
"""

from __future__ import annotations

from assistant.languages import detect_language
from evals import metrics as m
from evals import usefulness as u
from evals.metrics import KS, PER_CASE, RETRIEVAL
from evals.outcome import Outcome

Relevant = tuple[list[str], list[str]]  # (relevant section texts, relevant guide texts), see evals.sections


def score(case: dict, outcome: Outcome, passages: Relevant | None = None) -> dict[str, float | None]:
    """Every per-case metric of one answered case (None where the metric does not apply); the usefulness
    metrics only when the case's relevant `passages` are given."""
    lang = case["language"]
    relevant = set(case["relevant_doc_ids"])
    answerable = case["answerable"]
    ranked = outcome.retrieved_doc_ids
    values: dict[str, float | None] = dict.fromkeys(PER_CASE)
    if answerable:
        for k in KS:
            values[f"hit@{k}"] = m.hit_at(ranked, relevant, k)
        values["recall@5"] = m.recall_at(ranked, relevant, 5)
        values["recall@10"] = m.recall_at(ranked, relevant, 10)
        values["mrr@10"] = m.mrr_at(ranked, relevant, 10)
        values["ndcg@10"] = m.ndcg_at(ranked, relevant, 10)
    text = " ".join(m.strip_citations(outcome.answer).split())
    if outcome.abstained or not text:
        detected = outcome.language
    else:
        detected = detect_language(text, preferred=outcome.language).language
    values["language_match"] = m.language_match(lang, detected)
    cited_docs = [c["doc_id"] for c in outcome.citations]
    values["unretrieved_citations"] = float(
        m.unretrieved_citations([c["chunk_id"] for c in outcome.citations], outcome.context_chunk_ids)
    )
    if answerable:
        facts = case["key_facts"]
        if facts:
            values["key_fact_recall"] = 0.0 if outcome.abstained else m.key_fact_recall(facts, text, lang)
            values["token_f1"] = 0.0 if outcome.abstained else m.token_f1(text, facts, lang)
        values["citation_precision"] = m.citation_precision(cited_docs, relevant)
        values["citation_recall"] = m.citation_recall(cited_docs, relevant)
        values["wrong_abstention"] = 1.0 if outcome.abstained else 0.0
    else:
        values["abstain_recall"] = 1.0 if outcome.abstained else 0.0
    if outcome.abstained:
        values["abstain_precision"] = 0.0 if answerable else 1.0
    else:
        evidence = " ".join(outcome.evidence.values())
        quoted = u.guide_text(outcome.answer, lang)  # the assistant's own notes are not claims of the guides
        values["grounded_facts"] = m.grounded_facts(quoted, evidence, lang)
        values["content_support"] = m.content_support(quoted, evidence, lang)
    if passages is not None:
        values.update(_usefulness(case, outcome, values, passages))
    return values


def _usefulness(case: dict, outcome: Outcome, values: dict, relevant: Relevant) -> dict[str, float | None]:
    sections, _ = relevant
    lang, answer = case["language"], outcome.answer
    out: dict[str, float | None] = {}
    if case["answerable"]:
        first = False
        if not outcome.abstained:
            out["answer_relevance"] = u.answer_relevance(answer, sections, lang)
            first = u.first_sentence_relevant(answer, sections, lang)
            out["first_sentence_relevant"] = float(first)
        found = bool(values["key_fact_recall"]) if case["key_facts"] else True
        useful = u.useful_answer(outcome.abstained, values["language_match"] == 1.0, found, first)
        out["useful_answer"] = float(useful)
        handled = useful
    else:
        handled = outcome.abstained
    if case.get("turn", 1) > 1:
        out["followup_useful"] = float(handled)
    return out


def failure_type(case: dict, values: dict, outcome: Outcome | None, relevant: Relevant | None) -> str | None:
    """The case's one failure type (`evals.usefulness.FAILURE_TYPES`), None when it went right or when its
    relevant passages are unknown."""
    if outcome is None:
        return "error"
    if relevant is None:
        return None
    lang = case["language"]
    from_guide = any(u.drawn_from(s, g, lang) for s in u.content_sentences(outcome.answer, lang) for g in relevant[1])
    found = bool(values["key_fact_recall"]) if case["key_facts"] else True
    return u.failure_type(
        case["answerable"],
        outcome.abstained,
        values["language_match"] == 1.0,
        from_guide,
        found,
        bool(values.get("first_sentence_relevant")),
    )


def error_score(case: dict, relevant: Relevant | None = None) -> dict[str, float | None]:
    """An errored case scores 0 on every quality metric it has; it is not dropped from any average."""
    values: dict[str, float | None] = dict.fromkeys(PER_CASE)
    values["language_match"] = 0.0
    if case["answerable"]:
        for name in (*RETRIEVAL, "citation_recall"):
            values[name] = 0.0
        if case["key_facts"]:
            values["key_fact_recall"] = values["token_f1"] = 0.0
        if relevant is not None:
            values["useful_answer"] = 0.0
    else:
        values["abstain_recall"] = 0.0
    if relevant is not None and case.get("turn", 1) > 1:
        values["followup_useful"] = 0.0
    return values


def failure_reasons(case: dict, values: dict, outcome: Outcome | None, error: str | None) -> list[str]:
    if error:
        return [f"error: {error}"]
    reasons = []
    if case["answerable"]:
        if values["hit@5"] == 0.0:
            reasons.append("no relevant guide in the top 5")
        if outcome.abstained:
            reasons.append("abstained on an answerable question")
        elif values["key_fact_recall"] == 0.0:
            reasons.append("no key fact in the answer: " + ", ".join(case["key_facts"]))
    elif not outcome.abstained:
        reasons.append("did not abstain on an unanswerable question")
    if values["language_match"] == 0.0:
        reasons.append(f"answered in another language than {case['language']}")
    if values["unretrieved_citations"]:
        reasons.append("cites a chunk that was not retrieved")
    return reasons


def case_row(
    config: str, case: dict, repeat: int, outcome: Outcome | None, error: str | None, relevant: Relevant | None = None
) -> dict:
    """One case's line of cases.jsonl. With the case's `relevant` passages, the usefulness metrics and the
    failure type too; a case of a conversation names it and its turn."""
    values = error_score(case, relevant) if outcome is None else score(case, outcome, relevant)
    kind = failure_type(case, values, outcome, relevant)
    reasons = failure_reasons(case, values, outcome, error)
    if kind in ("off_topic", "wrong_guide"):
        reasons.append(u.FAILURE_LABELS[kind].lower())
    row = {
        "config": config,
        "case_id": case["id"],
        "language": case["language"],
        "repeat": repeat,
        "question": case["question"],
        "answerable": case["answerable"],
        "relevant_doc_ids": case["relevant_doc_ids"],
        "key_facts": case["key_facts"],
        "retrieved_doc_ids": outcome.retrieved_doc_ids if outcome else [],
        "retrieved_chunk_ids": outcome.context_chunk_ids if outcome else [],
        "answer": outcome.answer if outcome else "",
        "answer_language": outcome.language if outcome else None,
        "abstained": outcome.abstained if outcome else False,
        "citations": outcome.citations if outcome else [],
        "latency_ms": round(outcome.latency_ms, 2) if outcome else None,
        "error": error,
        "metrics": {k: (None if v is None else round(v, 6)) for k, v in values.items()},
        "failed": bool(reasons),
        "reasons": reasons,
    }
    if relevant is not None:
        row["failure_type"] = kind
    if "conversation" in case and case["conversation"] != case["id"]:
        row["conversation"], row["turn"] = case["conversation"], case["turn"]
    return row
