/*
 * Imaginary's web client.  Plain JavaScript, no build step, no library.
 *
 * It speaks the protocol of docs/web-protocol.md: JSON forms for logging
 * in and choosing a character, then one websocket at /ws carrying the
 * game.  The game's output arrives as styled runs and becomes DOM text
 * nodes (textContent): nothing the server or another player sends is
 * ever parsed as HTML.
 *
 * What a person can count on:
 * - a lost connection comes back by itself (jittered backoff, 1 s to
 *   30 s, shown in the status line) and the server replays what was
 *   missed: every line once, in order; a gap it can't fill is said;
 * - nothing typed is lost: a command typed while disconnected stays in
 *   the input line, a refused form keeps its fields;
 * - history (Up/Down, 500 lines, kept in localStorage; the page never
 *   stores what is typed in a password field), Tab completion of
 *   commands, exits and names in view, keyboard use throughout.
 */
"use strict";

(function () {
  const MAX_LINES = 5000;          // scrollback kept in the page
  const MAX_HISTORY = 500;
  const HISTORY_KEY = "imaginary.history";
  const READER_KEY = "imaginary.reader";
  const MAX_NAMES = 300;           // names remembered from the output
  const MAX_BACKOFF = 30;          // seconds

  const $ = (id) => document.getElementById(id);

  const state = {
    csrf: null,
    account: null,
    character: null,     // the character this page plays
    session: null,       // the token of the session sequence numbers count
    lastSeq: null,       // the highest sequence number shown
    ws: null,
    wanted: false,       // whether the page wants to be connected
    attempt: 0,          // reconnection attempts since the last success
    timer: null,
    countdown: null,
    verbs: [],
    exits: [],
    roomItems: [],
    inventory: [],
    names: new Map(),    // lowercased name -> name, most recent last
    completion: null,
    history: [],
    historyAt: -1,
    draft: "",
    unseen: 0,
  };

  // -- small helpers ------------------------------------------------------

  function show(viewId) {
    for (const id of ["login-view", "characters-view", "game-view"]) {
      $(id).hidden = id !== viewId;
    }
    $("logout").hidden = viewId === "login-view";
    $("leave").hidden = viewId !== "game-view";
  }

  function setState(text) {
    $("state").textContent = text;
  }

  function problem(text) {
    const p = $("problem");
    p.textContent = text || "";
    p.hidden = !text;
  }

  async function request(method, path, fields) {
    const options = {method, credentials: "same-origin", headers: {}};
    if (method === "POST") {
      options.body = new URLSearchParams(fields || {});
      options.headers["X-CSRF-Token"] = state.csrf || "";
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (e) {
      return {ok: false, status: 0,
              data: {error: "The server can't be reached; try again."}};
    }
    let data;
    try {
      data = await response.json();
    } catch (e) {
      data = {error: "The server answered " + response.status + "."};
    }
    if (data && data.csrf) {
      state.csrf = data.csrf;
    }
    return {ok: response.ok, status: response.status, data: data || {}};
  }

  // -- logging in and characters ------------------------------------------

  async function boot() {
    loadHistory();
    setReaderMode(localStorage.getItem(READER_KEY) === "1");
    const answer = await request("GET", "/session");
    if (!answer.ok) {
      problem(answer.data.error || "The server can't be reached.");
      return;
    }
    state.account = answer.data.account;
    if (state.account) {
      await showCharacters();
    } else {
      showLogin();
    }
  }

  function showLogin() {
    state.account = null;
    show("login-view");
    setState("Not logged in.");
    $("login-account").focus();
  }

  async function logIn(path) {
    const form = $("login-form");
    if (!form.reportValidity()) {
      return;
    }
    problem("");
    const answer = await request("POST", path, {
      account: $("login-account").value,
      password: $("login-password").value,
    });
    if (!answer.ok) {
      // Both fields stay as typed: a refusal loses nothing.
      problem(answer.data.error);
      $("login-password").focus();
      return;
    }
    $("login-password").value = "";
    state.account = answer.data.account;
    listCharacters(answer.data.characters);
  }

  async function showCharacters() {
    const answer = await request("GET", "/characters");
    if (answer.status === 401) {
      showLogin();
      return;
    }
    if (!answer.ok) {
      problem(answer.data.error);
      return;
    }
    listCharacters(answer.data.characters);
  }

  function listCharacters(characters) {
    show("characters-view");
    setState("Logged in as " + state.account + ".");
    const list = $("character-list");
    list.replaceChildren();
    for (const character of characters) {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = character.name;
      const about = document.createElement("span");
      about.textContent = character.gender +
        (character.playing ? ", in the game now" : "");
      const play = document.createElement("button");
      play.type = "button";
      play.textContent = "Play " + character.name;
      play.addEventListener("click", () => startPlaying(character.name));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Delete";
      remove.setAttribute("aria-label", "Delete " + character.name);
      remove.addEventListener("click", () => {
        // Two steps, so one slip of a key can't delete a character.
        if (remove.dataset.armed) {
          changeCharacters({action: "delete", name: character.name});
        } else {
          remove.dataset.armed = "1";
          remove.textContent = "Really delete " + character.name + "?";
        }
      });
      item.append(name, about, play, remove);
      list.append(item);
    }
    $("no-characters").hidden = characters.length > 0;
    const first = list.querySelector("button");
    (first || $("character-name")).focus();
  }

  async function changeCharacters(fields) {
    problem("");
    const answer = await request("POST", "/characters", fields);
    if (answer.status === 401) {
      showLogin();
      return;
    }
    if (!answer.ok) {
      problem(answer.data.error);
      return;
    }
    if (fields.action === "create") {
      $("character-name").value = "";
    }
    listCharacters(answer.data.characters);
  }

  async function logOut() {
    disconnect();
    await request("POST", "/logout", {});
    $("output").replaceChildren();
    showLogin();
  }

  // -- the connection -----------------------------------------------------

  function startPlaying(name) {
    problem("");
    state.character = name;
    state.session = null;
    state.lastSeq = null;
    state.attempt = 0;
    state.names.clear();
    $("output").replaceChildren();
    $("room-name").textContent = "\u200b";
    $("exits").replaceChildren();
    show("game-view");
    state.wanted = true;
    connect();
    $("command").focus();
  }

  function stopWaiting() {
    clearTimeout(state.timer);
    clearInterval(state.countdown);
    state.timer = null;
  }

  function connect() {
    stopWaiting();
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    let ws;
    try {
      ws = new WebSocket(scheme + location.host + "/ws");
    } catch (e) {
      reconnectLater();
      return;
    }
    state.ws = ws;
    setState(state.attempt ? "Reconnecting\u2026" : "Connecting\u2026");
    ws.onopen = () => {
      const since = state.session === null ? null : (state.lastSeq || 0);
      ws.send(JSON.stringify({type: "play", character: state.character,
                              since: since, session: state.session}));
    };
    ws.onmessage = (event) => {
      if (ws !== state.ws) {
        return;
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      receive(message);
    };
    ws.onclose = (event) => {
      if (ws !== state.ws) {
        return;
      }
      state.ws = null;
      if (!state.wanted) {
        return;
      }
      if (event.code === 1000) {
        // Closed on purpose: logged in elsewhere, banned, logged out.
        state.wanted = false;
        setState("The game closed this connection. Choose Characters " +
                 "to play again.");
        return;
      }
      reconnectLater();
    };
  }

  function reconnectLater() {
    state.attempt += 1;
    const base = Math.min(MAX_BACKOFF, Math.pow(2, state.attempt - 1));
    // Jitter: many pages dropped at once don't all come back at once.
    const delay = Math.max(0.5, base * (0.75 + Math.random() * 0.5));
    let left = Math.ceil(delay);
    const tick = () => {
      setState("Connection lost; reconnecting in " + left + " s (attempt " +
               state.attempt + ").");
      left -= 1;
    };
    tick();
    const countdown = setInterval(tick, 1000);
    state.timer = setTimeout(async () => {
      clearInterval(countdown);
      if (!state.wanted) {
        return;
      }
      if (state.attempt >= 3) {
        // Perhaps the login itself is gone (the server restarted with a
        // new secret, or someone logged out elsewhere).
        const answer = await request("GET", "/session");
        if (answer.ok && !answer.data.account) {
          state.wanted = false;
          problem("You are no longer logged in; log in again to play.");
          showLogin();
          return;
        }
      }
      connect();
    }, delay * 1000);
    state.countdown = countdown;
  }

  function disconnect() {
    state.wanted = false;
    stopWaiting();
    const ws = state.ws;
    state.ws = null;
    if (ws) {
      ws.close(1000);
    }
  }

  function send(message) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) {
      return false;
    }
    state.ws.send(JSON.stringify(message));
    return true;
  }

  // -- what the server sends ----------------------------------------------

  function receive(message) {
    switch (message.type) {
      case "playing":
        if (message.session !== state.session) {
          // A new session of the character counts from the start again.
          state.lastSeq = null;
        }
        state.session = message.session;
        state.attempt = 0;
        setState("Playing " + message.character + ".");
        break;
      case "output":
        if (message.seq !== null && message.seq !== undefined) {
          if (state.lastSeq !== null && message.seq <= state.lastSeq) {
            return;        // seen already: never shown twice
          }
          state.lastSeq = message.seq;
        }
        showRuns(message.runs, message.seq === null ? "server" : "");
        break;
      case "data":
        if (message.seq !== null && message.seq !== undefined) {
          if (state.lastSeq !== null && message.seq < state.lastSeq) {
            return;
          }
          state.lastSeq = message.seq;
        }
        receiveData(message.package, message.data);
        break;
      case "gap":
        showText(message.message, "server");
        break;
      case "error":
        showText(message.message, "local-error");
        break;
      default:
        break;             // "prompt", "resumed": nothing to show
    }
  }

  function receiveData(name, data) {
    if (!data || typeof data !== "object") {
      return;
    }
    if (name === "Room.Info") {
      $("room-name").textContent = data.name || "";
      state.exits = Object.keys(data.exits || {});
      const exits = $("exits");
      exits.replaceChildren();
      for (const exit of state.exits) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = exit;
        button.addEventListener("click", () => command(exit, false));
        exits.append(button);
      }
    } else if (name === "Char.Vitals") {
      $("vitals").hidden = false;
      meter("hp", data.hp, data.maxhp);
      meter("sp", data.sp, data.maxsp);
    } else if (name === "Char.Items.List" && data.location === "room") {
      state.roomItems = (data.items || []).map((item) => item.name);
    } else if (name === "Char.Items.Inv") {
      state.inventory = (data.items || []).map((item) => item.name);
    } else if (name === "Comm.Channel.Text") {
      $("channels").hidden = false;
      const line = document.createElement("div");
      line.textContent = "[" + data.channel + "] " + data.talker +
        (data.emote ? " " : ": ") + data.text;
      const log = $("channel-log");
      log.append(line);
      while (log.childElementCount > 200) {
        log.firstElementChild.remove();
      }
      log.scrollTop = log.scrollHeight;
    } else if (name === "Client.Verbs") {
      state.verbs = data.verbs || [];
    }
  }

  function meter(which, value, most) {
    const element = $(which + "-meter");
    element.max = most || 100;
    element.value = value || 0;
    $(which + "-text").textContent = value + "/" + most;
  }

  // -- the output window ----------------------------------------------------

  const READER_ART = /^[^\p{L}\p{N}]{4,}$/u;

  function runElement(text, run) {
    const span = document.createElement("span");
    const style = run.style || {};
    const classes = [];
    if (style.fg) classes.push("fg-" + style.fg.replace(" ", "-"));
    if (style.bg) classes.push("bg-" + style.bg.replace(" ", "-"));
    if (style.bold) classes.push("b");
    if (style.underline) classes.push("u");
    if (style.italic) classes.push("i");
    if (run.role) classes.push("r-" + run.role);
    span.className = classes.join(" ");
    if (run.role === "room-title" && document.body.classList.contains(
        "reader")) {
      text = text.replace(/^\[\s*(.*?)\s*\]$/, "$1");
    }
    span.textContent = text;
    if (run.role === "exit") {
      span.addEventListener("click", () => command(text, false));
    } else if (run.role === "thing" || run.role === "player") {
      rememberName(text);
    }
    return span;
  }

  function rememberName(name) {
    const key = name.toLowerCase();
    state.names.delete(key);
    state.names.set(key, name);
    if (state.names.size > MAX_NAMES) {
      state.names.delete(state.names.keys().next().value);
    }
  }

  function showRuns(runs, kind) {
    const lines = [];
    let line = [];
    for (const run of runs || []) {
      const parts = String(run.text).split("\n");
      parts.forEach((part, i) => {
        if (i > 0) {
          lines.push(line);
          line = [];
        }
        if (part) {
          line.push(runElement(part, run));
        }
      });
    }
    lines.push(line);
    append(lines.map((spans) => {
      const div = document.createElement("div");
      div.className = "line" + (kind ? " " + kind : "");
      div.append(...spans);
      if (document.body.classList.contains("reader") &&
          READER_ART.test(div.textContent)) {
        div.classList.add("decoration");
        div.setAttribute("aria-hidden", "true");
      }
      return div;
    }));
  }

  function showText(text, kind) {
    showRuns([{text: text, style: {}, role: null}], kind);
  }

  function append(divs) {
    const output = $("output");
    const atBottom = output.scrollHeight - output.scrollTop -
      output.clientHeight < 40;
    output.append(...divs);
    let extra = output.childElementCount - MAX_LINES;
    while (extra-- > 0) {
      output.firstElementChild.remove();
    }
    if (atBottom) {
      output.scrollTop = output.scrollHeight;
    } else {
      state.unseen += divs.length;
      const jump = $("jump");
      jump.textContent = state.unseen + (state.unseen === 1 ?
        " new line" : " new lines") + " \u2193";
      jump.hidden = false;
    }
  }

  function jumpToEnd() {
    const output = $("output");
    output.scrollTop = output.scrollHeight;
    state.unseen = 0;
    $("jump").hidden = true;
  }

  // -- the command line -----------------------------------------------------

  function loadHistory() {
    try {
      const saved = JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
      state.history = Array.isArray(saved) ?
        saved.filter((x) => typeof x === "string").slice(-MAX_HISTORY) : [];
    } catch (e) {
      state.history = [];
    }
  }

  function remember(line) {
    if (!line.trim() || state.history[state.history.length - 1] === line) {
      return;
    }
    state.history.push(line);
    if (state.history.length > MAX_HISTORY) {
      state.history.splice(0, state.history.length - MAX_HISTORY);
    }
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(state.history));
    } catch (e) {
      // Storage full or refused: history lives for this page only.
    }
  }

  function command(text, fromInput) {
    if (!send({type: "line", text: text})) {
      // Not sent, so not lost: it stays (or goes) in the input line.
      if (!fromInput) {
        $("command").value = text;
      }
      setState("Not connected: your command is kept in the input line; " +
               "press Enter to send it once the game is back.");
      $("command").focus();
      return false;
    }
    showText("> " + text, "echo");
    jumpToEnd();
    return true;
  }

  function submitCommand(event) {
    event.preventDefault();
    const input = $("command");
    const text = input.value;
    if (!command(text, true)) {
      return;
    }
    remember(text);
    state.historyAt = -1;
    state.completion = null;
    input.value = "";
  }

  function browseHistory(step) {
    const input = $("command");
    if (!state.history.length) {
      return;
    }
    if (state.historyAt === -1) {
      if (step > 0) {
        return;
      }
      state.draft = input.value;
      state.historyAt = state.history.length;
    }
    state.historyAt += step;
    if (state.historyAt < 0) {
      state.historyAt = 0;
    }
    if (state.historyAt >= state.history.length) {
      state.historyAt = -1;
      input.value = state.draft;
    } else {
      input.value = state.history[state.historyAt];
    }
    const end = input.value.length;
    input.setSelectionRange(end, end);
  }

  function candidates(first) {
    const found = new Map();
    const add = (name) => {
      if (name && !found.has(name.toLowerCase())) {
        found.set(name.toLowerCase(), name);
      }
    };
    if (first) {
      state.verbs.forEach(add);
      state.exits.forEach(add);
      return [...found.values()];
    }
    const names = [...state.exits, ...state.roomItems, ...state.inventory,
                   ...[...state.names.values()].reverse()];
    for (const name of names) {
      add(name);
      // "la" finds the lamp of "brass lamp" as well.
      for (const word of name.split(/\s+/).slice(1)) {
        add(word);
      }
    }
    return [...found.values()];
  }

  function complete() {
    const input = $("command");
    const value = input.value;
    let c = state.completion;
    if (!c || c.shown !== value) {
      const caret = input.selectionStart === null ? value.length :
        input.selectionStart;
      const before = value.slice(0, caret);
      const word = before.match(/(\S*)$/)[1];
      if (!word) {
        return false;
      }
      const start = caret - word.length;
      const lower = word.toLowerCase();
      const all = candidates(value.slice(0, start).trim() === "")
        .filter((name) => name.toLowerCase().startsWith(lower) &&
                name.toLowerCase() !== lower)
        .sort((a, b) => a.length - b.length || a.localeCompare(b));
      // A capital typed means it: "B" is Bob, not the bread.
      const exact = word === lower ? [] :
        all.filter((name) => name.startsWith(word));
      const matches = exact.length ? exact : all;
      if (!matches.length) {
        return false;
      }
      c = state.completion = {head: value.slice(0, start),
                              tail: value.slice(caret), matches, index: -1};
    }
    c.index = (c.index + 1) % c.matches.length;
    const word = c.matches[c.index] + (c.matches.length === 1 &&
      !c.tail.startsWith(" ") ? " " : "");
    input.value = c.head + word + c.tail;
    const caret = c.head.length + word.length;
    input.setSelectionRange(caret, caret);
    c.shown = input.value;
    setState(c.matches.length > 1 ? "Tab: " + c.matches.join(", ") :
             "Playing " + state.character + ".");
    return true;
  }

  function commandKey(event) {
    if (event.key === "ArrowUp" && !event.altKey && !event.ctrlKey) {
      event.preventDefault();
      browseHistory(-1);
    } else if (event.key === "ArrowDown" && !event.altKey &&
               !event.ctrlKey) {
      event.preventDefault();
      browseHistory(1);
    } else if (event.key === "Tab" && !event.shiftKey && !event.altKey &&
               !event.ctrlKey) {
      // Tab completes; with nothing to complete it moves on as usual, so
      // the keyboard never gets stuck in the command line.
      if (complete()) {
        event.preventDefault();
      }
    } else if (event.key === "Escape") {
      jumpToEnd();
    }
  }

  function setReaderMode(on) {
    document.body.classList.toggle("reader", on);
    $("reader-mode").checked = on;
    try {
      localStorage.setItem(READER_KEY, on ? "1" : "0");
    } catch (e) {
      // not kept
    }
  }

  // -- wiring -------------------------------------------------------------

  function wire() {
    $("login-form").addEventListener("submit", (event) => {
      event.preventDefault();
      logIn("/login");
    });
    $("create-account-button").addEventListener("click", () =>
      logIn("/account"));
    $("character-form").addEventListener("submit", (event) => {
      event.preventDefault();
      changeCharacters({action: "create", name: $("character-name").value,
                        gender: $("character-gender").value});
    });
    $("command-form").addEventListener("submit", submitCommand);
    $("command").addEventListener("keydown", commandKey);
    $("command").addEventListener("input", () => {
      state.completion = null;
    });
    $("jump").addEventListener("click", () => {
      jumpToEnd();
      $("command").focus();
    });
    $("output").addEventListener("scroll", () => {
      const output = $("output");
      if (output.scrollHeight - output.scrollTop - output.clientHeight <
          40) {
        state.unseen = 0;
        $("jump").hidden = true;
      }
    });
    $("logout").addEventListener("click", logOut);
    $("leave").addEventListener("click", () => {
      disconnect();
      showCharacters();
    });
    $("reader-mode").addEventListener("change", (event) =>
      setReaderMode(event.target.checked));
    // A phone turned or a window resized: the end of the output stays
    // in view if it was.
    let pinned = true;
    $("output").addEventListener("scroll", () => {
      const output = $("output");
      pinned = output.scrollHeight - output.scrollTop - output.clientHeight <
        40;
    });
    new ResizeObserver(() => {
      if (pinned && !$("game-view").hidden) {
        $("output").scrollTop = $("output").scrollHeight;
      }
    }).observe($("output"));
    window.addEventListener("online", () => {
      if (state.wanted && !state.ws) {
        connect();
      }
    });
  }

  wire();
  boot();
})();
