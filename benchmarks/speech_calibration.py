"""Where the speech thresholds come from: what Whisper base says of usable, unintelligible and foreign notes.

Run with `python -m benchmarks.speech_calibration` (about 100 transcriptions: several minutes on 2 cores).
Notes are made with espeak-ng (testkit.voice_notes): the benchmark's ten sentences in each of fr/es/en
(usable notes), the same notes played backwards (speech-like sounds that mean nothing: unintelligible),
and five sentences in each of eight other languages. For each note it records Whisper's probability that
the note is in fr, es or en (out of its 99 languages), the confidence of the transcript (mean token
probability) and, for fr/es/en, the word error rate. It then grid-searches the thresholds on the
calibration half (sentences 1-5; de, it, pt-BR, sw) and reports them, and the thresholds in use
(assistant/speech/whisper.py), on the other half (sentences 6-10; ht, ar, qu, nl), which was not looked at
to choose them. It also counts how often the likeliest of fr/es/en is right with no hint, with the right
hint and with a wrong one, for each prior weight. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import itertools
import math
import tempfile
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.speech import build_transcriber
from assistant.speech import whisper as rules
from assistant.speech.audio import decode
from benchmarks.speech import SENTENCES, word_error_rate
from testkit.voice_notes import spoken_note, tools_missing

OTHER = {
    "de": [
        "Guten Tag, wie bekomme ich einen Kredit für meine Schneiderei?",
        "Welche Unterlagen brauche ich für den Export nach Kanada?",
        "Meine Mentorin wohnt in Toronto, wie planen wir unsere Treffen?",
        "Ich suche einen Kurs über Buchhaltung für kleine Firmen.",
        "Wie lege ich meine Preise fest, wenn die Transportkosten steigen?",
    ],
    "it": [
        "Buongiorno, come posso ottenere un prestito per la mia sartoria?",
        "Quali documenti servono per esportare caffè in Canada?",
        "La mia mentore vive a Toronto, come organizziamo gli incontri?",
        "Cerco un corso di contabilità per piccole imprese.",
        "Come fisso i prezzi quando aumentano i costi di trasporto?",
    ],
    "pt-br": [
        "Bom dia, como consigo um empréstimo para a minha costura?",
        "Quais documentos preciso para exportar café para o Canadá?",
        "Minha mentora mora em Toronto, como organizamos as reuniões?",
        "Procuro um curso de contabilidade para pequenas empresas.",
        "Como defino meus preços quando o frete aumenta?",
    ],
    "sw": [
        "Habari, ninawezaje kupata mkopo kwa biashara yangu ya ushonaji?",
        "Ni hati gani ninahitaji kusafirisha kahawa kwenda Kanada?",
        "Mshauri wangu anaishi Toronto, tunapangaje mikutano yetu?",
        "Natafuta kozi ya uhasibu kwa biashara ndogo.",
        "Ninawekaje bei zangu wakati gharama za usafiri zinapanda?",
    ],
    "ht": [
        "Bonjou, kijan mwen ka jwenn yon prè pou biznis mwen?",
        "Ki papye mwen bezwen pou ekspòte kafe nan Kanada?",
        "Mentò mwen an rete Toronto, kijan nou òganize reyinyon yo?",
        "M ap chèche yon kou sou kontablite pou ti biznis.",
        "Kijan mwen fikse pri mwen lè transpò a monte?",
    ],
    "ar": [
        "مرحبا، كيف أحصل على قرض لمشروع الخياطة الخاص بي؟",
        "ما هي الوثائق التي أحتاجها لتصدير القهوة إلى كندا؟",
        "مرشدتي تعيش في تورونتو، كيف ننظم اجتماعاتنا؟",
        "أبحث عن دورة في المحاسبة للمشاريع الصغيرة.",
        "كيف أحدد أسعاري عندما ترتفع تكاليف النقل؟",
    ],
    "qu": [
        "Allillanchu, imaynatataq qullqita mañakuyta atiyman?",
        "Ima qillqakunatataq munani kafeta Canadaman apanaypaq?",
        "Yachachiqniy Torontopi tiyan, imaynatataq tantanakuyta ruwasun?",
        "Yachay wasita maskani yupaykunapaq.",
        "Imaynatataq chaninta churasaq apaykuna wicharqan chayqa?",
    ],
    "nl": [
        "Goedendag, hoe krijg ik een lening voor mijn naaiatelier?",
        "Welke papieren heb ik nodig om koffie naar Canada te exporteren?",
        "Mijn mentor woont in Toronto, hoe plannen we onze gesprekken?",
        "Ik zoek een cursus boekhouden voor kleine bedrijven.",
        "Hoe bepaal ik mijn prijzen als de transportkosten stijgen?",
    ],
}
CALIBRATION_LANGUAGES = {"de", "it", "pt-br", "sw"}
CALIBRATION_VOICES = {"es": "es-419"}  # Latin American Spanish, as in Bolivia and Guatemala
PROGRAMME = ("fr", "es", "en")


def features(model, speech: np.ndarray, language: str | None) -> dict:
    """Whisper's fr/es/en probabilities, and the transcript and its confidence in `language` (else the likeliest)."""
    _top, _p, probabilities = model.detect_language(audio=speech)
    p3 = {code: p for code, p in probabilities if code in PROGRAMME}
    language = language or max(p3, key=p3.get)
    segments, _ = model.transcribe(speech, language=language, beam_size=5, condition_on_previous_text=False)
    texts, logprob, tokens = [], 0.0, 0
    for segment in segments:
        texts.append(segment.text)
        logprob += segment.avg_logprob * len(segment.tokens)
        tokens += len(segment.tokens)
    confidence = math.exp(logprob / tokens) if tokens else 0.0
    return {"p3": p3, "share": sum(p3.values()), "confidence": confidence, "text": " ".join(texts).strip()}


