// attnviz serve: explains the text as it is typed, through the JSON API of the same server.
// User text (and everything the API echoes) reaches the document only as text nodes (append of a string,
// textContent, new Option), never parsed as markup; attributes are set only from numbers and our own words.
// Colours follow attnviz.render.colors operation for operation (the numbers come from the page's config).
(() => {
  "use strict";

  const byId = (id) => document.getElementById(id);
  const config = JSON.parse(byId("attnviz-config").textContent);
  const darkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  const { element, appendText, appendRest } = attnvizText(config.controls);

  // ---- colour model: attnvizColours (colors.js, loaded before this script) ----

  const { unit, normalise: normaliseBy, normaliseSigned, shade, shadeSigned, textColour, hex } = attnvizColours(config);
  const normalise = (weights) => normaliseBy(weights, "max");
  const stops = () => (darkQuery.matches ? config.darkStops : config.stops);

  // ---- drawing text safely ----

  // The API counts code points (Python); JavaScript strings count UTF-16 units. offsets[i] = units before point i.
  function utf16Offsets(text) {
    const offsets = [0];
    let units = 0;
    for (const char of text) {
      units += char.length;
      offsets.push(units);
    }
    return offsets;
  }

  const formatWeight = (w) => (Number.isFinite(w) ? w.toFixed(w > 0 && w < 0.001 ? 6 : 3) : String(w));

  // A signed method's own scores (red against the prediction, blue for it) use the diverging palette.
  const isSigned = (method, view) => !view && config.signedMethods.includes(method);

  function paint(span, value, description, signed) {
    const background = signed ? shadeSigned(value) : shade(value, stops());
    span.style.setProperty("background-color", hex(background));
    span.style.setProperty("color", hex(textColour(background)));
    span.title = description;
    span.setAttribute("aria-description", description);
  }

  // Draws `explanation.text` into `box` with one shaded span per token; `describe(t)` titles token t.
  function drawHeatmap(box, explanation, weights, describe, signed = false) {
    box.replaceChildren();
    const text = explanation.text;
    const offsets = utf16Offsets(text);
    const values = signed ? normaliseSigned(weights) : normalise(weights);
    let position = 0;
    explanation.tokens.forEach((token, t) => {
      const start = offsets[token.start];
      const end = offsets[token.end];
      if (start > position) appendText(box, text.slice(position, start));
      const span = element("span", "token");
      span.setAttribute("data-weight", String(weights[t]));
      appendText(span, text.slice(start, end));
      paint(span, values[t], describe(t), signed);
      box.append(span);
      position = end;
    });
    appendRest(box, text.slice(position), explanation.truncated);
    return box;
  }

  const viewWeights = (explanation, view) =>
    explanation.tokens.map((token) => (view ? token.class_weights[view] ?? 0 : token.weight));

  // ---- talking to the API ----

  async function post(path, body, signal) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) {
      let message = "The server answered " + response.status + ".";
      try {
        message = (await response.json()).message || message;
      } catch (ignored) {
        // not JSON: keep the status line
      }
      throw new Error(message);
    }
    return response;
  }

  function save(blob, filename) {
    const url = URL.createObjectURL(blob);
    const link = element("a");
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
  }

  // ---- the explain panel ----

  const ui = {
    text: byId("text"),
    model: byId("model"),
    method: byId("method"),
    view: byId("view"),
    status: byId("status"),
    result: byId("result"),
    label: byId("label"),
    confidence: byId("confidence"),
    probabilities: byId("probabilities"),
    heatmap: byId("heatmap"),
    truncated: byId("truncated"),
    ramp: byId("ramp"),
  };
  const state = { explanation: null, model: null, method: null, request: 0, controller: null, timer: 0 };

  function setStatus(node, message, failed) {
    node.textContent = message;
    node.classList.toggle("error", Boolean(failed));
  }

  const modelInfo = (name) => config.models.find((model) => model.name === name) || config.models[0];

  function fillMethods() {
    const methods = modelInfo(ui.model.value).methods;
    const current = ui.method.value;
    ui.method.replaceChildren(...methods.map((name) => new Option(name, name)));
    if (methods.includes(current)) ui.method.value = current;
    ui.method.disabled = methods.length < 2;
  }

  function fillViews(classes) {
    const current = ui.view.value;
    const options = [new Option("attention used", "")];
    for (const name of classes) options.push(new Option("class " + name + "'s own attention", name));
    ui.view.replaceChildren(...options);
    ui.view.value = classes.includes(current) ? current : "";
  }

  function drawProbabilities(explanation) {
    const items = Object.entries(explanation.probabilities).map(([name, probability]) => {
      const item = element("li", name === explanation.label ? "predicted" : "");
      const bar = element("span", "bar");
      const fill = element("span", "fill");
      fill.style.setProperty("width", (100 * unit(probability)).toFixed(1) + "%");
      bar.append(fill);
      item.append(element("bdi", "class-name", name), bar, element("span", "number", probability.toFixed(3)));
      return item;
    });
    ui.probabilities.replaceChildren(...items);
  }

  function drawExplanation() {
    const explanation = state.explanation;
    const view = ui.view.value;
    const weights = viewWeights(explanation, view);
    ui.label.textContent = explanation.label;
    ui.confidence.textContent = "(" + (explanation.probabilities[explanation.label] ?? 0).toFixed(3) + ")";
    drawProbabilities(explanation);
    const signed = isSigned(explanation.method, view);
    const name = explanation.method === "attention" || view ? "attention " : explanation.method + " ";
    drawHeatmap(ui.heatmap, explanation, weights, (t) => name + formatWeight(weights[t]), signed);
    drawRamp(signed);
    ui.truncated.hidden = !explanation.truncated;
    ui.truncated.textContent = "The model read the first " + explanation.tokens.length + " words; the rest was not read.";
    ui.result.hidden = false;
  }

  async function explain() {
    const text = ui.text.value;
    if (state.controller) state.controller.abort();
    const number = ++state.request;
    if (!text.trim()) {
      ui.result.hidden = true;
      setStatus(ui.status, "Type a text to see what the model attends to.");
      return;
    }
    state.controller = new AbortController();
    setStatus(ui.status, "Explaining…");
    try {
      const body = { texts: [text], model: ui.model.value, method: ui.method.value };
      const data = await (await post("/api/v1/explain", body, state.controller.signal)).json();
      if (number !== state.request) return; // a newer text is on its way
      Object.assign(state, { explanation: data.explanations[0], model: data.model, method: data.method });
      fillViews(Object.keys(state.explanation.probabilities));
      drawExplanation();
      setStatus(ui.status, "Model " + data.model + ", method " + data.method + ".");
    } catch (error) {
      if (error.name !== "AbortError" && number === state.request) setStatus(ui.status, error.message, true);
    }
  }

  function schedule() {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => {
      explain();
      panels.forEach((panel) => panel.schedule());
    }, config.debounceMs);
  }

  async function download(kind) {
    if (!state.explanation) return;
    try {
      if (kind === "json") {
        const json = JSON.stringify(state.explanation, null, 2);
        save(new Blob([json], { type: "application/json" }), "explanation.json");
        return;
      }
      const body = { texts: [state.explanation.text], model: state.model, method: state.method };
      if (ui.view.value) body.view = ui.view.value;
      save(await (await post("/api/v1/render/" + kind, body)).blob(), "explanation." + kind);
    } catch (error) {
      setStatus(ui.status, error.message, true);
    }
  }

  // ---- wiring; the other panels' scripts (compare.js, methods.js) get only what `attnvizPage` holds ----

  const panels = [];
  const addPanel = (panel) => panels.push(panel);
  const shared = { config, element, post, drawHeatmap, viewWeights, formatWeight, modelInfo, setStatus, addPanel };
  window.attnvizPage = Object.freeze(shared);

  function drawRamp(signed = false) {
    const palette = signed ? config.divergingStops : stops();
    const parts = palette.map((rgb, i) => hex(rgb) + " " + ((100 * i) / (palette.length - 1)).toFixed(3) + "%");
    ui.ramp.style.setProperty("background", "linear-gradient(to right, " + parts.join(", ") + ")");
    byId("ramp-low").textContent = signed ? "-1" : "0";
    const legend = byId("ramp-text");
    legend.textContent = signed ? legend.dataset.signed : legend.dataset.attention;
  }

  function redrawAll() {
    if (state.explanation) drawExplanation();
    else drawRamp();
    panels.forEach((panel) => panel.redraw());
  }

  ui.text.maxLength = config.maxTextChars;
  ui.text.addEventListener("input", schedule);
  ui.model.addEventListener("change", () => {
    fillMethods();
    explain();
  });
  ui.method.addEventListener("change", schedule);
  ui.view.addEventListener("change", () => state.explanation && drawExplanation());
  for (const kind of ["json", "html", "png"]) byId("download-" + kind).addEventListener("click", () => download(kind));
  darkQuery.addEventListener("change", redrawAll);
  fillMethods();
  drawRamp();
  if (ui.text.value.trim()) schedule();
})();
