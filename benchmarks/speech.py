"""Voice notes: load time, RSS with the model loaded, real-time factor and word error rate per language.

Run with `make bench` (or `python -m benchmarks.speech [--notes N]`). Notes are generated here with
espeak-ng and converted to OGG/Opus 16 kHz mono as WhatsApp sends them, from programme-like sentences
written for this benchmark (credit, export, time zones, mentoring), ten per language. Each note is
transcribed twice: with its language given (her preferred language known), which the WER and the
real-time factor are measured on, and with none (the likeliest of fr/es/en), whose choice is counted.
Synthetic speech is not a woman speaking on a market street: the figures compare languages and settings,
they do not promise a field error rate. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from assistant.config import Settings
from assistant.speech import build_transcriber
from assistant.speech.bundle import MODEL_FILE, bundled_model_dir, sha256_file
from benchmarks.machine import rss_mb
from testkit.voice_notes import spoken_note, tools_missing, words

SENTENCES = {
    "fr": [
        "Bonjour, je voudrais savoir comment obtenir un crédit pour agrandir mon atelier de couture.",
        "Quels documents faut-il préparer pour exporter du cacao vers le Canada ?",
        "Ma mentore habite à Montréal et moi à Dakar, comment gérer le décalage horaire ?",
        "Je cherche une formation sur la comptabilité et la gestion de la trésorerie.",
        "Comment fixer le prix de mes produits quand les coûts de transport augmentent ?",
        "Pouvez-vous m'aider à préparer ma première réunion avec ma mentore ?",
        "Je veux vendre mes savons en ligne, par où dois-je commencer ?",
        "Quelle est la différence entre un prêt bancaire et une microfinance ?",
        "Nous avons rendez-vous mardi à dix heures, heure de Toronto.",
        "Merci pour les conseils sur le plan d'affaires, je vais les appliquer.",
    ],
    "es": [
        "Hola, quisiera saber cómo pedir un crédito para mi negocio de costura.",
        "¿Qué papeles necesito para exportar café a Canadá?",
        "Mi mentora vive en Vancouver y yo en Lima, ¿cómo manejamos la diferencia horaria?",
        "Busco un curso de contabilidad básica para pequeñas empresas.",
        "¿Cómo calculo el precio de venta si suben los costos de envío?",
        "Necesito ayuda para preparar la primera reunión con mi mentora.",
        "Quiero vender mis artesanías por internet, ¿por dónde empiezo?",
        "¿Cuál es la diferencia entre un préstamo bancario y un microcrédito?",
        "Tenemos la reunión el jueves a las nueve de la mañana, hora de Bogotá.",
        "Gracias por los consejos sobre el plan de negocios, me sirvieron mucho.",
    ],
    "en": [
        "Hello, how can I apply for a loan to expand my tailoring workshop?",
        "Which documents do I need to export shea butter to Canada?",
        "My mentor lives in Toronto and I live in Nairobi, how do we handle the time difference?",
        "I am looking for a short course on bookkeeping and cash flow.",
        "How should I set my prices when shipping costs keep rising?",
        "Can you help me prepare the first meeting with my mentor?",
        "I want to sell my soaps online, where should I start?",
        "What is the difference between a bank loan and microfinance?",
        "Our call is on Wednesday at eight in the morning, Toronto time.",
        "Thank you for the advice on the business plan, it helped a lot.",
    ],
}


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Word-level edit distance over the reference's length, on folded words (case, accents, punctuation)."""
    ref, hyp = words(reference), words(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, 1):
        current = [i]
        for j, hyp_word in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1] / max(len(ref), 1)


def measure_model(settings: Settings):
    """Assembly, checksum and load times and the RSS the model adds; the loaded transcriber."""
    before = rss_mb(os.getpid()) or 0.0
    transcriber = build_transcriber(settings)
    started = time.perf_counter()
    transcriber.load()
    first_load = time.perf_counter() - started
    loaded = rss_mb(os.getpid()) or 0.0
    model = bundled_model_dir(settings.data_dir) / MODEL_FILE
    started = time.perf_counter()
    sha256_file(model)
    checksum = time.perf_counter() - started
    started = time.perf_counter()
    build_transcriber(settings).load()  # a second model, as a restarted process loads it (then dropped)
    warm_load = time.perf_counter() - started
    print(f"speech model: first load (assembly + checksum + load) {first_load:.2f} s, later loads {warm_load:.2f} s")
    print(f"speech model: sha256 of model.bin {checksum:.2f} s (later loads check a stamp instead)")
    print(f"speech model: RSS {loaded:.0f} MB with the model loaded ({loaded - before:+.0f} MB for the model)")
    return transcriber


def measure_language(transcriber, language: str, sentences: list[str]) -> None:
    audio_s = cpu_s = wall_s = 0.0
    errors, detected = [], 0
    for sentence in sentences:
        note = spoken_note(sentence, language)
        wall, cpu = time.perf_counter(), time.process_time()
        heard = transcriber.transcribe(note, language)
        wall_s += time.perf_counter() - wall
        cpu_s += time.process_time() - cpu
        audio_s += heard.duration_s
        errors.append(word_error_rate(sentence, heard.text))
        detected += transcriber.transcribe(note, None).language == language
    print(
        f"speech {language}: {len(sentences)} notes, {audio_s:.0f} s of audio; WER {statistics.mean(errors):.1%} "
        f"(median {statistics.median(errors):.1%}); real-time factor {wall_s / audio_s:.2f} wall, "
        f"{cpu_s / audio_s:.2f} CPU; language found without a hint {detected}/{len(sentences)}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10, help="notes per language (at most 10)")
    args = parser.parse_args(argv)
    if (why := tools_missing()) is not None:
        print(f"speech benchmark skipped: {why}")
        return
    with tempfile.TemporaryDirectory() as data:
        settings = Settings(_env_file=None, data_dir=Path(data))
        transcriber = measure_model(settings)
        for language, sentences in SENTENCES.items():
            measure_language(transcriber, language, sentences[: args.notes])


if __name__ == "__main__":
    main()
