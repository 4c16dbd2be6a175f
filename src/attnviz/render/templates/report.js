// attnviz report: draws one page of examples at a time from the JSON elements the page carries.
// User text reaches the document only through text nodes (createTextNode / textContent); attributes are
// set only from numbers and our own words. Colours follow attnviz.render.colors exactly.
(() => {
  "use strict";

  const byId = (id) => document.getElementById(id);
  const readJson = (id) => JSON.parse(byId(id).textContent);
  const config = readJson("attnviz-config");
  const index = readJson("attnviz-index");
  const labelled = Array.isArray(index.y);
  const classes = config.classes;
  const { element, appendText, appendRest } = attnvizText(config.controls);
  const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");

  // ---- colour model: attnvizColours (colors.js, inlined before this script) ----

  const colours = attnvizColours(config);
  const { unit, normalise: normaliseBy, shade, textColour, hex } = colours;
  const normalise = (weights) => normaliseBy(weights, config.scale);
  const stops = () => (darkQuery.matches ? config.darkStops : config.stops);
  // the extra explanation methods side by side (report_methods.js, inlined before this script)
  const methodsBlock = attnvizMethods(config, {
    element, decodeBase64: attnvizDecodeBase64, drawText, formatWeight, colours, stops,
  });

  // ---- the data and the filters: attnvizReportStore (report_store.js, inlined before this script) ----

  const decodeMethods = (chunk, k) => methodsBlock.decode(chunk, k);
  const { state, example, selection, total } = attnvizReportStore(config, index, readJson, decodeMethods);

  // ---- drawing one example ----

  function formatWeight(w) {
    if (!Number.isFinite(w)) return String(w);
    const size = Math.abs(w); // signed methods' scores can be negative
    const digits = size > 0 && size < 0.1 ? Math.min(6, 2 - Math.floor(Math.log10(size))) : 3;
    return w.toFixed(digits);
  }

  const percent = (p) => (100 * unit(p)).toFixed(1) + "%";

  function drawText(ex, boxClass = "text", tokenClass = "tok") {
    const box = element("div", boxClass);
    box.dir = "auto";
    const spans = [];
    let position = 0;
    for (let t = 0; t < ex.n; t++) {
      const start = position + ex.offsets[2 * t];
      const end = start + ex.offsets[2 * t + 1];
      if (start > position) appendText(box, ex.text.slice(position, start));
      const span = element("span", tokenClass);
      appendText(span, ex.text.slice(start, end));
      box.append(span);
      spans.push(span);
      position = end;
    }
    appendRest(box, ex.text.slice(position), ex.truncated);
    return { box, spans };
  }

  function drawHeader(ex) {
    const head = element("div", "head");
    head.append(element("h3", "", "Example " + (ex.id + 1)));
    const facts = element("p", "facts");
    const label = (name, value) => {
      const item = element("span", "fact");
      item.append(name + " ", element("bdi", "label", value));
      facts.append(item);
    };
    if (labelled) label("true", classes[index.y[ex.id]]);
    label("predicted", classes[index.p[ex.id]]);
    if (labelled) {
      const wrong = index.y[ex.id] !== index.p[ex.id];
      facts.append(element("span", wrong ? "verdict wrong" : "verdict right", wrong ? "✗ misclassified" : "✓ correct"));
    }
    facts.append(element("span", "fact muted", "confidence " + index.c[ex.id].toFixed(3)));
    if (labelled) facts.append(element("span", "fact muted", "loss " + index.l[ex.id].toFixed(3)));
    facts.append(element("span", "fact muted", index.n[ex.id] + " characters"));
    head.append(facts);
    return head;
  }

  function drawProbabilities(ex) {
    const list = element("ul", "probs");
    list.setAttribute("aria-label", "class probabilities");
    classes.forEach((name, c) => {
      const item = element("li", c === index.p[ex.id] ? "predicted" : "");
      const bar = element("span", "bar");
      const fill = element("span", "fill");
      fill.style.setProperty("width", percent(ex.probabilities[c]));
      bar.append(fill);
      item.append(element("bdi", "cls", name), bar, element("span", "num", ex.probabilities[c].toFixed(3)));
      list.append(item);
    });
    return list;
  }

  function drawViewSwitch(onChange) {
    const label = element("label", "view", "shading ");
    const select = element("select");
    select.append(new Option("attention used", "0"));
    classes.forEach((name, c) => select.append(new Option("class " + name + "'s own attention", String(c + 1))));
    select.addEventListener("change", () => onChange(Number(select.value)));
    label.append(select);
    return label;
  }

  function drawScale() {
    const wrap = element("div", "scale");
    const bar = element("span", "ramp example-ramp");
    const tick = element("span", "tick");
    bar.append(tick);
    const caption = element("span", "muted");
    const top = config.scale === "max" ? "max" : "1"; // the text's largest weight, or weight 1
    wrap.append(element("span", "muted", "0"), bar, element("span", "muted", top), caption);
    return { wrap, tick, caption };
  }

  // Colours one example's tokens for one view: the attention used (0) or class c's own (c + 1).
  function paint(card, view) {
    const weights = card.ex.views[view];
    const values = normalise(weights);
    const palette = stops();
    const uniform = 1 / card.ex.n;
    let sum = 0;
    card.spans.forEach((span, t) => {
      const background = shade(values[t], palette);
      span.style.setProperty("background-color", hex(background));
      span.style.setProperty("color", hex(textColour(background)));
      const description = "attention " + formatWeight(weights[t]);
      span.title = description;
      span.setAttribute("aria-description", description);
      span.classList.toggle("above", weights[t] > uniform);
      if (Number.isFinite(weights[t])) sum += weights[t];
    });
    const largest = Math.max(0, ...Array.from(weights, (w) => (Number.isFinite(w) ? w : 0)));
    const level = config.scale === "fixed" ? unit(uniform) : largest > 0 ? unit(uniform / largest) : 0;
    card.scale.tick.style.setProperty("left", (100 * level).toFixed(2) + "%");
    card.scale.caption.textContent = "tick: uniform 1/" + card.ex.n + " = " + formatWeight(uniform);
    card.note.textContent = "attention on the " + card.ex.n + " words read: " + (100 * sum).toFixed(1) + "%";
  }

  function drawExample(id) {
    const ex = example(id);
    const item = element("li", "example");
    item.setAttribute("data-id", String(id));
    const { box, spans } = drawText(ex);
    const card = { ex, spans, scale: drawScale(), note: element("span", "") };
    const tools = element("div", "tools");
    if (ex.views.length > 1) tools.append(drawViewSwitch((view) => paint(card, view)));
    if (ex.n > 0) tools.append(card.scale.wrap);
    const meta = element("div", "meta");
    meta.append(drawProbabilities(ex), tools);
    item.append(drawHeader(ex), meta, box);
    const note = element("p", "note");
    if (ex.n > 0) note.append(card.note);
    if (ex.truncated) note.append(element("span", "", " · truncated: the dimmed text marked “not read” was cut off."));
    if (ex.n === 0) note.append(element("span", "", "no words were read"));
    item.append(note);
    const methods = methodsBlock.draw(ex);
    if (methods) item.append(methods);
    if (ex.n > 0) paint(card, 0);
    return item;
  }

  // ---- the page ----

  const list = byId("list");
  const inputs = {
    misclassified: byId("misclassified"),
    trueClass: byId("true-class"),
    predClass: byId("pred-class"),
    sort: byId("sort"),
    search: byId("search"),
    outline: byId("outline"),
    page: byId("page"),
  };

  function describeFilters() {
    const chips = byId("chips");
    chips.replaceChildren();
    if (state.word) {
      chips.append("word “", element("bdi", "label", state.word.text), "” in texts predicted ");
      chips.append(element("bdi", "label", classes[state.word.cls]), " (" + state.word.ids.size + " texts) ");
      const clear = element("button", "", "clear word");
      clear.type = "button";
      clear.addEventListener("click", () => update({ word: null }));
      chips.append(clear);
    }
  }

  // The script runs right after the first chunk while the parser goes on reading the file: chunk c is
  // complete once the element after it exists, so filters work before the whole file is read.
  const parsed = () => document.readyState !== "loading";
  const available = (id) => {
    const c = Math.floor(id / config.chunkSize);
    return c === 0 || parsed() || byId("attnviz-t" + (c + 1)) !== null;
  };

  function render() {
    if (state.query && !parsed()) return waitForData();
    const ids = selection();
    const pages = Math.max(1, Math.ceil(ids.length / config.perPage));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    const shown = ids.slice(state.page * config.perPage, (state.page + 1) * config.perPage);
    if (!shown.every(available)) return waitForData();
    list.replaceChildren(...shown.map(drawExample));
    list.start = state.page * config.perPage + 1;
    byId("status").textContent = ids.length + " of " + total + " examples";
    byId("pages").textContent = "of " + pages;
    inputs.page.max = String(pages);
    inputs.page.value = String(state.page + 1);
    byId("prev").disabled = state.page === 0;
    byId("next").disabled = state.page >= pages - 1;
    describeFilters();
  }

  let waiting = 0;

  function waitForData() {
    byId("status").textContent = "reading the rest of the report...";
    if (!waiting) {
      waiting = setTimeout(() => {
        waiting = 0;
        render();
      }, 50);
    }
  }

  function syncInputs() {
    if (inputs.misclassified) inputs.misclassified.checked = state.misclassified;
    if (inputs.trueClass) inputs.trueClass.value = String(state.trueClass);
    inputs.predClass.value = String(state.predClass);
    inputs.sort.value = state.sort;
    if (inputs.search.value !== state.query) inputs.search.value = state.query;
  }

  function update(changes, keepPage) {
    Object.assign(state, changes);
    if (!keepPage) state.page = 0;
    syncInputs();
    render();
  }

  function showExamples() {
    byId("examples-title").scrollIntoView({ block: "start" });
  }

  function bind() {
    if (inputs.misclassified) {
      inputs.misclassified.addEventListener("change", () => update({ misclassified: inputs.misclassified.checked }));
      inputs.trueClass.addEventListener("change", () => update({ trueClass: Number(inputs.trueClass.value) }));
    }
    inputs.predClass.addEventListener("change", () => update({ predClass: Number(inputs.predClass.value) }));
    inputs.sort.addEventListener("change", () => update({ sort: inputs.sort.value }));
    let timer = 0;
    inputs.search.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => update({ query: inputs.search.value }), 150);
    });
    inputs.outline.addEventListener("change", () => list.classList.toggle("outline-above", inputs.outline.checked));
    inputs.page.addEventListener("change", () => update({ page: Number(inputs.page.value) - 1 }, true));
    byId("prev").addEventListener("click", () => update({ page: state.page - 1 }, true));
    byId("next").addEventListener("click", () => update({ page: state.page + 1 }, true));
    byId("clear").addEventListener("click", () =>
      update({ misclassified: false, trueClass: -1, predClass: -1, word: null, query: "" }),
    );
    for (const cell of document.querySelectorAll("button.cell")) {
      cell.addEventListener("click", () => {
        const filter = { trueClass: Number(cell.dataset.true), predClass: Number(cell.dataset.pred) };
        update({ ...filter, misclassified: false, word: null });
        showExamples();
      });
    }
    for (const button of document.querySelectorAll("button.word")) {
      button.addEventListener("click", () => {
        const cls = Number(button.dataset.class);
        const ids = new Set(config.lexicon[cls][Number(button.dataset.word)]);
        update({ word: { cls, ids, text: button.querySelector("bdi").textContent } });
        showExamples();
      });
    }
    darkQuery.addEventListener("change", () => render());
  }

  bind();
  syncInputs();
  render();
  performance.mark("attnviz-ready"); // for benchmarks/report_render.py
  const ready = () => document.documentElement.setAttribute("data-ready", "1");
  if (parsed()) ready();
  else document.addEventListener("DOMContentLoaded", ready, { once: true });
})();
