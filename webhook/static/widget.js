/*! faqbot web chat widget. One file, no dependencies, no build step.
 *
 * Embed:  <script src="https://BOT/widget.js" defer></script>
 * Options (on the script tag): data-title, data-color (#rgb or #rrggbb),
 * data-position (right | left), data-open (open the chat on the first visit).
 * API:    faqbot.open(), faqbot.close(), faqbot.send(text)
 *
 * The bot's address is the script's own. Everything the visitor or the bot
 * writes is inserted with textContent, never as HTML. The conversation lives in
 * sessionStorage, so it survives reloads and navigation within the site and is
 * gone when the tab closes. Styles live in the element's shadow root, adopted as
 * a constructed stylesheet, so the page's CSS and the widget's never meet and a
 * strict Content-Security-Policy (no 'unsafe-inline', no 'unsafe-eval') is fine.
 */
(function () {
  "use strict";
  if (window.faqbot || !window.customElements || !document.currentScript) return;

  var SCRIPT = document.currentScript;
  var BOT = new URL(".", SCRIPT.src).href;
  var STORAGE_KEY = "faqbot:" + BOT;
  var TIMEOUT_MS = 20000;
  var DEFAULT_COLOR = "#0b5cad";
  var INK = "#1d2733";
  var PHONE = /(?<![\d+])(\+?1[\s.-]?)?(\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}\b|\b(911|988)\b/g;
  var SOURCE_PREFIX = "Source: ";
  var FOCUSABLE = "button:not([disabled]), a[href], input:not([disabled])";

  var CSS = [
    ":host { all: initial !important; display: contents !important; }",
    ".fb { all: initial; display: contents; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: " + INK + "; }",
    ".fb *, .fb *::before, .fb *::after { box-sizing: border-box; }",
    "[hidden] { display: none !important; }",
    ".sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "button, input { font: inherit; color: inherit; margin: 0; }",
    "button { cursor: pointer; }",
    ":focus-visible { outline: 3px solid var(--fb-focus); outline-offset: 2px; }",
    ".launcher { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 8px;",
    "  padding: 12px 18px; border: 0; border-radius: 999px; background: var(--fb-accent); color: var(--fb-on-accent);",
    "  font-weight: 600; font-size: 16px; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher svg { width: 22px; height: 22px; fill: currentColor; }",
    ".panel { position: fixed; bottom: 20px; right: 20px; z-index: 2147483001; display: flex; flex-direction: column;",
    "  width: 380px; max-width: calc(100vw - 40px); height: 600px; max-height: calc(100vh - 40px); background: #fff;",
    "  border-radius: 12px; box-shadow: 0 8px 32px rgba(0,0,0,.3); overflow: hidden; animation: fb-in .18s ease-out; }",
    ".left .launcher, .left .panel { right: auto; left: 20px; }",
    "@keyframes fb-in { from { opacity: 0; transform: translateY(12px); } to { opacity: 1; transform: none; } }",
    ".header { display: flex; align-items: center; gap: 6px; padding: 10px 10px 10px 16px; background: var(--fb-accent); color: var(--fb-on-accent); }",
    ".heading { flex: 1; min-width: 0; }",
    "h2 { margin: 0; font-size: 16px; font-weight: 700; overflow-wrap: anywhere; }",
    ".subtitle { margin: 0; font-size: 13px; }",
    ".header button { background: transparent; border: 1px solid currentColor; border-radius: 6px; padding: 4px 8px; font-size: 13px; }",
    ".header .close { border-color: transparent; font-size: 22px; line-height: 1; padding: 2px 8px; }",
    ".header :focus-visible { outline-color: currentColor; }",
    ".log { flex: 1; overflow-y: auto; padding: 12px; background: #f4f6f8; overscroll-behavior: contain; }",
    ".msg { max-width: 88%; margin: 0 0 10px; padding: 9px 12px; border-radius: 12px; overflow-wrap: anywhere; }",
    ".msg p { margin: 0; white-space: pre-line; }",
    ".msg p + p { margin-top: 8px; }",
    ".bot { background: #fff; border: 1px solid #d5dde6; border-bottom-left-radius: 4px; }",
    ".user { margin-left: auto; background: var(--fb-accent); color: var(--fb-on-accent); border-bottom-right-radius: 4px; }",
    ".user.unsent { background: #fff; color: " + INK + "; border: 2px dashed #b3261e; }",
    ".bot a, .notice a { color: var(--fb-link); }",
    ".source { font-size: 13px; color: #4a5868; font-style: italic; }",
    ".status { margin-top: 6px; font-size: 13px; color: #b3261e; font-weight: 600; }",
    ".status button { background: #fff; color: #b3261e; border: 1px solid #b3261e; border-radius: 6px; padding: 2px 10px; margin-left: 6px; }",
    ".pending { opacity: .75; }",
    ".replies { display: flex; flex-wrap: wrap; gap: 6px; margin: -2px 0 12px; }",
    ".replies button { background: #fff; color: var(--fb-link); border: 1px solid var(--fb-link); border-radius: 999px; padding: 5px 12px; font-size: 14px; text-align: left; }",
    ".replies button:hover { background: #eef3f8; }",
    ".typing { min-height: 0; padding: 0 12px; background: #f4f6f8; }",
    ".dots { display: inline-flex; gap: 4px; padding: 8px 12px; margin-bottom: 8px; background: #fff; border: 1px solid #d5dde6; border-radius: 12px; }",
    ".dots span { width: 7px; height: 7px; border-radius: 50%; background: #4a5868; animation: fb-blink 1.2s infinite ease-in-out; }",
    ".dots span:nth-child(2) { animation-delay: .2s; } .dots span:nth-child(3) { animation-delay: .4s; }",
    "@keyframes fb-blink { 0%, 80%, 100% { opacity: .3; } 40% { opacity: 1; } }",
    "form { display: flex; gap: 8px; padding: 10px 12px 6px; border-top: 1px solid #d5dde6; background: #fff; }",
    "input { flex: 1; min-width: 0; padding: 9px 12px; border: 1px solid #6b7785; border-radius: 8px; background: #fff; }",
    "input::placeholder { color: #5f6b78; }",
    ".send { padding: 9px 16px; border: 0; border-radius: 8px; background: var(--fb-accent); color: var(--fb-on-accent); font-weight: 600; }",
    ".consult { margin: 0 12px 10px; padding: 8px; border: 1px solid var(--fb-link); border-radius: 8px; background: #fff; color: var(--fb-link); font-weight: 600; }",
    ".notice { margin: 0; padding: 0 12px 8px; font-size: 12px; color: #4a5868; background: #fff; }",
    "@media (max-width: 480px) {",
    "  .panel, .left .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; }",
    "  .launcher, .left .launcher { bottom: 12px; right: 12px; left: auto; }",
    "  .left .launcher { left: 12px; right: auto; }",
    "}",
    "@media (prefers-reduced-motion: reduce) { .panel, .dots span { animation: none; } }",
  ].join("\n");

  function newId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") node.textContent = props[key];
      else if (key === "class") node.className = props[key];
      else if (key in node && key.indexOf("aria") !== 0) node[key] = props[key];
      else node.setAttribute(key, props[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  /** WCAG relative luminance of a #rrggbb colour. */
  function luminance(hex) {
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  /** The page's colour if it is a valid hex colour, as #rrggbb. */
  function accentColor(value) {
    var hex = (value || "").trim();
    if (/^#[0-9a-f]{3}$/i.test(hex)) hex = "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3];
    return /^#[0-9a-f]{6}$/i.test(hex) ? hex.toLowerCase() : DEFAULT_COLOR;
  }

  /** Bot text with phone numbers as tel: links, built node by node. */
  function withPhoneLinks(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(PHONE, function (match) {
      var at = arguments[arguments.length - 2];
      fragment.appendChild(document.createTextNode(text.slice(last, at)));
      var digits = match.replace(/[^\d+]/g, "");
      fragment.appendChild(el("a", { href: "tel:" + digits, text: match }));
      last = at + match.length;
      return match;
    });
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  var Store = {
    load: function () {
      try { return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null; } catch (e) { return null; }
    },
    save: function (state) {
      try { sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state)); } catch (e) { /* storage off: memory only */ }
    },
    clear: function () {
      try { sessionStorage.removeItem(STORAGE_KEY); } catch (e) { /* nothing stored */ }
    },
  };

  function freshState() {
    return { sender: "web-" + newId(), messages: [], open: false, greeted: false };
  }

  class FaqbotWidget extends HTMLElement {
    constructor() {
      super();
      this.root = this.attachShadow({ mode: "open" });
      this.state = Store.load() || freshState();
      this.config = null;
      this.queue = [];
      this.busy = false;
      this.nodes = new Map();
    }

    connectedCallback() {
      if (this.built) return;
      this.built = true;
      this.adoptStyles();
      this.build();
      this.state.messages.forEach(this.render, this);
      var resend = this.state.messages.filter(function (m) { return m.status === "pending"; });
      if (this.state.open || (this.hasAttribute("open") && !Store.load())) this.open();
      // Sent before a reload or a page change: the same id makes resending safe.
      resend.forEach(this.enqueue, this);
    }

    adoptStyles() {
      if (this.root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        this.root.adoptedStyleSheets = [sheet];
      } else {
        this.root.appendChild(el("style", { text: CSS }));
      }
    }

    build() {
      var accent = accentColor(this.getAttribute("color"));
      var onAccent = contrast(accent, "#ffffff") >= 4.5 ? "#ffffff" : "#111111";
      var link = contrast(accent, "#ffffff") >= 4.5 ? accent : INK;
      var left = this.getAttribute("position") === "left";
      this.frame = el("div", { class: "fb" + (left ? " left" : "") });
      this.frame.style.setProperty("--fb-accent", accent);
      this.frame.style.setProperty("--fb-on-accent", onAccent);
      this.frame.style.setProperty("--fb-link", link);
      this.frame.style.setProperty("--fb-focus", link);

      var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      icon.setAttribute("viewBox", "0 0 24 24");
      icon.setAttribute("aria-hidden", "true");
      var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
      icon.appendChild(path);
      this.launcher = el("button", { type: "button", class: "launcher", "aria-haspopup": "dialog", "aria-expanded": "false" },
        [icon, el("span", { text: "Chat with us" })]);
      this.launcher.addEventListener("click", this.open.bind(this));

      this.titleNode = el("h2", { id: "faqbot-title", text: this.getAttribute("chat-title") || "Chat" });
      var restart = el("button", { type: "button", text: "Start over" });
      restart.addEventListener("click", this.startOver.bind(this));
      var close = el("button", { type: "button", class: "close", "aria-label": "Close chat", text: "\u00d7" });
      close.addEventListener("click", this.close.bind(this));
      var header = el("div", { class: "header" }, [
        el("div", { class: "heading" }, [this.titleNode, el("p", { class: "subtitle", text: "Automated assistant" })]),
        restart, close,
      ]);

      this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
      this.typing = el("div", { class: "typing", role: "status" });
      this.input = el("input", { type: "text", id: "faqbot-input", autocomplete: "off", placeholder: "Type your question\u2026", maxLength: 2000 });
      var form = el("form", {}, [
        el("label", { class: "sr", htmlFor: "faqbot-input", text: "Your message" }),
        this.input,
        el("button", { type: "submit", class: "send", text: "Send" }),
      ]);
      form.addEventListener("submit", this.onSubmit.bind(this));
      this.consult = el("button", { type: "button", class: "consult", text: "Request a consultation" });
      this.consult.addEventListener("click", this.requestConsultation.bind(this));
      var notice = el("p", { class: "notice" }, [withPhoneLinks("General information, not medical advice. Emergency: call 911. Crisis: call or text 988.")]);

      this.panel = el("div", { class: "panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "faqbot-title", hidden: true },
        [header, this.log, this.typing, form, this.consult, notice]);
      this.panel.addEventListener("keydown", this.onKeydown.bind(this));
      this.frame.appendChild(this.launcher);
      this.frame.appendChild(this.panel);
      this.root.appendChild(this.frame);
    }

    /** The clinic's name and greeting, fetched once per page. */
    loadConfig() {
      if (this.configLoading) return this.configLoading;
      var self = this;
      this.configLoading = request("GET", BOT + "widget/config").then(function (config) {
        self.config = config;
        if (!self.getAttribute("chat-title")) self.titleNode.textContent = config.title;
        self.input.maxLength = config.max_message_chars;
        return config;
      }).catch(function (error) {
        self.configLoading = null;
        throw error;
      });
      return this.configLoading;
    }

    greet() {
      if (this.state.greeted) return;
      var self = this;
      this.loadConfig().then(function (config) {
        if (self.state.greeted) return;
        self.state.greeted = true;
        self.add({ id: "greeting", from: "bot", text: config.greeting.text, buttons: config.greeting.buttons });
      }).catch(function () {
        self.typing.textContent = "The assistant cannot be reached right now. You can still write: unsent messages can be retried.";
      });
    }

    open() {
      if (!this.built || !this.panel.hidden) return;
      this.panel.hidden = false;
      this.launcher.hidden = true;
      this.launcher.setAttribute("aria-expanded", "true");
      this.state.open = true;
      Store.save(this.state);
      this.loadConfig().catch(function () { /* greet() says so */ });
      this.greet();
      this.input.focus();
      this.log.scrollTop = this.log.scrollHeight;
    }

    close() {
      if (!this.built || this.panel.hidden) return;
      this.panel.hidden = true;
      this.launcher.hidden = false;
      this.launcher.setAttribute("aria-expanded", "false");
      this.state.open = false;
      Store.save(this.state);
      this.launcher.focus();
    }

    startOver() {
      Store.clear();
      this.state = freshState();
      this.state.open = true;
      this.queue = [];
      this.nodes.clear();
      this.log.textContent = "";
      this.typing.textContent = "";
      Store.save(this.state);
      this.greet();
      this.input.focus();
    }

    /** Send `text` as the visitor; `shown` is what the list shows (a button's title). */
    send(text, shown) {
      text = String(text == null ? "" : text);
      if (!this.built || !text.trim()) return;
      this.open();
      var message = { id: newId(), from: "user", text: text, status: "pending" };
      if (shown && shown !== text) message.shown = String(shown);
      this.add(message);
      this.enqueue(message);
    }

    onSubmit(event) {
      event.preventDefault();
      var text = this.input.value;
      if (!text.trim()) return;
      this.input.value = "";
      this.send(text);
      this.input.focus();
    }

    requestConsultation() {
      var self = this;
      this.loadConfig().then(function (config) {
        self.send(config.consultation.payload, config.consultation.title);
      }).catch(function () {
        self.typing.textContent = "The assistant cannot be reached right now. Please try again in a moment.";
      });
    }

    onKeydown(event) {
      if (event.key === "Escape") {
        event.preventDefault();
        this.close();
        return;
      }
      if (event.key !== "Tab") return;
      // The dialog keeps focus inside it, as a modal dialog does.
      var focusable = Array.prototype.filter.call(this.panel.querySelectorAll(FOCUSABLE + ", [tabindex='0']"), function (node) {
        return node.getClientRects().length > 0;
      });
      if (!focusable.length) return;
      var first = focusable[0], last = focusable[focusable.length - 1];
      var active = this.root.activeElement;
      if (event.shiftKey && (active === first || !this.panel.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !this.panel.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    }

    add(message) {
      this.state.messages.push(message);
      Store.save(this.state);
      this.render(message);
      this.log.scrollTop = this.log.scrollHeight;
    }

    enqueue(message) {
      if (this.queue.includes(message) || this.inFlight === message) return;
      message.status = "pending";
      delete message.error;
      this.render(message);
      this.queue.push(message);
      this.pump();
    }

    /** Messages go one at a time, so replies arrive in the order they were asked. */
    pump() {
      if (this.busy || !this.queue.length) return;
      this.busy = true;
      var self = this;
      var message = this.queue.shift();
      this.inFlight = message;
      this.showTyping(true);
      request("POST", BOT + "webhooks/rest/webhook", {
        sender: this.state.sender,
        message: message.text,
        metadata: { message_id: message.id },
      }).then(function (replies) {
        if (!self.state.messages.includes(message)) return; // started over meanwhile
        message.status = "sent";
        self.state.greeted = true; // the conversation has begun: no late greeting
        self.render(message);
        (replies || []).forEach(function (reply) {
          self.add({ id: newId(), from: "bot", text: reply.text || "", buttons: reply.buttons || [], custom: reply.custom || null });
        });
        // A long answer is read from its start: the question stays at the top.
        var asked = self.nodes.get(message.id);
        self.log.scrollTop = asked.offsetTop - self.log.offsetTop - 8;
      }).catch(function (error) {
        message.status = error.refused ? "refused" : "failed";
        if (error.refused) message.error = error.message;
        self.render(message);
        self.log.scrollTop = self.log.scrollHeight;
      }).then(function () {
        Store.save(self.state);
        self.showTyping(false);
        self.busy = false;
        self.inFlight = null;
        self.pump();
      });
    }

    showTyping(on) {
      this.typing.textContent = "";
      if (!on) return;
      this.typing.appendChild(el("span", { class: "sr", text: "The assistant is typing\u2026" }));
      this.typing.appendChild(el("span", { class: "dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]));
    }

    /** Draw one message (again, when its status changed) in its place in the list. */
    render(message) {
      var node = message.from === "bot" ? this.botNode(message) : this.userNode(message);
      var old = this.nodes.get(message.id);
      if (old) {
        old.replaceWith(node);
      } else {
        this.log.appendChild(node);
      }
      this.nodes.set(message.id, node);
    }

    userNode(message) {
      var classes = "msg user" + (message.status === "pending" ? " pending" : "") +
        (message.status === "failed" || message.status === "refused" ? " unsent" : "");
      var node = el("div", { class: classes }, [
        el("span", { class: "sr", text: "You said: " }),
        el("p", { text: message.shown || message.text }),
      ]);
      if (message.status === "failed") {
        var retry = el("button", { type: "button", text: "Retry" });
        retry.addEventListener("click", this.enqueue.bind(this, message));
        node.appendChild(el("p", { class: "status" }, [el("span", { text: "Not sent \u2014" }), retry]));
      } else if (message.status === "refused") {
        node.appendChild(el("p", { class: "status", text: "Not sent: " + (message.error || "the assistant refused this message.") }));
      }
      var wrapper = el("div", {}, [node]);
      return wrapper;
    }

    botNode(message) {
      var text = message.text;
      var source = null;
      var cut = text.lastIndexOf("\n\n" + SOURCE_PREFIX);
      if (cut >= 0 && message.custom && message.custom.source) {
        source = text.slice(cut + 2);
        text = text.slice(0, cut);
      }
      var bubble = el("div", { class: "msg bot" }, [
        el("span", { class: "sr", text: "Assistant said: " }),
        el("p", {}, [withPhoneLinks(text)]),
        source && el("p", { class: "source", text: source }),
      ]);
      var wrapper = el("div", {}, [bubble]);
      var buttons = message.buttons || [];
      if (buttons.length) {
        var self = this;
        wrapper.appendChild(el("div", { class: "replies", role: "group", "aria-label": "Suggested replies" },
          buttons.map(function (button) {
            var node = el("button", { type: "button", text: button.title });
            node.addEventListener("click", function () { self.send(button.payload, button.title); });
            return node;
          })));
      }
      return wrapper;
    }
  }

  /** JSON over fetch. Rejects with .refused for a 4xx the bot explained. */
  function request(method, url, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var init = { method: method, signal: controller.signal, credentials: "omit" };
    if (body !== undefined) {
      init.headers = { "Content-Type": "application/json" };
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (response.ok) return data;
        var error = new Error((data && data.error) || "HTTP " + response.status);
        // A 4xx other than "too many" will fail the same way again: no retry.
        error.refused = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
        throw error;
      });
    }).finally(function () { clearTimeout(timer); });
  }

  if (!customElements.get("faqbot-widget")) customElements.define("faqbot-widget", FaqbotWidget);
  var widget = document.createElement("faqbot-widget");
  [["title", "chat-title"], ["color", "color"], ["position", "position"]].forEach(function (pair) {
    var value = SCRIPT.getAttribute("data-" + pair[0]);
    if (value) widget.setAttribute(pair[1], value);
  });
  var openAttr = SCRIPT.getAttribute("data-open");
  if (openAttr !== null && openAttr !== "false") widget.setAttribute("open", "");

  function mount() { document.body.appendChild(widget); }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);

  window.faqbot = Object.freeze({
    open: function () { widget.open(); },
    close: function () { widget.close(); },
    send: function (text) { widget.send(text); },
  });
})();
