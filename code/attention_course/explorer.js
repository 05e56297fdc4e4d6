function (id) {
  // The attention explorer (attention_course/explorer.py writes the data; this draws it).
  // Row t of a (T, S) matrix is output token t's attention over the S source tokens.
  var root = document.getElementById(id);
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var fallback = root.querySelector(".ax-fallback");
  if (fallback) fallback.remove();                     // shown only where scripts do not run
  var data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var state = {sentence: 0, model: 0, layer: -1, head: "mean", t: 0};
  var COLOUR = "117,59,189";                           // plots.HIGHLIGHT, the course's attention colour

  var style = document.createElement("style");
  style.textContent = [
    "#ID{font:14px/1.5 system-ui,sans-serif;color:#111;background:#fff;border:1px solid #ddd;",
    "border-radius:6px;padding:8px 10px;margin:8px 0;max-width:100%;box-sizing:border-box}",
    "#ID .ax-title{font-weight:600;margin:0 0 6px}",
    "#ID .ax-row{margin:4px 0;display:flex;flex-wrap:wrap;align-items:center;gap:4px}",
    "#ID .ax-label{color:#555;min-width:4.5em}",
    "#ID button{font:inherit;color:#111;background:#f4f4f4;border:1px solid #bbb;border-radius:4px;",
    "padding:1px 7px;cursor:pointer}",
    "#ID button.on{background:#333;color:#fff;border-color:#333}",
    "#ID .ax-out button{background:#fff}",
    "#ID .ax-out button.on{background:rgb(" + COLOUR + ");border-color:rgb(" + COLOUR + ")}",
    "#ID .ax-tok{display:inline-block;padding:1px 4px;border-radius:3px;border:1px solid transparent}",
    "#ID .ax-tok.top{border-color:#111}",
    "#ID .ax-grid{overflow-x:auto;margin-top:6px}",
    "#ID table{border-collapse:collapse;font-size:11px;margin:0}",
    "#ID td,#ID th{padding:0;border:none;background:none}",
    "#ID td.c{width:20px;height:20px;min-width:20px;cursor:pointer}",
    "#ID tr.on th{font-weight:700;color:rgb(" + COLOUR + ")}",
    "#ID tr.on td.c{box-shadow:inset 0 2px 0 #111,inset 0 -2px 0 #111}",
    "#ID th{font-weight:400;text-align:right;padding-right:4px;white-space:nowrap}",
    "#ID th.s{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;vertical-align:bottom;padding:4px 2px;line-height:16px;height:auto}",
    "#ID select{font:inherit;max-width:100%}"
  ].join("").split("#ID").join("#" + id);
  root.appendChild(style);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function row(label, cls) {
    var r = el("div", "ax-row " + cls);
    r.setAttribute("role", "group");
    r.setAttribute("aria-label", label);
    r.appendChild(el("span", "ax-label", label));
    root.appendChild(r);
    return r;
  }
  var controls = row("sentence", "ax-sentences");
  var select = el("select");
  select.setAttribute("aria-label", "sentence");
  data.sources.forEach(function (s, i) {
    var o = el("option", null, (i + 1) + ". " + s.join(" "));
    o.value = i;
    select.appendChild(o);
  });
  select.onchange = function () { state.sentence = +select.value; state.t = 0; draw(); };
  controls.appendChild(select);
  var modelRow = row("model", "ax-models"), layerRow = row("block", "ax-layers"), headRow = row("head", "ax-heads");
  var outRow = row("output", "ax-out"), srcRow = row("source", "ax-source");
  var note = el("div", "ax-row ax-note");
  note.setAttribute("aria-live", "polite");
  note.style.color = "#555";
  root.appendChild(note);
  var grid = el("div", "ax-grid");
  root.appendChild(grid);

  function buttons(parent, labels, current, pick) {
    while (parent.children.length > 1) parent.removeChild(parent.lastChild);
    labels.forEach(function (label, i) {
      var on = String(label) === String(current);
      var b = el("button", on ? "on" : "", label);
      b.type = "button";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.onclick = function () { pick(label, i); };
      parent.appendChild(b);
    });
  }
  function matrix() {                                   // (T, S) for the chosen model, layer, head
    var m = data.models[state.model], w = m.sentences[state.sentence].weights;
    var layer = w[state.layer < 0 ? w.length - 1 : state.layer];
    if (state.head !== "mean") return layer[state.head - 1];
    return layer[0].map(function (r, t) {
      return r.map(function (_, s) {
        var sum = 0;
        layer.forEach(function (h) { sum += h[t][s]; });
        return sum / layer.length;
      });
    });
  }
  function shade(cell, a, most) {                      // most: the opacity of a weight of 1
    cell.style.background = "rgba(" + COLOUR + "," + ((most || 0.9) * a).toFixed(3) + ")";
  }

  function draw() {
    var m = data.models[state.model], sentence = m.sentences[state.sentence];
    var source = data.sources[state.sentence], output = sentence.output;
    if (state.layer >= m.layers) state.layer = -1;
    if (state.head !== "mean" && state.head > m.heads) state.head = "mean";
    state.t = Math.min(state.t, output.length - 1);
    buttons(modelRow, data.models.map(function (x) { return x.name; }), m.name,
            function (_, i) { state.model = i; draw(); });
    var layers = [], heads = ["mean"];
    for (var l = 1; l <= m.layers; l++) layers.push(l);
    for (var h = 1; h <= m.heads; h++) heads.push(h);
    layerRow.style.display = m.layers > 1 ? "" : "none";
    headRow.style.display = m.heads > 1 ? "" : "none";
    buttons(layerRow, layers, state.layer < 0 ? m.layers : state.layer + 1,
            function (label) { state.layer = label - 1; draw(); });
    buttons(headRow, heads, state.head, function (label) { state.head = label; draw(); });
    var w = matrix(), alpha = w[state.t];

    buttons(outRow, output, null, function (_, i) { state.t = i; draw(); });
    Array.prototype.forEach.call(outRow.querySelectorAll("button"), function (b, i) {
      if (i === state.t) { b.classList.add("on"); b.setAttribute("aria-pressed", "true"); }
      b.onmouseenter = b.onfocus = function () { state.t = i; drawSource(w[i]); mark(i); };
    });
    drawSource(alpha);

    grid.innerHTML = "";
    var table = el("table"), head = el("tr");
    head.appendChild(el("th"));
    source.forEach(function (s) { head.appendChild(el("th", "s", s)); });
    table.appendChild(head);
    w.forEach(function (r, t) {
      var tr = el("tr", t === state.t ? "r on" : "r");
      tr.appendChild(el("th", null, output[t]));
      r.forEach(function (a, s) {
        var c = el("td", "c");
        shade(c, a);
        c.title = output[t] + " \u2190 " + source[s] + ": " + a.toFixed(3);
        c.onclick = function () { state.t = t; draw(); };
        tr.appendChild(c);
      });
      table.appendChild(tr);
    });
    grid.appendChild(table);
    root.dataset.step = state.t;                        // read by the book's browser test
  }
  function mark(t) {
    Array.prototype.forEach.call(outRow.querySelectorAll("button"), function (b, i) {
      b.classList.toggle("on", i === t);
      b.setAttribute("aria-pressed", i === t ? "true" : "false");
    });
    Array.prototype.forEach.call(grid.querySelectorAll("tr.r"), function (r, i) {
      r.classList.toggle("on", i === t);
    });
  }
  function drawSource(alpha) {
    var source = data.sources[state.sentence];
    while (srcRow.children.length > 1) srcRow.removeChild(srcRow.lastChild);
    var best = alpha.indexOf(Math.max.apply(null, alpha));
    source.forEach(function (s, i) {
      var tok = el("span", "ax-tok" + (i === best ? " top" : ""), s);
      shade(tok, alpha[i], 0.6);                        // lighter: black text stays legible
      tok.title = alpha[i].toFixed(3);
      srcRow.appendChild(tok);
    });
    note.textContent = "largest weight " + alpha[best].toFixed(2) + " on \u201c" + source[best] +
      "\u201d; rows of the heatmap below are output tokens, columns source tokens (click a row).";
  }
  draw();
}
