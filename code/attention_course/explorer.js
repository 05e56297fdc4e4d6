function (id) {
  // The attention explorer (attention_course/explorer.py writes the data; this draws it).
  // Row t of a (T, S) matrix is output token t's attention over the S source tokens.
  // Mouse, touch and keyboard do the same: Tab reaches each group of buttons and the heatmap,
  // the arrow keys move inside it (Home and End too), Enter or Space presses a button; focusing
  // or tapping an output token or a heatmap cell chooses that row, and the weights are printed
  // as text under the heatmap (a tooltip alone is never seen on a phone).
  var root = document.getElementById(id);
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var fallback = root.querySelector(".ax-fallback");
  if (fallback) fallback.remove();                     // shown only where scripts do not run
  var data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var state = {sentence: 0, model: 0, layer: -1, head: "mean", t: 0, s: 0};
  var COLOUR = "117,59,189";                           // plots.HIGHLIGHT, the course's attention colour

  var style = document.createElement("style");
  style.textContent = [
    // colours as variables: light by default, dark under the book's dark theme and JupyterLab's
    "#ID{--ax-fg:#111;--ax-bg:#fff;--ax-muted:#555;--ax-line:#ddd;--ax-button:#f4f4f4;--ax-edge:#bbb;",
    "--ax-on:#333;--ax-on-fg:#fff;--ax-focus:#0b5cad}",
    "html[data-theme=dark] #ID,body[data-jp-theme-light=false] #ID{--ax-fg:#e6e6e6;--ax-bg:#1e1e24;",
    "--ax-muted:#aaa;--ax-line:#444;--ax-button:#2c2c34;--ax-edge:#666;--ax-on:#ddd;--ax-on-fg:#111;--ax-focus:#8ab4f8}",
    "#ID{font:14px/1.5 system-ui,sans-serif;color:var(--ax-fg);background:var(--ax-bg);border:1px solid var(--ax-line);",
    "border-radius:6px;padding:8px 10px;margin:8px 0;max-width:100%;box-sizing:border-box}",
    "#ID .ax-title{font-weight:600;margin:0 0 6px}",
    "#ID .ax-row{margin:4px 0;display:flex;flex-wrap:wrap;align-items:center;gap:4px}",
    "#ID .ax-label,#ID .ax-note,#ID .ax-values{color:var(--ax-muted)}",
    "#ID .ax-label{min-width:4.5em}",
    // touch targets: 44 px tall buttons and menu, heatmap cells 26 px
    "#ID button{font:inherit;color:var(--ax-fg);background:var(--ax-button);border:1px solid var(--ax-edge);",
    "border-radius:4px;padding:2px 10px;min-height:44px;min-width:44px;cursor:pointer;box-sizing:border-box}",
    "#ID button.on{background:var(--ax-on);color:var(--ax-on-fg);border-color:var(--ax-on)}",
    "#ID .ax-out button{background:var(--ax-bg)}",
    "#ID .ax-out button.on{background:rgb(" + COLOUR + ");border-color:rgb(" + COLOUR + ");color:#fff}",
    "#ID button:focus-visible,#ID select:focus-visible,#ID td.c:focus-visible{outline:3px solid var(--ax-focus);outline-offset:1px}",
    "#ID .ax-tok{display:inline-block;padding:1px 4px;border-radius:3px;border:1px solid transparent}",
    "#ID .ax-tok.top{border-color:var(--ax-fg)}",
    "#ID .ax-grid{overflow-x:auto;margin-top:6px}",
    "#ID table{border-collapse:collapse;font-size:11px;margin:0;color:var(--ax-fg)}",
    "#ID td,#ID th{padding:0;border:none;background:none;color:inherit}",
    "#ID td.c{width:26px;height:26px;min-width:26px;cursor:pointer;outline-offset:-3px}",
    "#ID tr.on th{font-weight:700;color:rgb(" + COLOUR + ")}",
    "html[data-theme=dark] #ID tr.on th,body[data-jp-theme-light=false] #ID tr.on th{color:#c9a7f5}",
    "#ID tr.on td.c{box-shadow:inset 0 2px 0 var(--ax-fg),inset 0 -2px 0 var(--ax-fg)}",
    "#ID th{font-weight:400;text-align:right;padding-right:4px;white-space:nowrap}",
    "#ID th.s{writing-mode:vertical-rl;transform:rotate(180deg);text-align:left;vertical-align:bottom;padding:4px 2px;line-height:16px;height:auto}",
    "#ID select{font:inherit;max-width:100%;min-height:44px;color:var(--ax-fg);background:var(--ax-bg);border:1px solid var(--ax-edge)}",
    "#ID .ax-values{margin:6px 0 0;font-size:13px}"
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
  select.onchange = function () { state.sentence = +select.value; state.t = 0; state.s = 0; draw(); };
  controls.appendChild(select);
  var modelRow = row("model", "ax-models"), layerRow = row("block", "ax-layers"), headRow = row("head", "ax-heads");
  var outRow = row("output", "ax-out"), srcRow = row("source", "ax-source");
  var note = el("div", "ax-row ax-note");
  note.setAttribute("aria-live", "polite");
  root.appendChild(note);
  var grid = el("div", "ax-grid");
  root.appendChild(grid);
  var values = el("p", "ax-values");                   // the chosen row's weights, as text
  root.appendChild(values);
  var w = null;                                        // the (T, S) matrix on show

  // A group of buttons is built once for its labels and then only updated, so a button that
  // was pressed keeps the focus. One button of a group is in the Tab order (the pressed one);
  // the arrow keys move between them.
  function buttons(parent, labels, current, pick) {
    var key = JSON.stringify(labels.map(String));
    if (parent.dataset.labels !== key) {
      while (parent.children.length > 1) parent.removeChild(parent.lastChild);
      labels.forEach(function (label, i) {
        var b = el("button", "", label);
        b.type = "button";
        b.onclick = function () { pick(label, i); };
        parent.appendChild(b);
      });
      parent.dataset.labels = key;
    }
    var list = parent.querySelectorAll("button"), on = -1;
    labels.forEach(function (label, i) { if (String(label) === String(current)) on = i; });
    press(list, on);
    return list;
  }
  function press(list, on) {
    Array.prototype.forEach.call(list, function (b, i) {
      b.classList.toggle("on", i === on);
      b.setAttribute("aria-pressed", i === on ? "true" : "false");
      b.tabIndex = i === Math.max(on, 0) ? 0 : -1;
    });
  }
  function arrows(parent) {                            // roving focus inside a group of buttons
    parent.addEventListener("keydown", function (e) {
      var list = Array.prototype.slice.call(parent.querySelectorAll("button"));
      var i = list.indexOf(document.activeElement), n = list.length, j;
      if (i < 0) return;
      if (e.key === "ArrowRight" || e.key === "ArrowDown") j = (i + 1) % n;
      else if (e.key === "ArrowLeft" || e.key === "ArrowUp") j = (i - 1 + n) % n;
      else if (e.key === "Home") j = 0;
      else if (e.key === "End") j = n - 1;
      else return;
      e.preventDefault();
      list.forEach(function (b, k) { b.tabIndex = k === j ? 0 : -1; });
      list[j].focus();
    });
  }
  [modelRow, layerRow, headRow, outRow].forEach(arrows);

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
    state.s = Math.min(state.s, source.length - 1);
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
    w = matrix();

    var outs = buttons(outRow, output, null, function (_, i) { choose(i); });
    Array.prototype.forEach.call(outs, function (b, i) {
      b.onmouseenter = b.onfocus = function () { choose(i); };
    });

    var focused = grid.contains(document.activeElement);   // a redraw keeps the focus on its cell
    grid.innerHTML = "";
    var table = el("table"), head = el("tr");
    table.setAttribute("role", "grid");
    table.setAttribute("aria-label", "attention weights: rows are output tokens, columns source tokens");
    head.appendChild(el("th"));
    source.forEach(function (s) { head.appendChild(el("th", "s", s)); });
    table.appendChild(head);
    w.forEach(function (r, t) {
      var tr = el("tr", "r");
      tr.appendChild(el("th", null, output[t]));
      r.forEach(function (a, s) {
        var c = el("td", "c");
        shade(c, a);
        c.title = output[t] + " \u2190 " + source[s] + ": " + a.toFixed(3);
        c.setAttribute("aria-label", c.title);
        c.dataset.t = t;
        c.dataset.s = s;
        c.tabIndex = -1;
        c.onclick = function () { c.focus(); pickCell(t, s); };
        c.onfocus = function () { pickCell(t, s); };
        tr.appendChild(c);
      });
      table.appendChild(tr);
    });
    table.addEventListener("keydown", function (e) {
      var t = state.t, s = state.s;
      if (e.key === "ArrowRight") s = Math.min(s + 1, source.length - 1);
      else if (e.key === "ArrowLeft") s = Math.max(s - 1, 0);
      else if (e.key === "ArrowDown") t = Math.min(t + 1, output.length - 1);
      else if (e.key === "ArrowUp") t = Math.max(t - 1, 0);
      else if (e.key === "Home") s = 0;
      else if (e.key === "End") s = source.length - 1;
      else return;
      e.preventDefault();
      cell(t, s).focus();
    });
    grid.appendChild(table);
    choose(state.t);
    if (focused) cell(state.t, state.s).focus();
  }
  function cell(t, s) {
    return grid.querySelector("td.c[data-t='" + t + "'][data-s='" + s + "']");
  }
  function pickCell(t, s) {                            // a cell tapped, clicked or reached by the keys
    state.s = s;
    choose(t);
    var source = data.sources[state.sentence], output = data.models[state.model].sentences[state.sentence].output;
    note.textContent = "weight of \u201c" + source[s] + "\u201d for \u201c" + output[t] + "\u201d: " +
      w[t][s].toFixed(3) + " (arrow keys move in the heatmap)";
  }
  function choose(t) {                                 // output token t: its row everywhere
    state.t = t;
    press(outRow.querySelectorAll("button"), t);
    Array.prototype.forEach.call(grid.querySelectorAll("tr.r"), function (r, i) {
      r.classList.toggle("on", i === t);
    });
    Array.prototype.forEach.call(grid.querySelectorAll("td.c"), function (c) {
      c.tabIndex = +c.dataset.t === t && +c.dataset.s === state.s ? 0 : -1;
    });
    drawSource(w[t]);
    root.dataset.step = t;                              // read by the book's browser test
  }
  function drawSource(alpha) {
    var source = data.sources[state.sentence];
    var output = data.models[state.model].sentences[state.sentence].output;
    while (srcRow.children.length > 1) srcRow.removeChild(srcRow.lastChild);
    var best = alpha.indexOf(Math.max.apply(null, alpha));
    source.forEach(function (s, i) {
      var tok = el("span", "ax-tok" + (i === best ? " top" : ""), s);
      shade(tok, alpha[i], 0.6);                        // lighter: the text stays legible
      tok.title = alpha[i].toFixed(3);
      srcRow.appendChild(tok);
    });
    note.textContent = "largest weight " + alpha[best].toFixed(2) + " on \u201c" + source[best] +
      "\u201d; rows of the heatmap below are output tokens, columns source tokens (click or tap a row).";
    values.textContent = "weights of \u201c" + output[state.t] + "\u201d: " + source.map(function (s, i) {
      return s + " " + alpha[i].toFixed(2);
    }).join(" \u00b7 ");
  }
  draw();
}
