"""`/profile` in the chat: her profile shown in her language (names, never codes), and one field edited.

A mixin of the engine's turn (assistant/conversation/engine.py), like the other `*Turn` classes: it reads the
turn's `participant`, `state`, `say` and `ask_step`.
"""

from __future__ import annotations

from assistant.conversation.onboarding import MODALITIES, STAGES, STEPS, profile_field
from assistant.conversation.spoken import language_name
from assistant.conversation.types import Reply


class ProfileTurn:
    """`/profile` and `/profile <field>`."""

    def profile(self, field: str) -> list[Reply]:
        if not self.consented or self.participant is None:
            return [Reply(self.say("profile_none"))]
        fields = ", ".join(self.say(f"field_{f}").lower() for f in STEPS)
        if field:
            step = profile_field(field)
            if step is None:
                return [Reply(self.say("profile_unknown_field", fields=fields))]
            self.state.update(step=step, mode="edit", answers={})
            self.save()
            return [self.ask_step()]
        shown = Reply(self.profile_text() + "\n\n" + self.say("profile_edit_hint", fields=fields))
        if self.state.get("mode") == "onboarding" and self.state.get("step"):
            return [shown, self.ask_step()]  # mid-onboarding: the question she was at, again
        return [shown]

    def profile_text(self) -> str:
        p = self.participant
        if p is None:
            return self.say("profile_none")
        values = {"name": p.name, "country": p.country, "languages": p.languages, **p.profile}
        if self.state.get("mode") == "onboarding":  # what she answered so far, kept when the onboarding ends
            values.update({k: v for k, v in (self.state.get("answers") or {}).items() if v not in (None, "", [])})
        if values.get("city") and isinstance(values.get("country"), str):
            values["country"] = f"{values['country']} ({values['city']})"
        lines = [self.say("profile_header")]
        for field in STEPS:
            lines.append(
                self.say(
                    "profile_line", field=self.say(f"field_{field}"), value=self.show_value(field, values.get(field))
                )
            )
        return "\n".join(lines)

    def show_value(self, field: str, value: object) -> str:
        """A profile value as she reads it: names in her language, never a code."""
        if value in (None, "", []):
            return "—"
        if isinstance(value, dict):  # the country step's answer: her country and city
            return f"{value['country']} ({value['city']})" if value.get("city") else str(value["country"])
        if field == "languages":
            return ", ".join(language_name(code, self.lang) for code in value)
        if field == "timezone":
            return self.show_zone(str(value))
        if field == "stage" and value in STAGES:
            return self.say(f"stage_{value}")
        if field == "modality" and value in MODALITIES:
            return self.say(f"modality_{value}")
        return str(value)
