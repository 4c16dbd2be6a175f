// attnviz report: the examples' data and which of them are shown. Chunks of the page's JSON elements are
// parsed on first use and a few are kept; the filters, the sort and the page pick the examples to draw.
// Nothing here writes to the document.
// eslint-disable-next-line no-unused-vars
function attnvizDecodeBase64(text) {
  "use strict";
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// `decodeMethods(chunk, k)`: the other explanation methods of example k of a chunk (report_methods.js).
// eslint-disable-next-line no-unused-vars
function attnvizReportStore(config, index, readJson, decodeMethods) {
  "use strict";

  const total = index.p.length;

  // ---- data: chunks are parsed on first use and a few are kept ----

  const chunkCache = new Map();
  const MAX_CACHED = 16;
  let allTexts = null;
  let lowerTexts = null;

  function loadChunk(number) {
    let chunk = chunkCache.get(number);
    if (chunk) {
      chunkCache.delete(number); // re-insert: Map order is our least-recently-used order
    } else {
      chunk = readJson("attnviz-d" + number);
      chunk.texts = allTexts ? null : readJson("attnviz-t" + number);
    }
    chunkCache.set(number, chunk);
    if (chunkCache.size > MAX_CACHED) chunkCache.delete(chunkCache.keys().next().value);
    return chunk;
  }

  // Typed arrays read the machine's byte order: little-endian on every platform browsers run on.
  const UNSIGNED = { 1: Uint8Array, 2: Uint16Array, 4: Uint32Array };

  function example(id) {
    const chunk = loadChunk(Math.floor(id / config.chunkSize));
    const k = id % config.chunkSize;
    const packed = attnvizDecodeBase64(chunk.o[k]).buffer;
    const offsets = new UNSIGNED[chunk.ob[k]](packed);
    const n = offsets.length / 2;
    const bytes = attnvizDecodeBase64(chunk.w[k]).buffer;
    const all = chunk.wb[k] === 4 ? new Float32Array(bytes) : new Float64Array(bytes);
    const views = [];
    for (let v = 0; v < chunk.v[k]; v++) views.push(all.subarray(v * n, (v + 1) * n));
    const text = allTexts ? allTexts[id] : chunk.texts[k];
    const methods = decodeMethods(chunk, k);
    return { id, text, offsets, n, views, methods, probabilities: chunk.p[k], truncated: chunk.t[k] === 1 };
  }

  function searchable() {
    if (!lowerTexts) {
      allTexts = [];
      for (let c = 0; c < config.chunks; c++) {
        const cached = chunkCache.get(c);
        for (const text of cached && cached.texts ? cached.texts : readJson("attnviz-t" + c)) allTexts.push(text);
      }
      lowerTexts = allTexts.map((text) => text.toLowerCase());
    }
    return lowerTexts;
  }

  // ---- filtering, sorting, paging ----

  const state = {
    misclassified: false,
    trueClass: -1,
    predClass: -1,
    word: null,
    query: "",
    sort: "original",
    page: 0,
  };
  const SORTS = {
    original: null,
    "confidence-asc": (a, b) => index.c[a] - index.c[b] || a - b,
    "confidence-desc": (a, b) => index.c[b] - index.c[a] || a - b,
    "loss-desc": (a, b) => index.l[b] - index.l[a] || a - b,
    "length-desc": (a, b) => index.n[b] - index.n[a] || a - b,
    "length-asc": (a, b) => index.n[a] - index.n[b] || a - b,
  };
  const sortedCache = new Map();

  function sorted(key) {
    if (!sortedCache.has(key)) {
      const ids = Array.from({ length: total }, (_, i) => i);
      if (SORTS[key]) ids.sort(SORTS[key]);
      sortedCache.set(key, ids);
    }
    return sortedCache.get(key);
  }

  function selection() {
    const query = state.query.toLowerCase();
    const texts = query ? searchable() : null;
    const words = state.word ? state.word.ids : null;
    return sorted(state.sort).filter(
      (i) =>
        (!state.misclassified || index.y[i] !== index.p[i]) &&
        (state.trueClass < 0 || index.y[i] === state.trueClass) &&
        (state.predClass < 0 || index.p[i] === state.predClass) &&
        (!words || words.has(i)) &&
        (!texts || texts[i].includes(query)),
    );
  }

  return { state, example, selection, total };
}
