// Drawing user text safely, shared by the report's script and `attnviz serve`'s page (the report inlines
// it, the server serves it). Text reaches the document only as text nodes, never parsed as markup.
// `pattern` is attnviz.render.terminal.CONTROL_CHARACTERS: the characters to show by their code.
// eslint-disable-next-line no-unused-vars
function attnvizText(pattern) {
  "use strict";

  const controls = new RegExp(pattern, "g");
  const hasControls = new RegExp(pattern);

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Control characters (bidi overrides among them) stay in the text, so it stays the original, inside a
  // span whose CSS shows their code; a Windows line end is ordinary and stays as it is.
  function appendText(parent, text) {
    if (!hasControls.test(text)) {
      parent.append(text); // a string argument becomes a text node
      return;
    }
    let last = 0;
    for (const match of text.matchAll(controls)) {
      if (match.index > last) parent.append(text.slice(last, match.index));
      const char = match[0];
      if (char === "\r" && text[match.index + 1] === "\n") {
        parent.append(char);
      } else {
        const code = "U+" + char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
        const marker = element("span", "ctl", char);
        marker.setAttribute("data-code", code);
        marker.title = "control character " + code;
        parent.append(marker);
      }
      last = match.index + char.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // What follows the last token: dimmed and marked "not read" when the model cut the text there.
  function appendRest(box, rest, truncated) {
    if (rest && truncated) {
      const tail = element("span", "tail");
      tail.title = "not read by the model";
      appendText(tail, rest);
      box.append(tail);
    } else if (rest) {
      appendText(box, rest);
    }
  }

  return { element, appendText, appendRest };
}
