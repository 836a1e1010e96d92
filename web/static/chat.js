// The web chat: posts each message to /chat/api/messages (a voice note, an audio file she picks or records,
// to /chat/api/voice) and shows the replies with their buttons and their
// sources (links to the guides); polls /chat/api/updates for replies from the programme team. The
// conversation is kept on her device (localStorage), so a reload or a return visit shows it again; the page's
// own words follow the language she chose (the strings come with the page, in the three languages). A
// typing indicator shows while she waits; what she sends meanwhile waits its turn (shown at once, sent when
// the answer before it has come), and a typed message still waiting is kept with the conversation, so a
// reload sends it (with the same message_id: never answered twice). Links in an answer are links (built as DOM nodes: no HTML from the
// server is ever parsed). No framework, no build step, nothing inline (the page's CSP).
"use strict";
(function () {
  const STORE = "mentor-chat-v1";
  const KEEP = 200; // entries kept on her device
  const main = document.querySelector("main.chat");
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const strings = JSON.parse(document.getElementById("chat-strings").textContent);
  const LANGUAGES = { fr: "Français", es: "Español", en: "English" };
  let lang = main.dataset.lang || "en";
  let busy = false;
  const waiting = [];  // messages she sent while an answer was pending, in order
  let saved = load();

  // -- her device's copy of the conversation ----------------------------------------------------------------

  function load() {
    try {
      const data = JSON.parse(window.localStorage.getItem(STORE) || "null");
      if (data && Array.isArray(data.entries)) return data;
    } catch (err) { /* no storage (a private window): the conversation lasts as long as the page */ }
    return { entries: [], lastStaffId: 0, lang: null };
  }

  function save() {
    saved.entries = saved.entries.slice(-KEEP);
    try { window.localStorage.setItem(STORE, JSON.stringify(saved)); } catch (err) { /* full or off */ }
  }

  // -- the page's own words ------------------------------------------------------------------------------------

  function t(key) { return (strings[lang] || strings.en)[key] || strings.en[key] || ""; }

  function applyLanguage(code) {
    if (!strings[code]) return;
    lang = code;
    document.documentElement.lang = code;
    document.title = t("chat_title");
    document.querySelectorAll("[data-s]").forEach((el) => { el.textContent = t(el.dataset.s); });
    document.querySelectorAll("[data-s-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.sPlaceholder); });
    document.querySelectorAll("[data-s-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.sLabel)); });
    document.querySelectorAll("[data-s-title]").forEach((el) => { el.title = t(el.dataset.sTitle); });
    grow();  // the new placeholder may wrap differently
  }

  // -- emoji: drawn by the device's emoji font, or replaced by text where it has none ---------------------------

  const EMOJI = /\p{Extended_Pictographic}(?:\u200d\p{Extended_Pictographic}|[\u{1F3FB}-\u{1F3FF}\uFE0F])*/gu;
  const EMOJI_TEXT = { "👍": "(+)", "👎": "(−)", "🎤": "(audio)" };
  const colourEmoji = (function () {
    try {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 24;
      const ctx = canvas.getContext("2d");
      ctx.textBaseline = "top";
      ctx.font = "20px 'Apple Color Emoji','Segoe UI Emoji','Noto Color Emoji',sans-serif";
      ctx.fillText("👍", 0, 0);
      const px = ctx.getImageData(0, 0, 24, 24).data;
      for (let i = 0; i < px.length; i += 4) {
        if (px[i + 3] && (Math.abs(px[i] - px[i + 1]) > 8 || Math.abs(px[i + 1] - px[i + 2]) > 8)) return true;
      }
      return false;
    } catch (err) { return true; }
  })();
  if (!colourEmoji) {
    document.documentElement.classList.add("no-emoji");
    const mic = document.querySelector("label.voice");  // the voice-note button: a word instead of 🎤
    if (mic && mic.firstChild && mic.firstChild.nodeType === Node.TEXT_NODE) mic.firstChild.textContent = "Audio";
  }

  function shown(text) {
    if (colourEmoji || !text) return text;
    return text.replace(EMOJI, (e) => EMOJI_TEXT[e.replace(/[\u{1F3FB}-\u{1F3FF}\uFE0F]/gu, "")] || "")
      .replace(/ {2,}/g, " ").replace(/^ /gm, "");
  }

  // -- drawing --------------------------------------------------------------------------------------------------

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function draw(entry) {
    const item = document.createElement("li");
    item.className = "msg " + entry.kind;
    if (entry.language) item.lang = entry.language;
    if (entry.pending) item.classList.add("queued");
    const body = document.createElement("div");
    body.className = "text";
    linked(body, shown(entry.text));
    item.appendChild(body);
    if (entry.sources && entry.sources.length) item.appendChild(sourceList(entry));
    if (entry.buttons && entry.buttons.length) item.appendChild(buttonRow(entry));
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  // http(s) addresses, and the app's own guide and resource pages ("/guides/...", "/resources/...") at the
  // start of a word; the punctuation that ends a sentence is not part of the address. (No lookbehind: older
  // phone browsers cannot parse it, and the whole script would not run.)
  const LINK = /\b(https?:\/\/[^\s<>"«»]+)|(^|[\s(«"'])(\/(?:guides|resources)\/[^\s<>"«»]+)/g;
  const TRAILING = /[.,;:!?)\]}'’]+$/;

  function linked(element, text) {  // text nodes and <a> elements only: nothing is read as HTML
    element.replaceChildren();
    if (!text) return;
    let last = 0;
    for (const match of text.matchAll(LINK)) {
      const start = match[1] ? match.index : match.index + match[2].length;
      const url = (match[1] || match[3]).replace(TRAILING, "");
      if (!url) continue;
      element.append(text.slice(last, start));
      const a = document.createElement("a");
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.textContent = url;
      element.appendChild(a);
      last = start + url.length;
    }
    element.append(text.slice(last));
  }

  function sourceList(entry) {
    const list = document.createElement("ol");
    list.className = "sources";
    list.setAttribute("aria-label", (strings[entry.language] || strings[lang] || strings.en).sources || "Sources");
    for (const s of entry.sources) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = s.url;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = "[" + s.n + "] " + s.title;
      li.appendChild(a);
      list.appendChild(li);
    }
    return list;
  }

  function buttonRow(entry) {
    const row = document.createElement("div");
    row.className = "buttons";
    for (const b of entry.buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = shown(b.title);
      if (button.textContent !== b.title) button.setAttribute("aria-label", b.title);
      button.dataset.id = b.id;
      button.disabled = Boolean(entry.used);
      button.addEventListener("click", () => {  // pressed while an answer is pending: sent after it
        if (entry.used) return;
        entry.used = true;
        row.querySelectorAll("button").forEach((x) => { x.disabled = true; });
        save();
        send({ text: b.title, button_id: b.id }, b.title, entry.welcome && b.id.startsWith("lang:"));
      });
      row.appendChild(button);
    }
    return row;
  }

  function add(entry) {
    saved.entries.push(entry);
    save();
    return draw(entry);
  }

  function typing() {
    const item = document.createElement("li");
    item.className = "msg bot typing";
    const dots = document.createElement("span");
    dots.className = "dots";
    dots.setAttribute("aria-hidden", "true");
    dots.textContent = "• • •";
    const label = document.createElement("span");
    label.className = "visually-hidden";
    label.textContent = t("chat_typing");
    item.append(dots, label);
    log.appendChild(item);
    scrollToEnd();
    return item;
  }

  function welcome() {
    const buttons = Object.keys(LANGUAGES).map((code) => ({ id: "lang:" + code, title: LANGUAGES[code] }));
    add({ kind: "bot", text: t("chat_welcome"), language: lang, buttons: buttons, welcome: true });
  }

  // -- talking to the server ------------------------------------------------------------------------------------

  function newId() {
    const bytes = new Uint8Array(8);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function send(body, text, greetAfter) {
    const payload = JSON.stringify(Object.assign({ message_id: newId() }, body));
    return exchange(text, "/chat/api/messages", "application/json", payload, greetAfter);
  }

  function sendAudio(file) {
    const url = "/chat/api/voice?message_id=" + newId();
    return exchange("🎤 " + file.name, url, file.type || "application/octet-stream", file, false);
  }

  async function exchange(text, url, type, body, greetAfter) {
    const entry = { kind: "me", text: text };
    if (!busy) {
      add(entry);
      await talk(url, type, body, greetAfter);
      return;
    }
    // an answer is pending: this one goes when it has come; kept on her device until then (a voice note's
    // file cannot be, and goes only if the page stays open)
    const request = { url: url, type: type, body: body, greetAfter: greetAfter };
    if (typeof body === "string") entry.pending = request;
    const mine = add(entry);
    mine.classList.add("queued");
    waiting.push(Object.assign({ item: mine, entry: entry }, request));
  }

  async function talk(url, type, body, greetAfter, entry) {
    busy = true;
    const indicator = typing();
    let data = null;
    let problem = null;
    for (let attempt = 0; attempt < 3; attempt++) {  // the same message_id: a retry is never answered twice
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": type, Accept: "application/json" },
          body: body,
        });
        const json = await response.json();
        if (response.ok) data = json; else problem = json.message || t("chat_failed");
        break;
      } catch (err) {
        if (attempt === 2) problem = t("chat_connection_failed");
        else await new Promise((r) => setTimeout(r, 800 * (attempt + 1)));
      }
    }
    indicator.remove();
    if (entry) delete entry.pending;  // answered (or failed): a reload does not send it again
    if (data) receive(data, greetAfter); else add({ kind: "error", text: problem });
    save();
    busy = false;
    await next();
  }

  async function next() {  // the oldest message waiting its turn, if any
    const queued = waiting.shift();
    if (!queued) return;
    queued.item.classList.remove("queued");
    await talk(queued.url, queued.type, queued.body, queued.greetAfter, queued.entry);
  }

  function receive(data, greetAfter) {
    if (data.forgotten) {  // everything about her was deleted: so is the copy on her device
      saved = { entries: [], lastStaffId: saved.lastStaffId, lang: null };
      log.replaceChildren();
      for (const w of waiting) {  // sent after the deletion: still hers to see, and still to send
        log.appendChild(w.item);
        saved.entries.push(w.entry);
      }
    }
    if (data.page_language && data.page_language !== lang) applyLanguage(data.page_language);
    if (data.page_language) saved.lang = data.page_language;
    for (const r of data.replies) {
      add({ kind: "bot", text: r.text, language: r.language, buttons: r.buttons, sources: r.sources });
    }
    if (greetAfter) add({ kind: "bot", text: t("greeting"), language: lang });
    save();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;  // sent now, or as soon as the pending answer has come
    input.value = "";
    grow();
    send({ text: text }, text, false);
  });
  const voice = document.getElementById("voice");
  voice.addEventListener("change", () => {
    const file = voice.files && voice.files[0];
    voice.value = "";
    if (file) sendAudio(file);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  function grow() {  // the box grows with her text, up to a few lines, and the newest message stays in view
    input.style.height = "auto";
    const borders = input.offsetHeight - input.clientHeight;  // the box's height counts its border, scrollHeight not
    input.style.height = Math.min(input.scrollHeight + borders, 144) + "px";
    scrollToEnd();
  }
  input.addEventListener("input", grow);
  grow();  // on a narrow phone the placeholder wraps: the empty box shows all of it
  input.addEventListener("focus", () => setTimeout(scrollToEnd, 300));  // after the keyboard opened
  if (window.visualViewport) window.visualViewport.addEventListener("resize", scrollToEnd);

  async function poll() {
    try {
      const response = await fetch("/chat/api/updates?after=" + saved.lastStaffId, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        for (const m of data.messages) {
          add({ kind: "staff", text: m.text });
          saved.lastStaffId = Math.max(saved.lastStaffId, m.id);
        }
        save();
      }
    } catch (err) { /* offline for a moment: the next poll catches up */ }
    setTimeout(poll, 5000);
  }

  // -- start: her language, then what she saw last time (or the language choice) ------------------------------
  const chosen = main.dataset.chosen || saved.lang;
  if (chosen) applyLanguage(chosen);
  if (saved.entries.length) {
    saved.entries.forEach((entry) => {
      const item = draw(entry);
      if (entry.pending) waiting.push(Object.assign({ item: item, entry: entry }, entry.pending));
    });
  } else if (!main.dataset.chosen) welcome();
  else add({ kind: "bot", text: t("greeting"), language: lang });
  next();  // what she typed before a reload, while an answer was pending
  poll();
})();
