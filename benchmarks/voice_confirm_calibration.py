"""Where MENTOR_VOICE_CONFIRM_CONFIDENCE comes from: the confidence of voice notes Whisper heard well or garbled.

Run with `python -m benchmarks.voice_confirm_calibration` (120 transcriptions: about 25 minutes on 2
shared cores; `--save rows.json` keeps them, `--load rows.json` reports again without transcribing). The benchmark's
ten questions in each of fr/es/en (benchmarks/speech.py) are spoken by espeak-ng, then degraded as a phone on a
street degrades them: spoken fast (280 words a minute), white noise at 10 dB, and another woman talking over her (a
sentence of another language, 6 dB quieter). Each note goes, as OGG/Opus, through the transcriber the
project uses (bundled Whisper base, int8, her language unknown and her channel's hint right), so notes it
refuses (under MIN_CONFIDENCE: "unintelligible") are refused here too. For every note it answers, the word
error rate against what was spoken says whether it was heard clearly (WER <= 0.2) or garbled (WER >= 0.5).
The threshold under which she is asked "is that what you said?" is chosen on the calibration half (sentences
1-5): each clear note asked about costs 1 (a tap), each garbled note answered 3 (advice on what she never
asked). The held-out half (sentences 6-10) is reported with that threshold. Figures are printed; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from assistant.config import Settings
from assistant.errors import AudioError
from assistant.speech import build_transcriber
from assistant.speech.audio import SAMPLE_RATE, decode
from assistant.speech.whisper import MIN_CONFIDENCE
from benchmarks.speech import SENTENCES, word_error_rate
from testkit.voice_notes import spoken_note, tools_missing

CONDITIONS = ("clean", "fast", "noise 10 dB", "talked over")
OVER_DB = -6.0  # the other woman, this much quieter than her
CLEAR, GARBLED = 0.2, 0.5  # word error rates: at most CLEAR is heard right, at least GARBLED is not
COST_ASKED_CLEAR, COST_ANSWERED_GARBLED = 1.0, 3.0
GRID = [round(0.36 + 0.02 * i, 2) for i in range(23)]  # 0.36 .. 0.80
_FFMPEG = ["ffmpeg", "-loglevel", "error", "-nostdin"]
_OPUS = ["-ac", "1", "-ar", "16000", "-c:a", "libopus", "-b:a", "24k", "-f", "ogg"]
_OVER = {"fr": ("es", 1), "es": ("en", 2), "en": ("fr", 3)}  # who talks over her: a language, a sentence


def samples(note: bytes) -> np.ndarray:
    return decode(note, 120, 10**8)


def encode(speech: np.ndarray) -> bytes:
    """16 kHz float samples -> OGG/Opus, as her phone sends them."""
    raw = np.clip(speech, -1.0, 1.0).astype("<f4").tobytes()
    done = subprocess.run(
        [*_FFMPEG, "-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "1", "-i", "pipe:0", *_OPUS, "pipe:1"],
        input=raw,
        check=True,
        capture_output=True,
    )
    return done.stdout


def with_noise(speech: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    power = float(np.mean(speech**2)) or 1e-8
    noise = rng.normal(0.0, np.sqrt(power / 10 ** (snr_db / 10)), speech.size).astype(np.float32)
    return speech + noise


def talked_over(speech: np.ndarray, other: np.ndarray) -> np.ndarray:
    other = np.resize(other, speech.size)  # repeated or cut to her note's length
    scale = np.sqrt((np.mean(speech**2) or 1e-8) / (np.mean(other**2) or 1e-8)) * 10 ** (OVER_DB / 20)
    return speech + other * scale


def note(sentence: str, language: str, condition: str, index: int, rng: np.random.Generator) -> bytes:
    if condition == "clean":
        return spoken_note(sentence, language)
    if condition == "fast":
        return spoken_note(sentence, language, words_per_minute=280)
    speech = samples(spoken_note(sentence, language))
    if condition.startswith("noise"):
        return encode(with_noise(speech, float(condition.split()[1]), rng))
    other_language, shift = _OVER[language]
    other = SENTENCES[other_language][(index + shift) % len(SENTENCES[other_language])]
    return encode(talked_over(speech, samples(spoken_note(other, other_language))))


def collect(transcriber) -> list[dict]:
    rng = np.random.default_rng(7)
    rows = []
    for language, sentences in SENTENCES.items():
        for index, sentence in enumerate(sentences):
            for condition in CONDITIONS:
                row = {"language": language, "index": index, "condition": condition, "said": sentence}
                row["split"] = "calibration" if index < 5 else "held out"
                try:
                    heard = transcriber.transcribe(note(sentence, language, condition, index, rng), None, hint=language)
                except AudioError as exc:
                    row.update(refused=exc.reason, confidence=None, wer=None, heard="")
                else:
                    wer = word_error_rate(sentence, heard.text)
                    row.update(refused=None, confidence=heard.confidence, wer=wer, heard=heard.text)
                rows.append(row)
                print(f"  {language} {index + 1:2d} {condition:12s} {_row_line(row)}", flush=True)
    return rows


def _row_line(row: dict) -> str:
    if row["refused"]:
        return f"refused ({row['refused']})"
    return f"confidence {row['confidence']:.3f}  WER {row['wer']:.2f}  {row['heard'][:70]}"


def kind(row: dict) -> str:
    if row["refused"] or not row["heard"].strip():  # nothing heard: the conversation says so ("silent")
        return "refused"
    return "clear" if row["wer"] <= CLEAR else "garbled" if row["wer"] >= GARBLED else "in between"


def outcome(rows: list[dict], threshold: float) -> dict:
    """Of the notes answered today: the clear ones she would be asked about, the garbled ones still answered."""
    clear = [r for r in rows if kind(r) == "clear"]
    garbled = [r for r in rows if kind(r) == "garbled"]
    between = [r for r in rows if kind(r) == "in between"]
    asked_clear = sum(r["confidence"] < threshold for r in clear)
    answered_garbled = sum(r["confidence"] >= threshold for r in garbled)
    return {
        "asked_clear": asked_clear,
        "clear": len(clear),
        "caught_garbled": len(garbled) - answered_garbled,
        "garbled": len(garbled),
        "asked_between": sum(r["confidence"] < threshold for r in between),
        "between": len(between),
        "cost": COST_ASKED_CLEAR * asked_clear + COST_ANSWERED_GARBLED * answered_garbled,
    }


def calibrate(rows: list[dict]) -> float:
    """The threshold of least cost on `rows`; the lowest of equals (the fewest questions asked)."""
    return min(GRID, key=lambda t: (outcome(rows, t)["cost"], t))


def describe(name: str, rows: list[dict], threshold: float) -> None:
    o = outcome(rows, threshold)
    print(
        f"{name} at {threshold:.2f}: garbled notes caught {o['caught_garbled']}/{o['garbled']}, clear notes asked "
        f"about {o['asked_clear']}/{o['clear']}, in-between notes asked about {o['asked_between']}/{o['between']}"
    )


def report(rows: list[dict]) -> float:
    print(f"\n{len(rows)} notes; refused under MIN_CONFIDENCE={MIN_CONFIDENCE} or as another language:")
    for condition in CONDITIONS:
        group = [r for r in rows if r["condition"] == condition]
        counts = {k: sum(kind(r) == k for r in group) for k in ("clear", "in between", "garbled", "refused")}
        confidences = sorted(r["confidence"] for r in group if r["confidence"] is not None)
        median = f"{confidences[len(confidences) // 2]:.2f}" if confidences else "-"
        print(f"  {condition:12s} {counts}  median confidence {median}")
    for k in ("clear", "in between", "garbled"):
        values = sorted(r["confidence"] for r in rows if kind(r) == k)
        if values:
            quartiles = " ".join(f"{values[int(q * (len(values) - 1))]:.2f}" for q in (0, 0.25, 0.5, 0.75, 1))
            print(f"confidence of {k} notes ({len(values)}): min q1 median q3 max = {quartiles}")
    calibration = [r for r in rows if r["split"] == "calibration"]
    held_out = [r for r in rows if r["split"] == "held out"]
    print("\nthreshold: calibration half (garbled caught, clear asked) | held-out half")
    for t in GRID[::2]:
        c, h = outcome(calibration, t), outcome(held_out, t)
        print(
            f"  {t:.2f}: {c['caught_garbled']}/{c['garbled']} caught, {c['asked_clear']}/{c['clear']} asked "
            f"(cost {c['cost']:g}) | {h['caught_garbled']}/{h['garbled']} caught, {h['asked_clear']}/{h['clear']} asked"
        )
    chosen = calibrate(calibration)
    print(f"\nthreshold of least cost on the calibration half: {chosen:.2f}")
    describe("calibration half", calibration, chosen)
    describe("held-out half", held_out, chosen)
    return chosen


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write the transcribed notes to this JSON file")
    parser.add_argument("--load", type=Path, help="report on notes saved earlier instead of transcribing")
    args = parser.parse_args(argv)
    if args.load:
        rows = json.loads(args.load.read_text(encoding="utf-8"))
    else:
        if (why := tools_missing()) is not None:
            print(f"voice confirmation calibration skipped: {why}")
            return
        with tempfile.TemporaryDirectory() as data:
            transcriber = build_transcriber(Settings(_env_file=None, data_dir=Path(data), asr_threads=2))
            transcriber.load()
            rows = collect(transcriber)
        if args.save:
            args.save.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    report(rows)


if __name__ == "__main__":
    main()