def collect(model) -> list[dict]:
    from assistant.speech.whisper import _speech_only

    rows = []
    for language, sentences in SENTENCES.items():
        for i, sentence in enumerate(sentences):
            note = spoken_note(sentence, language, voice=CALIBRATION_VOICES.get(language))
            speech = _speech_only(decode(note, 120, 10**8))
            own = features(model, speech, language)
            own.update(kind="usable", truth=language, split="calibration" if i < 5 else "held out")
            own["wer"] = word_error_rate(sentence, own["text"])
            backwards = features(model, speech[::-1].copy(), None)
            backwards.update(kind="unintelligible", truth=language, split=own["split"])
            rows += [own, backwards]
    for language, sentences in OTHER.items():
        split = "calibration" if language in CALIBRATION_LANGUAGES else "held out"
        for sentence in sentences:
            speech = _speech_only(decode(spoken_note(sentence, language, voice=language), 120, 10**8))
            row = features(model, speech, None)
            row.update(kind="other language", truth=language, split=split)
            rows.append(row)
    return rows


def decide(row: dict, confidence: float, share: float, other_confidence: float) -> str:
    """What the rules in assistant/speech/whisper.py (`_judge`) decide for a note, with these thresholds."""
    if row["share"] < share and row["confidence"] < other_confidence:
        return "other language"
    return "unintelligible" if row["confidence"] < confidence else "usable"


def tally(rows: list[dict], thresholds: tuple[float, float, float]) -> dict[str, str]:
    out = {}
    for kind in ("usable", "unintelligible", "other language"):
        group = [r for r in rows if r["kind"] == kind]
        decided = [decide(r, *thresholds) for r in group]
        if kind == "usable":
            good = [r for r, d in zip(group, decided, strict=True) if r["wer"] < 0.5]
            refused_good = sum(decide(r, *thresholds) != "usable" for r in good)
            out[kind] = (
                f"{decided.count('usable')}/{len(group)} answered ({refused_good}/{len(good)} good ones refused)"
            )
        else:
            out[kind] = f"{decided.count(kind)}/{len(group)} said so, {decided.count('usable')} answered"
    return out


def calibrate(rows: list[dict]) -> tuple[float, float, float]:
    """The thresholds that refuse no usable note transcribed well, then answer the fewest bad ones."""
    grid = itertools.product(
        [0.2, 0.25, 0.3, 0.32, 0.34, 0.36, 0.38, 0.4], [0.0, 0.05, 0.1, 0.2, 0.3, 0.4], [0.4, 0.45, 0.5, 0.55, 0.6]
    )

    def cost(thresholds) -> float:
        total = 0.0
        for row in rows:
            decided = decide(row, *thresholds)
            if row["kind"] == "usable":
                total += (10 if row["wer"] < 0.5 else 0.5) * (decided != "usable")
            else:
                total += decided == "usable"
        return total

    return min(grid, key=cost)


def prior_table(rows: list[dict]) -> None:
    usable = [r for r in rows if r["kind"] == "usable"]
    for weight in (1.0, 2.0, 3.0, 5.0, 10.0):

        def pick(row, hint, weight=weight):
            return max(row["p3"], key=lambda code: row["p3"][code] * (weight if code == hint else 1.0))

        none = sum(pick(r, None) == r["truth"] for r in usable)
        right = sum(pick(r, r["truth"]) == r["truth"] for r in usable)
        wrong = [pick(r, h) == r["truth"] for r in usable for h in PROGRAMME if h != r["truth"]]
        print(
            f"prior weight {weight:g}: language right {none}/{len(usable)} with no hint, {right}/{len(usable)} "
            f"with the right hint, {sum(wrong)}/{len(wrong)} with a wrong one"
        )


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    if (why := tools_missing()) is not None:
        print(f"speech calibration skipped: {why}")
        return
    with tempfile.TemporaryDirectory() as data:
        model = build_transcriber(Settings(_env_file=None, data_dir=Path(data))).load()
        rows = collect(model)
    calibration = [r for r in rows if r["split"] == "calibration"]
    held_out = [r for r in rows if r["split"] == "held out"]
    found = calibrate(calibration)
    used = (rules.MIN_CONFIDENCE, rules.OTHER_LANGUAGE_SHARE, rules.OTHER_LANGUAGE_CONFIDENCE)
    print(f"speech thresholds found on the calibration half (confidence, fr/es/en share, its confidence): {found}")
    print(f"speech thresholds in use: {used}")
    for name, group in (("calibration", calibration), ("held out", held_out)):
        for kind, line in tally(group, used).items():
            print(f"speech {name}, {kind}: {line}")
    prior_table(rows)
    print(f"prior weight in use: {rules.PRIOR_WEIGHT:g}")


if __name__ == "__main__":
    main()
