// attnviz serve: the "Compare methods" panel. The text typed in the explain panel, one row per chosen
// explanation method, each row's heatmap from its own /api/v1/explain request (in parallel, each one
// cancelled by the next for its row). Loaded after app.js, whose `attnvizPage` it uses; like app.js it
// puts user text and API answers into the document only as text nodes.
(() => {
  "use strict";

  const page = window.attnvizPage;
  const section = document.getElementById("methods");
  if (!page || !section) return;
  const { config, element, post, drawHeatmap, formatWeight, modelInfo, setStatus } = page;
  const DEFAULTS = ["attention", "gradient-x-input", "integrated-gradients", "leave-one-out"];
  const parts = {
    text: document.getElementById("text"),
    model: document.getElementById("model"),
    choices: document.getElementById("methods-choices"),
    status: document.getElementById("methods-status"),
    rows: document.getElementById("methods-rows"),
  };
  const chosen = new Set(DEFAULTS);
  const rows = new Map(); // method -> { node, map, message, controller, request, explanation }

  const offered = () => modelInfo(parts.model.value).methods;
  const wanted = () => offered().filter((method) => chosen.has(method)); // attention first, as offered

  function fillChoices() {
    const methods = offered();
    section.hidden = methods.length < 2;
    parts.choices.replaceChildren(
      ...methods.map((method) => {
        const box = element("input");
        box.type = "checkbox";
        box.value = method;
        box.checked = chosen.has(method);
        box.addEventListener("change", () => toggle(method, box.checked));
        const label = element("label", "choice");
        label.append(box, " " + method);
        return label;
      }),
    );
  }

  function makeRow(method) {
    const signed = config.signedMethods.includes(method);
    const node = element("figure", signed ? "method-row signed" : "method-row");
    node.dataset.method = method;
    const map = element("div", "heatmap");
    map.dir = "auto";
    const message = element("p", "status error");
    message.hidden = true;
    node.append(element("figcaption", "", method), map, message);
    return { node, map, message, controller: null, request: 0, explanation: null };
  }

  function dropRow(method) {
    const row = rows.get(method);
    if (row.controller) row.controller.abort();
    row.node.remove();
    rows.delete(method);
  }

  // Keeps one row per wanted method, in the offered order; rows already drawn stay as they are.
  function syncRows() {
    const methods = wanted();
    for (const method of [...rows.keys()]) if (!methods.includes(method)) dropRow(method);
    for (const method of methods) if (!rows.has(method)) rows.set(method, makeRow(method));
    parts.rows.replaceChildren(...methods.map((method) => rows.get(method).node));
    if (!methods.length) setStatus(parts.status, "Tick one or more methods to see their rows.");
  }

  function drawRow(method) {
    const row = rows.get(method);
    const explanation = row.explanation;
    row.message.hidden = true;
    row.map.hidden = false;
    if (!explanation) {
      row.map.replaceChildren();
      return;
    }
    const weights = explanation.tokens.map((token) => token.weight);
    const signed = config.signedMethods.includes(method);
    drawHeatmap(row.map, explanation, weights, (t) => method + " " + formatWeight(weights[t]), signed);
  }

  function showError(row, message) {
    row.explanation = null;
    row.map.replaceChildren();
    row.map.hidden = true;
    row.message.textContent = message;
    row.message.hidden = false;
  }

  async function explainRow(method, text) {
    const row = rows.get(method);
    if (row.controller) row.controller.abort();
    const number = ++row.request;
    row.controller = new AbortController();
    try {
      const body = { texts: [text], model: parts.model.value, method };
      const data = await (await post("/api/v1/explain", body, row.controller.signal)).json();
      if (number !== row.request || rows.get(method) !== row) return; // a newer request is on its way
      row.explanation = data.explanations[0];
      drawRow(method);
      setStatus(parts.status, "Model " + data.model + " predicts " + row.explanation.label + ".");
    } catch (error) {
      if (error.name !== "AbortError" && number === row.request) showError(row, error.message);
    }
  }

  function schedule() {
    syncRows();
    const text = parts.text.value;
    if (section.hidden || !rows.size) return;
    if (text.trim()) {
      for (const method of rows.keys()) explainRow(method, text);
      return;
    }
    for (const [method, row] of rows) {
      if (row.controller) row.controller.abort();
      row.explanation = null;
      drawRow(method);
    }
    setStatus(parts.status, "Type a text above to see it under each chosen method.");
  }

  function toggle(method, checked) {
    if (checked) chosen.add(method);
    else chosen.delete(method);
    syncRows();
    const text = parts.text.value;
    if (checked && text.trim()) explainRow(method, text);
  }

  const redraw = () => rows.forEach((row, method) => row.explanation && drawRow(method));

  parts.model.addEventListener("change", () => {
    fillChoices();
    schedule();
  });
  fillChoices();
  page.addPanel({ schedule, redraw });
  schedule();
})();
