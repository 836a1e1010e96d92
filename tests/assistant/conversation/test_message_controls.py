"""What any channel hands the engine holds no NUL or other control character (issue 19, point 9): the
signed webhooks (WhatsApp, Telegram) are not refused, their messages are cleaned here, the same for every
channel and database."""

from __future__ import annotations

from assistant.conversation import Message


def test_control_characters_are_stripped_and_lines_kept():
    message = Message(
        "telegram", "12\x0034", "Hello\x00 there\x1b[31m\nsecond line\tend\r\n", "u\x07pd", button_id="vote:\x00up"
    )
    assert message.text == "Hello there[31m\nsecond line\tend\r\n"
    assert (message.user_id, message.message_id, message.button_id) == ("1234", "upd", "vote:up")


def test_a_clean_message_is_unchanged():
    message = Message("whatsapp", "22177", "¿Cómo obtengo un préstamo? 😊", "wamid.1", language_hint="es-BO")
    assert (message.text, message.user_id, message.language_hint) == (
        "¿Cómo obtengo un préstamo? 😊",
        "22177",
        "es-BO",
    )
