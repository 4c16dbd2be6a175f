// attnviz report: the "methods side by side" block under each example's heatmap, one row per explanation
// method, attention first. Signed methods (config.signedMethods) use the diverging palette scaled by the
// largest absolute score; the others the report's sequential palette and scale. Colours follow
// attnviz.render.colors exactly; user text goes in only as text nodes (drawText, from report.js).
// eslint-disable-next-line no-unused-vars
function attnvizMethods(config, tools) {
  "use strict";

  const { element, decodeBase64, drawText, formatWeight, colours, stops } = tools;
  const methods = config.methods || [];
  const signed = new Set(config.signedMethods || []);

  // The extra methods' weights of example k of a chunk, in config.methods order (float32 or float64).
  function decode(chunk, k) {
    if (!methods.length) return [];
    return chunk.m[k].map((data, j) => {
      const bytes = decodeBase64(data).buffer;
      return chunk.mb[k][j] === 4 ? new Float32Array(bytes) : new Float64Array(bytes);
    });
  }

  function paintRow(spans, method, weights) {
    const isSigned = signed.has(method);
    const values = isSigned ? colours.normaliseSigned(weights) : colours.normalise(weights, config.scale);
    const palette = stops();
    spans.forEach((span, t) => {
      const background = isSigned ? colours.shadeSigned(values[t]) : colours.shade(values[t], palette);
      span.style.setProperty("background-color", colours.hex(background));
      span.style.setProperty("color", colours.hex(colours.textColour(background)));
      const description = method + " " + formatWeight(weights[t]);
      span.title = description;
      span.setAttribute("aria-description", description);
    });
  }

  function drawRow(ex, method, weights) {
    const row = element("div", "method-row");
    row.setAttribute("data-method", method);
    const name = element("span", "method-name", method);
    if (signed.has(method)) name.title = "signed: blue supports the predicted class, red speaks against it";
    const { box, spans } = drawText(ex, "method-text", "mtok");
    paintRow(spans, method, weights);
    row.append(name, box);
    return row;
  }

  // One example's block, or null when the report has no extra methods or the model read no words.
  function draw(ex) {
    if (!methods.length || ex.n === 0) return null;
    const block = element("div", "methods");
    block.setAttribute("role", "group");
    block.setAttribute("aria-label", "explanation methods side by side");
    block.append(element("p", "methods-title", "methods side by side"));
    block.append(drawRow(ex, "attention", ex.views[0]));
    methods.forEach((method, j) => block.append(drawRow(ex, method, ex.methods[j])));
    return block;
  }

  return { decode, draw };
}
