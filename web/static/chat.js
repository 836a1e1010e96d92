// The web chat: posts each message to /chat/api/messages (a voice note, an audio file she picks or
// records, to /chat/api/voice) and shows the replies with their buttons; polls /chat/api/updates for
// replies from the programme team. No framework, no build step.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const voice = document.getElementById("voice");
  let lastStaffId = 0;
  let busy = false;

  function newId() {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function bubble(kind, text, language) {
    const item = document.createElement("li");
    item.className = "msg " + kind;
    if (language) item.lang = language;
    item.textContent = text;
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
    return item;
  }

  function showReply(reply) {
    const item = bubble("bot", reply.text, reply.language);
    if (reply.buttons && reply.buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const b of reply.buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.dataset.id = b.id;
        button.addEventListener("click", () => {
          row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
          send({ text: b.title, button_id: b.id }, b.title);
        });
        row.appendChild(button);
      }
      item.appendChild(row);
    }
  }

  function send(body, shown) {
    const payload = JSON.stringify(Object.assign({ message_id: newId() }, body));
    return post(shown, () => ["/chat/api/messages", "application/json", payload]);
  }

  function sendAudio(file) {
    const id = newId();
    return post("🎤 " + file.name, () => ["/chat/api/voice?message_id=" + id, file.type || "application/octet-stream", file]);
  }

  async function post(shown, request) {
    if (busy) return;
    busy = true;
    bubble("me", shown);
    const [url, type, body] = request();
    for (let attempt = 0; attempt < 3; attempt++) {  // the same message_id: a retry is never answered twice
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": type, Accept: "application/json" },
          body: body,
        });
        const data = await response.json();
        if (!response.ok) {
          bubble("error", data.message || "Something went wrong.");
        } else {
          data.replies.forEach(showReply);
        }
        break;
      } catch (err) {
        if (attempt === 2) bubble("error", "The connection failed; please try again.");
        else await new Promise((r) => setTimeout(r, 800 * (attempt + 1)));
      }
    }
    busy = false;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    send({ text: text }, text);
  });
  voice.addEventListener("change", () => {
    const file = voice.files && voice.files[0];
    voice.value = "";
    if (file && !busy) sendAudio(file);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  async function poll() {
    try {
      const response = await fetch("/chat/api/updates?after=" + lastStaffId, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        for (const m of data.messages) { bubble("staff", m.text); lastStaffId = Math.max(lastStaffId, m.id); }
      }
    } catch (err) { /* offline for a moment: the next poll catches up */ }
    setTimeout(poll, 5000);
  }
  poll();
})();
