// The colour model of attnviz.render.colors, operation for operation, for the pages' own scripts (the
// report inlines it, `attnviz serve` serves it), so every shade in a browser equals Python's. `model` is
// colors.script_colour_model(): the stops, the dark stops and Python's sRGB -> linear table for WCAG.
// eslint-disable-next-line no-unused-vars
function attnvizColours(model) {
  "use strict";

  const unit = (v) => (Number.isNaN(v) ? 0 : Math.min(1, Math.max(0, v)));

  // Python's round(): halves go to the even neighbour (Math.round would send them up).
  function roundHalfEven(x) {
    const floor = Math.floor(x);
    const rest = x - floor;
    if (rest !== 0.5) return rest < 0.5 ? floor : floor + 1;
    return floor % 2 === 0 ? floor : floor + 1;
  }

  // normalise_weights: "max" divides by the largest weight (nothing positive maps to 0), "fixed" clips.
  function normalise(weights, scale) {
    const finite = Array.from(weights, (w) => (Number.isFinite(w) ? w : 0));
    if (scale === "fixed") return finite.map(unit);
    let largest = 0;
    for (const w of finite) if (w > largest) largest = w;
    if (largest <= 0) return finite.map(() => 0);
    return finite.map((w) => unit(w / largest));
  }

  // normalise_signed: divide by the largest absolute weight, into [-1, 1].
  function normaliseSigned(weights) {
    const finite = Array.from(weights, (w) => (Number.isFinite(w) ? w : 0));
    let largest = 0;
    for (const w of finite) if (Math.abs(w) > largest) largest = Math.abs(w);
    return finite.map((w) => (largest > 0 ? Math.max(-1, Math.min(1, w / largest)) : 0));
  }

  // shade_signed: [-1, 1] onto the diverging stops.
  const shadeSigned = (value) =>
    shade(Number.isFinite(value) ? (Math.max(-1, Math.min(1, value)) + 1) / 2 : 0.5, model.divergingStops);

  function shade(value, stops) {
    const position = unit(value) * (stops.length - 1);
    const low = Math.min(Math.floor(position), stops.length - 2);
    const fraction = position - low;
    return stops[low].map((a, k) => roundHalfEven(a + (stops[low + 1][k] - a) * fraction));
  }

  const luminance = (rgb) =>
    0.2126 * model.linear[rgb[0]] + 0.7152 * model.linear[rgb[1]] + 0.0722 * model.linear[rgb[2]];

  function contrast(a, b) {
    const la = luminance(a);
    const lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  const BLACK = [0, 0, 0];
  const WHITE = [255, 255, 255];
  const textColour = (rgb) => (contrast(rgb, BLACK) >= contrast(rgb, WHITE) ? BLACK : WHITE);
  const hex = (rgb) => "#" + rgb.map((c) => c.toString(16).padStart(2, "0")).join("");

  return { unit, normalise, normaliseSigned, shade, shadeSigned, textColour, hex };
}
