// briefing serve: reloads a page when its document changes, and the translator's view
// (hover a text for its msgctxt and state; click it to see and edit its translation).
// Data comes from the page's JSON (never run as code); everything shown is set as text.
(function () {
  "use strict";
  const meta = (name) => {
    const m = document.querySelector('meta[name="briefing-' + name + '"]');
    return m ? m.content : null;
  };
  const token = meta("token"), key = meta("key"), version = meta("version"), generation = meta("generation");
  const lang = meta("lang"), brief = meta("brief");
  const dataNode = document.getElementById("b-texts");
  const texts = dataNode ? JSON.parse(dataNode.textContent) : {};
  const docDir = document.documentElement.getAttribute("dir") || "ltr";
  const SAVED = "briefing-view:" + location.pathname + location.search;
  let current = null; // the msgctxt shown in the panel
  let reloading = false;

  function reload() {
    if (reloading) return;
    reloading = true;
    sessionStorage.setItem(SAVED, JSON.stringify({ y: window.scrollY, panel: current }));
    location.reload();
  }

  function outdated(data) {
    if (key) {
      const v = data.docs ? data.docs[key] : undefined;
      return v === undefined ? false : String(v) !== version;
    }
    return generation !== null && String(data.generation) !== generation;
  }

  // --- live reload: server-sent events -----------------------------------------------------
  if (window.EventSource) {
    const events = new EventSource("/events");
    events.addEventListener("versions", (e) => {
      if (outdated(JSON.parse(e.data))) reload();
    });
  }

  // --- small DOM helpers (text only) ---------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  // --- hover: msgctxt and state ----------------------------------------------------------------
  const tip = document.getElementById("b-tip");
  function showTip(span, event) {
    const info = texts[span.dataset.ctx];
    if (!tip || !info) return;
    tip.replaceChildren(
      el("div", { class: "b-tip-ctx", text: span.dataset.ctx }),
      el("div", { text: info.state + (info.po ? " · " + info.po + (info.line ? ":" + info.line : "") : "") }),
      el("div", { text: "English: " + (info.msgid.length > 160 ? info.msgid.slice(0, 159) + "…" : info.msgid) })
    );
    tip.hidden = false;
    const x = Math.min(event.clientX + 12, window.innerWidth - 400);
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.min(event.clientY + 16, window.innerHeight - 90) + "px";
  }
  document.addEventListener("mouseover", (e) => {
    const span = e.target.closest ? e.target.closest("[data-ctx]") : null;
    if (span) showTip(span, e);
    else if (tip) tip.hidden = true;
  });

  // --- click: the side panel -------------------------------------------------------------------
  const panel = document.getElementById("b-panel");

  function openPanel(ctx) {
    const info = texts[ctx];
    if (!panel || !info) return;
    current = ctx;
    document.querySelectorAll(".b-selected").forEach((n) => n.classList.remove("b-selected"));
    document.querySelectorAll("[data-ctx]").forEach((n) => {
      if (n.dataset.ctx === ctx) n.classList.add("b-selected");
    });
    const close = el("button", { class: "b-close", type: "button", title: "close", text: "×" });
    close.addEventListener("click", () => {
      panel.hidden = true;
      document.documentElement.classList.remove("b-panel-open");
      current = null;
      document.querySelectorAll(".b-selected").forEach((n) => n.classList.remove("b-selected"));
    });
    const why = el("ul");
    for (const reason of info.why || []) why.append(el("li", { text: reason }));
    const list = el("dl", {},
      el("dt", { text: "Context (msgctxt)" }), el("dd", {}, el("code", { class: "b-ctx", text: ctx })),
      el("dt", { text: "State" }), el("dd", {}, el("span", { class: "b-state b-" + info.state, text: info.state }), why),
      el("dt", { text: "English (msgid)" }), el("dd", { class: "b-msgid", dir: "ltr", text: info.msgid }),
      info.previous ? el("dt", { text: "Previous English" }) : null,
      info.previous ? el("dd", { dir: "ltr", text: info.previous }) : null,
      el("dt", { text: "Current translation" }),
      el("dd", { class: "b-current", dir: "auto", text: info.translation || "(none)" }),
      info.po ? el("dt", { text: "Catalog" }) : null,
      info.po ? el("dd", {}, el("code", { class: "b-po", text: info.po + (info.line ? ":" + info.line : "") })) : null,
      el("dt", { text: "In the brief" }), el("dd", {}, el("code", { text: info.source }))
    );
    panel.replaceChildren(el("h2", {}, close, "Text"), list);
    if (info.editable) panel.append(editor(ctx, info));
    panel.hidden = false;
    document.documentElement.classList.add("b-panel-open");
  }

  function editor(ctx, info) {
    const form = el("form", { class: "b-edit" });
    const area = el("textarea", { name: "msgstr", dir: docDir, lang: lang || "" });
    area.value = info.translation || "";
    const fuzzy = el("input", { type: "checkbox", name: "clear_fuzzy" });
    fuzzy.checked = true;
    const fuzzyLabel = info.state === "fuzzy"
      ? el("label", {}, fuzzy, " clear fuzzy (the translation is done)") : null;
    const status = el("div", { class: "b-status", role: "status" });
    const save = el("button", { class: "b-save", type: "submit", text: "Save to " + info.po });
    form.append(...[el("label", { text: "Translation" }), area, fuzzyLabel, save, status].filter(Boolean));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      save.disabled = true;
      status.className = "b-status";
      status.textContent = "saving…";
      try {
        const response = await fetch("/api/translation", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Briefing-Token": token },
          body: JSON.stringify({
            lang: lang, brief: brief, ctx: ctx, msgid: info.msgid, msgstr: area.value,
            expected: info.translation || "", clear_fuzzy: info.state !== "fuzzy" || fuzzy.checked,
          }),
        });
        const result = await response.json();
        if (result.ok) {
          status.className = "b-status b-good";
          status.textContent = "saved: updating the page…";
          if (outdated(result.versions)) reload();
        } else {
          status.className = "b-status b-bad";
          status.replaceChildren(el("div", { text: "not saved:" }));
          for (const p of result.problems || []) {
            status.append(el("div", { class: "b-problem-text",
              text: (p.where ? p.where + ": " : "") + p.message + (p.hint ? " (" + p.hint + ")" : "") }));
          }
        }
      } catch (err) {
        status.className = "b-status b-bad";
        status.textContent = "not saved: the server cannot be reached";
      } finally {
        save.disabled = false;
      }
    });
    return form;
  }

  document.addEventListener("click", (e) => {
    if (!e.target.closest || e.target.closest(".b-panel, .b-bar, .b-warnings")) return;
    const span = e.target.closest("[data-ctx]");
    if (!span) return;
    e.preventDefault();
    openPanel(span.dataset.ctx);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.dataset && e.target.dataset.ctx) openPanel(e.target.dataset.ctx);
  });

  // --- after a reload: the same place, the same text open ----------------------------------------
  const saved = sessionStorage.getItem(SAVED);
  if (saved) {
    sessionStorage.removeItem(SAVED);
    try {
      const view = JSON.parse(saved);
      if (view.panel) openPanel(view.panel);
      window.scrollTo(0, view.y || 0);
    } catch (err) { /* an old entry: ignore */ }
  }
  document.documentElement.dataset.briefingReady = "1";
})();
