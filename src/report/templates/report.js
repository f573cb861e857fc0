"use strict";
// Sorting and filtering of the models table, and of the model sections below it. Reads only
// data-* attributes and text the page already holds; never builds HTML from them.
// The URL fragment can preset the filter: #filter=llama&category=community&severity=warning.
// After each filter the page records what it shows on <html> (data-visible-models, data-ready,
// data-pwned = typeof window.__pwned), which the browser test reads from the dumped DOM.
(function () {
  var table = document.getElementById("models");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var category = document.getElementById("category");
  var severity = document.getElementById("severity");
  var shown = document.getElementById("shown");
  var none = document.getElementById("no-match");
  var rank = { none: 0, note: 1, warning: 2, error: 3 };

  function matches(row) {
    var text = (filter.value || "").trim().toLowerCase();
    var words = text ? text.split(/\s+/) : [];
    var hay = row.getAttribute("data-text") || "";
    for (var i = 0; i < words.length; i++) {
      if (hay.indexOf(words[i]) < 0) { return false; }
    }
    if (category.value && row.getAttribute("data-category") !== category.value) { return false; }
    var worst = row.getAttribute("data-worst") || "none";
    if (severity.value === "none") { return worst === "none"; }
    if (severity.value) { return (rank[worst] || 0) >= (rank[severity.value] || 0); }
    return true;
  }

  function apply() {
    var visible = 0;
    rows.forEach(function (row) {
      var ok = matches(row);
      row.hidden = !ok;
      var section = document.getElementById(row.getAttribute("data-anchor"));
      if (section) { section.hidden = !ok; }
      if (ok) { visible++; }
    });
    shown.textContent = visible + " of " + rows.length + " models";
    none.hidden = visible !== 0;
    var root = document.documentElement;
    root.setAttribute("data-visible-models", String(visible));
    root.setAttribute("data-pwned", typeof window.__pwned);
    root.setAttribute("data-ready", "1");
  }

  function key(row, col) {
    var cell = row.cells[col];
    if (!cell) { return ""; }
    return cell.getAttribute("data-value") || cell.textContent.trim().toLowerCase();
  }

  function sort(button) {
    var th = button.parentNode;
    var col = Number(button.getAttribute("data-col"));
    var numeric = button.hasAttribute("data-numeric");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      var d = numeric ? Number(x) - Number(y) : (x < y ? -1 : x > y ? 1 : 0);
      return ascending ? d : -d;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function fromFragment() {
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("=") < 0) { return; }
    hash.split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      var name = decodeURIComponent(pair.slice(0, i));
      var value = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " "));
      if (name === "filter") { filter.value = value; }
      if (name === "category") { category.value = value; }
      if (name === "severity") { severity.value = value; }
      if (name === "sort") {
        var b = table.tHead.querySelector('button[data-col="' + Number(value) + '"]');
        if (b) { sort(b); }
      }
    });
  }

  Array.prototype.forEach.call(table.tHead.querySelectorAll("button[data-col]"), function (b) {
    b.addEventListener("click", function () { sort(b); });
  });
  [filter, category, severity].forEach(function (el) {
    el.addEventListener("input", apply);
    el.addEventListener("change", apply);
  });
  document.getElementById("controls").addEventListener("submit", function (e) { e.preventDefault(); });
  try { fromFragment(); } catch (e) { /* a malformed fragment leaves the filter empty */ }
  apply();
})();
