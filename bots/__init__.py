"""Channel adapters: Telegram and WhatsApp turn their payloads into `assistant.Message`s and render the
engine's `Reply`s their own way. They import only the assistant's public names (`from assistant import ...`)."""
