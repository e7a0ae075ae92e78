// The SLA dashboard: hand-written, no framework, no build step. It runs under
// Content-Security-Policy: default-src 'self' (no inline script or style) and talks only
// to the server that served it: the read routes /tenants/{tenant}/queue, /summary and
// /tickets/{id}, with the token the lead typed, as an Authorization: Bearer header.
"use strict";

(() => {
  const QUEUE_EVERY_MS = 5000;
  const SUMMARY_EVERY_MS = 30000;
  const FILTER_DELAY_MS = 300;
  const SVG_NS = "http://www.w3.org/2000/svg";
  const COLUMNS = ["Ticket", "Metric", "State", "Time left", "Deadline", "Used", "Priority", "Group", "Assignee"];

  const $ = (id) => document.getElementById(id);
  const tenant = document.body.dataset.tenant || "";
  const tokenKey = `sla-dashboard-token:${tenant}`;
  const base = apiBase();

  const state = {
    token: null,
    filters: {},
    items: new Map(), // row key -> queue item shown
    rows: new Map(), // row key -> <tr>
    labels: null, // row key -> state label at the previous poll (null before the first)
    receivedAt: 0, // performance.now() when the shown queue arrived
    generation: 0, // bumps on every queue request; late answers to older ones are dropped
    queueTimer: 0,
    queueRun: 0, // bumps on every queueLoop call: only the latest schedules the next
    summaryTimer: 0,
    summaryRun: 0,
    tickTimer: 0,
    filterTimer: 0,
    drawerFor: null,
    drawerOpener: null,
    timeZone: browserTimeZone(),
    groups: new Set(),
    assignees: new Set(),
  };

  /** The path before /dashboard/ (an API Gateway stage, or nothing). */
  function apiBase() {
    const path = window.location.pathname;
    const at = path.lastIndexOf("/dashboard/");
    return at >= 0 ? path.slice(0, at) : "";
  }

  function browserTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch {
      return "";
    }
  }

  /** The URL of a read route of this tenant, with the non-empty parameters. */
  function route(suffix, params = {}) {
    const url = `${base}/tenants/${encodeURIComponent(tenant)}/${suffix}`;
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value) query.set(name, value);
    }
    const text = query.toString();
    return text ? `${url}?${text}` : url;
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** GETs JSON with the bearer token; throws HttpError (status 0 when unreachable). */
  async function getJson(url) {
    const headers = { Accept: "application/json" };
    if (state.token) headers.Authorization = `Bearer ${state.token}`;
    let response;
    try {
      response = await fetch(url, { headers, cache: "no-store", credentials: "omit" });
    } catch (err) {
      throw new HttpError(0, `cannot reach the server (${err.message})`);
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      body = null;
    }
    if (!response.ok) {
      const message = body && typeof body.error === "string" ? body.error : response.statusText;
      throw new HttpError(response.status, message);
    }
    return body;
  }

  // ---- formatting -------------------------------------------------------------------

  const pad = (n) => String(n).padStart(2, "0");

  /** 3725 -> "1h 02m 05s"; days drop the seconds. */
  function duration(total) {
    const seconds = Math.max(0, Math.floor(total));
    const d = Math.floor(seconds / 86400);
    const h = Math.floor((seconds % 86400) / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    if (d > 0) return `${d}d ${h}h ${pad(m)}m`;
    if (h > 0) return `${h}h ${pad(m)}m ${pad(s)}s`;
    return `${m}m ${pad(s)}s`;
  }

  const dateFormat = new Intl.DateTimeFormat(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function when(instant) {
    const date = new Date(instant);
    return Number.isNaN(date.getTime()) ? String(instant) : dateFormat.format(date);
  }

  /** "first_response" -> "First response". */
  function words(name) {
    const text = String(name || "").replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  const dash = (value) => (value === null || value === undefined || value === "" ? "—" : String(value));

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === "class") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  /** A small icon (decorative: the text beside it says the same). */
  function icon(kind) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    const shape = document.createElementNS(SVG_NS, "path");
    const paths = {
      breached: "M8 1 15 14H1Z M7.2 5.5h1.6v4.5H7.2Z M7.2 11h1.6v1.6H7.2Z",
      at_risk: "M8 1a7 7 0 1 0 0 14A7 7 0 0 0 8 1Zm-.8 3h1.6v4.6l3 1.8-.8 1.4-3.8-2.3Z",
      paused: "M4 3h3v10H4Zm5 0h3v10H9Z",
      running: "M5 3v10l8-5Z",
    };
    shape.setAttribute("d", paths[kind] || paths.running);
    shape.setAttribute("fill", "currentColor");
    shape.setAttribute("fill-rule", "evenodd");
    svg.append(shape);
    return svg;
  }

  /** The label of an item: breached, at risk, paused or running. */
  function label(item) {
    if (item.state === "breached") return "breached";
    if (item.state === "paused") return "paused";
    return item.at_risk ? "at_risk" : "running";
  }

  const LABEL_TEXT = { breached: "Breached", at_risk: "At risk", paused: "Paused", running: "Running" };

  function badge(kind) {
    return element("span", { class: `badge ${kind.replace("_", "-")}` }, icon(kind), LABEL_TEXT[kind] || kind);
  }

  // ---- the queue ----------------------------------------------------------------------

  const rowKey = (item) => `${item.ticket_id}\u0000${item.metric}\u0000${item.cycle}`;

  /** Seconds left on the wall clock now (negative once overdue), or null when paused. */
  function secondsLeft(item) {
    if (item.wall_seconds_left === null || item.wall_seconds_left === undefined) return null;
    return item.wall_seconds_left - (performance.now() - state.receivedAt) / 1000;
  }

  function updateCountdown(cell, item) {
    if (item.state === "paused") {
      cell.textContent = `paused, ${duration(item.business_seconds_left)} business time left`;
      delete cell.dataset.seconds;
      return;
    }
    const left = secondsLeft(item);
    if (left === null) {
      cell.textContent = "—";
      return;
    }
    const whole = Math.floor(left);
    cell.dataset.seconds = String(whole);
    cell.textContent = whole >= 0 ? duration(whole) : `${duration(-whole)} overdue`;
  }

  function tick() {
    for (const [key, row] of state.rows) {
      const item = state.items.get(key);
      const cell = row.querySelector("td.left");
      if (item && cell) updateCountdown(cell, item);
    }
  }

  function ticketCell(item) {
    const cell = element("td", { class: "ticket" }, element("span", { class: "id", text: item.ticket_id }));
    if (item.url) {
      const link = element("a", {
        href: item.url,
        target: "_blank",
        rel: "noopener noreferrer",
        "aria-label": `Open ${item.ticket_id} in the helpdesk`,
        text: "↗",
      });
      cell.append(" ", link);
    }
    return cell;
  }

  function usedCell(item) {
    const percent = Number(item.percent_used);
    const cell = element("td", { class: "used" });
    if (!Number.isFinite(percent)) {
      cell.textContent = "—";
      return cell;
    }
    const meter = element("meter", { min: "0", max: "100", low: "75", high: "99", optimum: "0", "aria-hidden": "true" });
    meter.value = Math.min(100, Math.max(0, percent));
    cell.append(meter, ` ${Math.round(percent)}%`);
    return cell;
  }

  function deadlineCell(item) {
    if (!item.deadline) return element("td", { class: "deadline", text: "—" });
    const time = element("time", { datetime: item.deadline, text: when(item.deadline) });
    return element("td", { class: "deadline" }, time);
  }

  function fillRow(row, item) {
    const kind = label(item);
    row.className = kind.replace("_", "-");
    row.dataset.ticket = item.ticket_id;
    row.dataset.metric = item.metric;
    row.dataset.state = kind;
    row.tabIndex = 0;
    const metric = item.cycle > 1 ? `${words(item.metric)} (cycle ${item.cycle})` : words(item.metric);
    const left = element("td", { class: "left" });
    updateCountdown(left, item);
    const cells = [
      ticketCell(item),
      element("td", { class: "metric", text: metric }),
      element("td", { class: "state" }, badge(kind)),
      left,
      deadlineCell(item),
      usedCell(item),
      element("td", { class: "priority", text: dash(item.priority) }),
      element("td", { class: "group", text: dash(item.group) }),
      element("td", { class: "assignee", text: dash(item.assignee) }),
    ];
    cells.forEach((cell, i) => cell.setAttribute("data-label", COLUMNS[i]));
    row.replaceChildren(...cells);
  }

  /** Shows `items` in the given order, reusing rows (and keeping keyboard focus). */
  function renderRows(items) {
    const body = document.querySelector("#queue-table tbody");
    const focused = document.activeElement;
    const focusedKey = [...state.rows].find(([, row]) => row.contains(focused))?.[0];
    const onLink = focused instanceof HTMLAnchorElement;
    const next = new Map();
    items.forEach((item, index) => {
      const key = rowKey(item);
      const row = state.rows.get(key) || element("tr");
      fillRow(row, item);
      next.set(key, row);
      if (body.children[index] !== row) body.insertBefore(row, body.children[index] || null);
    });
    for (const [key, row] of state.rows) if (!next.has(key)) row.remove();
    body.querySelector("tr.empty")?.remove();
    if (items.length === 0) {
      const cell = element("td", { colspan: String(COLUMNS.length), text: "No open cycle matches." });
      body.append(element("tr", { class: "empty" }, cell));
    }
    state.rows = next;
    state.items = new Map(items.map((item) => [rowKey(item), item]));
    // Rows are refilled in place and may move: keep keyboard focus where it was.
    const row = focusedKey && next.get(focusedKey);
    const target = row && (onLink ? row.querySelector("a") || row : row);
    if (target && document.activeElement !== target) target.focus({ preventScroll: true });
  }

  /** Tells screen readers (politely) what changed since the previous poll. */
  function announceChanges(items) {
    const previous = state.labels;
    state.labels = new Map(items.map((item) => [rowKey(item), label(item)]));
    if (!previous) return;
    const news = [];
    let added = 0;
    for (const item of items) {
      const before = previous.get(rowKey(item));
      const now = label(item);
      if (before === undefined) added += 1;
      else if (before !== now && (now === "breached" || now === "at_risk")) {
        news.push(`${item.ticket_id} ${words(item.metric).toLowerCase()} ${LABEL_TEXT[now].toLowerCase()}`);
      }
    }
    if (added) news.push(`${added} new in the queue`);
    if (news.length) $("announcer").textContent = `${news.join("; ")}.`;
    const changed = added > 0 || items.length !== previous.size || items.some((item) => previous.get(rowKey(item)) !== label(item));
    if (changed) summaryLoop(); // the counts moved too: do not wait up to 30 s
  }

  function rememberChoices(items) {
    for (const item of items) {
      if (item.group) state.groups.add(item.group);
      if (item.assignee) state.assignees.add(item.assignee);
    }
    fillDatalist($("groups"), state.groups);
    fillDatalist($("assignees"), state.assignees);
  }

  function fillDatalist(list, values) {
    if (list.children.length === values.size) return;
    list.replaceChildren(...[...values].sort().map((value) => element("option", { value })));
  }

  function renderQueue(body) {
    const items = Array.isArray(body.items) ? body.items : [];
    state.receivedAt = performance.now();
    renderRows(items);
    announceChanges(items);
    rememberChoices(items);
    const breached = items.filter((item) => item.state === "breached").length;
    const filtered = Object.values(state.filters).some(Boolean);
    let status = `${items.length} open ${items.length === 1 ? "cycle" : "cycles"}`;
    if (filtered) status += " matching the filters";
    if (breached) status += `, ${breached} breached`;
    if (body.next_cursor) status += `; only the ${items.length} nearest deadlines are shown, narrow with the filters`;
    $("queue-status").textContent = `${status}.`;
    setUpdated(`Updated ${timeFormat.format(new Date())}`, false);
  }

  function setUpdated(text, failed) {
    const updated = $("updated");
    updated.textContent = text;
    updated.classList.toggle("error", failed);
  }

  function queueParams() {
    return { ...state.filters };
  }

  async function refreshQueue() {
    const generation = ++state.generation;
    try {
      const body = await getJson(route("queue", queueParams()));
      if (generation === state.generation && state.token !== null) renderQueue(body);
    } catch (err) {
      if (generation === state.generation) failed(err);
    }
  }

  /** Polls the queue now, then every 5 s; a newer call takes over the chain. */
  async function queueLoop() {
    window.clearTimeout(state.queueTimer);
    const run = ++state.queueRun;
    if (!document.hidden) await refreshQueue();
    if (run === state.queueRun && state.token !== null) {
      state.queueTimer = window.setTimeout(queueLoop, QUEUE_EVERY_MS);
    }
  }

  /** A failed poll: back to the sign-in form on 401, else say so and keep polling. */
  function failed(err) {
    if (err.status === 401) {
      signOut(`The server refused the token (401: ${err.message}). Sign in again.`);
      return;
    }
    setUpdated(`Update failed at ${timeFormat.format(new Date())}: ${describe(err)}. Retrying…`, true);
  }

  function describe(err) {
    return err.status ? `${err.status}, ${err.message}` : err.message;
  }

  // ---- the summary --------------------------------------------------------------------

  const SUMMARY_COLUMNS = [
    ["running", "Running"],
    ["at_risk", "At risk"],
    ["breached_open", "Breached, open"],
    ["met", "Met"],
    ["breached", "Breached"],
    ["met_percent", "Met %"],
  ];

  const percent = (value) => (value === null || value === undefined ? "—" : `${Number(value).toFixed(1)}%`);

  function figures(totals) {
    const list = element("dl", { class: "figures" });
    const add = (name, value, bad) => {
      const pair = element("div", bad ? { class: "bad" } : {});
      pair.append(element("dd", { text: value }), element("dt", { text: name }));
      list.append(pair);
    };
    add("running", String(totals.running ?? 0));
    add("at risk", String(totals.at_risk ?? 0), totals.at_risk > 0);
    add("breached, still open", String(totals.breached_open ?? 0), totals.breached_open > 0);
    add("met", String(totals.met ?? 0));
    add("breached", String(totals.breached ?? 0), totals.breached > 0);
    add("met %", percent(totals.met_percent));
    return list;
  }

  function summaryTable(rows, caption) {
    const head = element("tr", {}, element("th", { scope: "col", text: "Metric" }), element("th", { scope: "col", text: "Priority" }));
    for (const [, name] of SUMMARY_COLUMNS) head.append(element("th", { scope: "col", text: name }));
    const body = element("tbody");
    for (const row of rows) {
      const line = element("tr", {}, element("th", { scope: "row", text: words(row.metric) }), element("td", { text: dash(row.priority) }));
      for (const [key] of SUMMARY_COLUMNS) {
        line.append(element("td", { text: key === "met_percent" ? percent(row[key]) : String(row[key] ?? 0) }));
      }
      body.append(line);
    }
    const table = element("table", { class: "summary-table" }, element("caption", { class: "visually-hidden", text: caption }), element("thead", {}, head), body);
    // Focusable, so that a keyboard can scroll it sideways on a narrow screen.
    return element("div", { class: "summary-scroll", tabindex: "0", role: "region", "aria-label": caption }, table);
  }

  function renderSummary(id, body, title) {
    const target = document.querySelector(`#${id} .period-body`);
    const rows = Array.isArray(body.rows) ? body.rows : [];
    const note = element("p", { class: "hint", text: `Open now, and cycles completed ${title.toLowerCase()} (${body.timezone || "UTC"}).` });
    const parts = [figures(body.totals || {}), note];
    if (rows.length) parts.push(summaryTable(rows, `${title}, by metric and priority`));
    target.replaceChildren(...parts);
  }

  async function summaryOf(period) {
    try {
      return await getJson(route("summary", { period, timezone: state.timeZone }));
    } catch (err) {
      if (err.status !== 400 || !state.timeZone) throw err;
      state.timeZone = ""; // the server does not know this zone: its default (UTC)
      return getJson(route("summary", { period }));
    }
  }

  async function refreshSummary() {
    const periods = [
      ["today", "summary-today", "Today"],
      ["7d", "summary-7d", "Last 7 days"],
    ];
    await Promise.all(
      periods.map(async ([period, id, title]) => {
        try {
          renderSummary(id, await summaryOf(period), title);
        } catch (err) {
          if (err.status === 401) return failed(err);
          const target = document.querySelector(`#${id} .period-body`);
          target.replaceChildren(element("p", { class: "error", text: `Cannot load the summary: ${describe(err)}.` }));
        }
      }),
    );
  }

  /** Reads the summaries now, then every 30 s; a newer call takes over the chain. */
  async function summaryLoop() {
    window.clearTimeout(state.summaryTimer);
    const run = ++state.summaryRun;
    if (!document.hidden) await refreshSummary();
    if (run === state.summaryRun && state.token !== null) {
      state.summaryTimer = window.setTimeout(summaryLoop, SUMMARY_EVERY_MS);
    }
  }

  // ---- filters ------------------------------------------------------------------------

  function readFilters() {
    const form = $("filters");
    const filters = {};
    for (const name of ["state", "metric", "group", "assignee"]) {
      const value = form.elements[name].value.trim();
      if (value) filters[name] = value;
    }
    return filters;
  }

  function applyFilters() {
    window.clearTimeout(state.filterTimer);
    const filters = readFilters();
    if (JSON.stringify(filters) === JSON.stringify(state.filters)) return;
    state.filters = filters;
    state.labels = null; // a new selection: nothing to announce as new
    queueLoop();
  }

  function wireFilters() {
    const form = $("filters");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      applyFilters();
    });
    form.addEventListener("change", applyFilters);
    form.addEventListener("input", () => {
      window.clearTimeout(state.filterTimer);
      state.filterTimer = window.setTimeout(applyFilters, FILTER_DELAY_MS);
    });
    form.addEventListener("reset", () => window.setTimeout(applyFilters, 0));
  }

  // ---- the drawer ---------------------------------------------------------------------

  function clockHeading(entry, clock) {
    const heading = element("h3", {}, `${words(entry.metric)} · cycle ${entry.cycle}`);
    if (clock && clock.state) {
      const kind = ["breached", "paused", "running"].includes(clock.state) ? clock.state : null;
      heading.append(kind ? badge(kind) : element("span", { class: "badge running", text: words(clock.state) }));
    }
    return heading;
  }

  /** One line of `sla explain`: a leading instant becomes a local <time>, the rest text. */
  function timelineItem(line) {
    const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s+(.*)$/.exec(String(line));
    if (!match) return element("li", { text: line });
    return element("li", {}, element("time", { datetime: match[1], text: when(match[1]) }), ` ${match[2]}`);
  }

  function renderTicket(ticket) {
    const details = element("dl");
    const add = (name, value) => details.append(element("dt", { text: name }), element("dd", { text: dash(value) }));
    add("Status", ticket.status && words(ticket.status));
    add("Priority", ticket.priority);
    add("Policy", ticket.policy && ticket.policy.name);
    add("Created", ticket.created && when(ticket.created));
    add("As of", ticket.at && when(ticket.at));
    if (ticket.excluded) add("Excluded", typeof ticket.excluded === "string" ? ticket.excluded : JSON.stringify(ticket.excluded));
    const parts = [details];
    if (ticket.url) {
      parts.push(element("p", {}, element("a", { href: ticket.url, target: "_blank", rel: "noopener noreferrer", text: "Open in the helpdesk ↗" })));
    }
    const clocks = Array.isArray(ticket.clocks) ? ticket.clocks : [];
    const explanation = Array.isArray(ticket.explanation) ? ticket.explanation : [];
    for (const entry of explanation) {
      const clock = clocks.find((c) => c.metric === entry.metric && c.cycle === entry.cycle);
      const lines = (entry.lines || []).map(timelineItem);
      parts.push(element("section", { class: "clock" }, clockHeading(entry, clock), element("ol", { class: "timeline" }, ...lines)));
    }
    if (!explanation.length) parts.push(element("p", { class: "muted", text: "No clock measures this ticket." }));
    $("drawer-body").replaceChildren(...parts);
  }

  function setBackgroundInert(inert) {
    for (const node of [document.querySelector("main"), document.querySelector("header.top"), document.querySelector(".skip")]) {
      if (node) node.inert = inert;
    }
  }

  async function openDrawer(ticketId, opener) {
    state.drawerFor = ticketId;
    state.drawerOpener = opener;
    $("drawer-title").textContent = `Ticket ${ticketId}`;
    $("drawer-body").replaceChildren(element("p", { class: "muted", text: "Loading the ticket's timeline…" }));
    $("drawer").hidden = false;
    $("drawer-backdrop").hidden = false;
    setBackgroundInert(true);
    $("drawer").focus();
    try {
      const ticket = await getJson(route(`tickets/${encodeURIComponent(ticketId)}`));
      if (state.drawerFor === ticketId) renderTicket(ticket);
    } catch (err) {
      if (err.status === 401) {
        closeDrawer();
        failed(err);
        return;
      }
      if (state.drawerFor === ticketId) {
        $("drawer-body").replaceChildren(element("p", { class: "error", text: `Cannot load ${ticketId}: ${describe(err)}.` }));
      }
    }
  }

  function closeDrawer() {
    if ($("drawer").hidden) return;
    const ticketId = state.drawerFor;
    state.drawerFor = null;
    $("drawer").hidden = true;
    $("drawer-backdrop").hidden = true;
    setBackgroundInert(false);
    const opener = state.drawerOpener;
    state.drawerOpener = null;
    if (opener && opener.isConnected) {
      opener.focus();
      return;
    }
    const again = [...state.rows.values()].find((row) => row.dataset.ticket === ticketId);
    (again || $("queue")).focus();
  }

  function wireDrawer() {
    $("drawer-close").addEventListener("click", closeDrawer);
    $("drawer-backdrop").addEventListener("click", closeDrawer);
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !$("drawer").hidden) {
        event.preventDefault();
        closeDrawer();
      }
    });
  }

  function wireRows() {
    const body = document.querySelector("#queue-table tbody");
    body.addEventListener("click", (event) => {
      if (event.target.closest("a")) return;
      const row = event.target.closest("tr[data-ticket]");
      if (row) openDrawer(row.dataset.ticket, row);
    });
    body.addEventListener("keydown", (event) => {
      const row = event.target.closest("tr[data-ticket]");
      if (!row || event.target !== row) return;
      const moves = {
        ArrowDown: row.nextElementSibling,
        ArrowUp: row.previousElementSibling,
        Home: body.firstElementChild,
        End: body.lastElementChild,
      };
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        openDrawer(row.dataset.ticket, row);
      } else if (event.key in moves) {
        event.preventDefault();
        moves[event.key]?.focus();
      }
    });
  }

  // ---- signing in and out -------------------------------------------------------------

  function showBoard() {
    $("sign-in").hidden = true;
    $("board").hidden = false;
    $("sign-out").hidden = false;
  }

  /** Starts ticking and polling; `queued` when the sign-in already fetched the queue. */
  function start(queued = false) {
    showBoard();
    window.clearInterval(state.tickTimer);
    state.tickTimer = window.setInterval(tick, 1000);
    if (queued) state.queueTimer = window.setTimeout(queueLoop, QUEUE_EVERY_MS);
    else queueLoop();
    summaryLoop();
  }

  function signOut(message) {
    sessionStorage.removeItem(tokenKey);
    state.token = null;
    state.labels = null;
    state.generation += 1;
    state.queueRun += 1;
    state.summaryRun += 1;
    window.clearTimeout(state.queueTimer);
    window.clearTimeout(state.summaryTimer);
    window.clearInterval(state.tickTimer);
    closeDrawer();
    renderRows([]);
    $("board").hidden = true;
    $("sign-out").hidden = true;
    $("sign-in").hidden = false;
    setUpdated("", false);
    showSignInError(message || "");
    $("token").focus();
  }

  function showSignInError(message) {
    const error = $("sign-in-error");
    error.textContent = message;
    error.hidden = !message;
    $("token").setAttribute("aria-invalid", message ? "true" : "false");
  }

  function signInMessage(err) {
    if (err.status === 401) return `Wrong token: the server refused it (401 Unauthorized: ${err.message}).`;
    if (err.status === 404) return `This server has no tenant “${tenant}” (404).`;
    return `Cannot sign in: ${describe(err)}.`;
  }

  async function signIn(event) {
    event.preventDefault();
    const input = $("token");
    const button = event.target.querySelector("button[type=submit]");
    const token = input.value.trim();
    button.disabled = true;
    showSignInError("");
    state.token = token;
    try {
      const body = await getJson(route("queue", queueParams()));
      sessionStorage.setItem(tokenKey, token);
      input.value = "";
      showBoard();
      renderQueue(body);
      start(true);
      $("queue").focus();
    } catch (err) {
      state.token = null;
      showSignInError(signInMessage(err));
      input.focus();
      input.select();
    } finally {
      button.disabled = false;
    }
  }

  function init() {
    wireFilters();
    wireRows();
    wireDrawer();
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", () => signOut("Signed out."));
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && state.token !== null) {
        queueLoop();
        summaryLoop();
      }
    });
    const saved = sessionStorage.getItem(tokenKey);
    if (saved !== null) {
      state.token = saved;
      start();
    } else {
      $("token").focus();
    }
  }

  init();
})();
