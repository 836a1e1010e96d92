"""Voice notes in the conversation: `VoiceNotes.handle(message, audio)` transcribes her note, shows her what
was heard ("🎤 « ... »", so she can correct it) and then answers as if she had typed it, without the hesitations
of speech ("euh", "o sea", "you know": transcripts.py), through the same `Engine.handle` a typed message takes:
a question is answered, an onboarding step answered, a pending choice ("sí", "oui") chosen. A note it cannot
use (too long or too short, silent, unintelligible, in another language, unreadable) gets one polite reply in
her language asking her to type or send another note. A transcript Whisper was unsure of (confidence under
`confirm_below`, MENTOR_VOICE_CONFIRM_CONFIDENCE) that would be answered as a question is first put to her:
"is that what you said?", Yes/No (voice_confirm.py). Her language is the one she chose when known; otherwise
the transcriber picks the likeliest of fr/es/en, with her channel's guess (a WhatsApp calling code, Telegram's
app language) as a prior. The audio is only read here, never stored or logged; the transcript is stored (or not)
exactly like typed text, so consent and /forget cover it.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from assistant.config import SUPPORTED_LANGUAGES, VOICE_CONFIRM_CONFIDENCE
from assistant.conversation.engine import Engine
from assistant.conversation.transcripts import as_typed
from assistant.conversation.types import Message, Reply
from assistant.errors import AudioError
from assistant.phrases import phrase
from assistant.speech import Transcriber, Transcript
from assistant.storage import pseudonym

log = logging.getLogger(__name__)

# Why a note is unusable -> what she is told. The AudioError reasons, and "not_received" for a note her
# channel could not fetch (the channel adapters say it).
REFUSALS = {
    "too_long": "voice_too_long",
    "too_large": "voice_too_long",
    "too_short": "voice_too_short",
    "silent": "voice_silent",
    "unintelligible": "voice_unreadable",
    "other_language": "voice_other_language",
    "unreadable": "voice_unreadable",
    "unavailable": "voice_unavailable",
    "not_received": "voice_not_received",
}


class VoiceNotes:
    """Voice note → transcript → the engine's replies, with the echo of what was heard first."""

    def __init__(
        self,
        engine: Engine,
        transcriber: Transcriber | None,
        max_seconds: float,
        confirm_below: float | None = None,
    ) -> None:
        self.engine = engine
        self.transcriber = transcriber
        self.max_seconds = max_seconds
        # A question heard with less confidence is confirmed before it is answered (None: the setting's default).
        self.confirm_below = VOICE_CONFIRM_CONFIDENCE if confirm_below is None else confirm_below

    @property
    def available(self) -> bool:
        """False when no transcriber is configured (MENTOR_ASR_MODEL=off): the channel need not fetch."""
        if self.transcriber is None:
            return False
        return bool(getattr(self.transcriber, "available", True))

    def screen(self, message: Message) -> Reply | None:
        """The refusal for a note that need not even be fetched (no transcriber; a payload that says it is
        too long), else None."""
        ref = message.voice
        if not self.available:
            return self.refusal(message, "unavailable")
        if ref is not None and ref.duration_s is not None and ref.duration_s > self.max_seconds:
            return self.refusal(message, "too_long")
        return None

    def handle(self, message: Message, audio: bytes) -> list[Reply]:
        """Transcribe (her preferred language when known), then the echo and the replies to the transcript;
        an unusable note gets one polite Reply in her language."""
        known = self.engine.known_language(message.channel, message.user_id)
        try:
            transcript = self._transcribe(message, audio, known)
        except AudioError as exc:
            log.info("voice note from %s not usable: %s", pseudonym(message.channel, message.user_id), exc.reason)
            return [self.refusal(message, exc.reason, known)]
        said = as_typed(transcript.text)  # "euh", "o sea", "you know" are not searched nor read as her answer
        unsure = transcript.confidence < self.confirm_below
        if unsure:
            who = pseudonym(message.channel, message.user_id)
            log.info("voice note from %s heard with confidence %.2f: unsure", who, transcript.confidence)
        typed = replace(
            message, text=said, media=None, voice=None, language_hint=transcript.language, confirm_heard=unsure
        )
        replies = self.engine.handle(typed)
        lang = known or (replies[0].language if replies else None) or transcript.language
        echo = Reply(phrase("voice_heard", lang, text=transcript.text), language=lang)
        return [echo, *replies]

    def _transcribe(self, message: Message, audio: bytes, language: str | None) -> Transcript:
        if self.transcriber is None:
            raise AudioError("speech recognition is off", "unavailable")
        ref = message.voice
        if ref is not None and ref.duration_s is not None and ref.duration_s > self.max_seconds:
            raise AudioError(f"a {ref.duration_s:.0f} s note, over {self.max_seconds:.0f} s", "too_long")
        if not audio:
            raise AudioError("an empty file", "unreadable")
        transcript = self.transcriber.transcribe(audio, language, hint=None if language else _hint(message, None))
        if transcript.duration_s > self.max_seconds:
            raise AudioError(f"a {transcript.duration_s:.0f} s note, over {self.max_seconds:.0f} s", "too_long")
        if not transcript.text.strip():
            raise AudioError("nothing intelligible was heard", "silent")
        return transcript

    def refusal(self, message: Message, reason: str, known: str | None = None) -> Reply:
        """The polite reply for a note that cannot be used, in her language (else her channel's hint)."""
        lang = known or self.engine.known_language(message.channel, message.user_id) or _hint(message)
        key = REFUSALS.get(reason, "voice_unreadable")
        if key == "voice_too_long":
            return Reply(phrase(key, lang, limit=_limit(self.max_seconds)), language=lang)
        return Reply(phrase(key, lang), language=lang)


def _hint(message: Message, default: str | None = "en") -> str | None:
    """Her channel's guess at her language (calling code, app language) when it is one of ours."""
    hint = (message.language_hint or "").split("-")[0].lower()
    return hint if hint in SUPPORTED_LANGUAGES else default


def _limit(seconds: float) -> str:
    """The longest note, as the refusal says it: "2 min", "90 s"."""
    return f"{seconds / 60:g} min" if seconds >= 60 and seconds % 60 == 0 else f"{seconds:g} s"
