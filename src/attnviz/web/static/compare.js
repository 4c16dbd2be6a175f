// attnviz serve: the "Compare models" panel (shown with two or more models). The text typed in the explain
// panel, explained by two models side by side, and where their attention differs when both read the same
// words. Loaded after app.js, whose `attnvizPage` it uses; like app.js it puts user text and API answers
// into the document only as text nodes.
(() => {
  "use strict";

  const page = window.attnvizPage;
  const byId = (id) => document.getElementById(id);
  const left = byId("compare-left");
  if (!page || !left) return;
  const { post, drawHeatmap, viewWeights, formatWeight, setStatus } = page;
  const ui = { text: byId("text"), method: byId("method") };
  const parts = {
    left,
    right: byId("compare-right"),
    status: byId("compare-status"),
    note: byId("compare-note"),
    maps: [byId("compare-left-map"), byId("compare-right-map")],
    captions: [byId("compare-left-caption"), byId("compare-right-caption")],
    difference: byId("compare-difference"),
  };
  let last = null;
  let request = 0;

  function redraw() {
    if (!last) return;
    last.explanations.forEach((explanation, side) => {
      const weights = viewWeights(explanation, "");
      parts.captions[side].textContent = last.models[side] + ": " + explanation.label;
      drawHeatmap(parts.maps[side], explanation, weights, (t) => "attention " + formatWeight(weights[t]));
    });
    parts.note.textContent = last.note;
    parts.difference.replaceChildren();
    if (!last.same_tokens) return;
    const sizes = last.difference.map(Math.abs);
    drawHeatmap(parts.difference, last.explanations[0], sizes, (t) => {
      const d = last.difference[t];
      return "left − right = " + (d >= 0 ? "+" : "−") + formatWeight(Math.abs(d));
    });
    parts.difference.querySelectorAll(".token").forEach((span, t) => {
      const d = last.difference[t];
      if (d !== 0) span.classList.add(d > 0 ? "more-left" : "more-right");
    });
  }

  async function run() {
    const text = ui.text.value;
    const number = ++request;
    if (!text.trim()) return;
    if (left.value === parts.right.value) {
      setStatus(parts.status, "Pick two different models to compare.");
      return;
    }
    try {
      const body = { text, models: [left.value, parts.right.value], method: ui.method.value };
      const data = await (await post("/api/v1/compare", body)).json();
      if (number !== request) return;
      last = data;
      setStatus(parts.status, "");
      redraw();
    } catch (error) {
      if (number === request) setStatus(parts.status, error.message, true);
    }
  }

  left.addEventListener("change", run);
  parts.right.addEventListener("change", run);
  page.addPanel({ schedule: run, redraw });
})();
