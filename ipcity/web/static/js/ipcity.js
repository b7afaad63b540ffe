// The language chosen with ?lang= sticks to the next pages (the server reads the cookie).
(function () {
  var lang = new URLSearchParams(window.location.search).get("lang");
  if (lang) {
    document.cookie = "lang=" + encodeURIComponent(lang) + "; path=/; max-age=31536000; samesite=lax";
  }
})();
// Send the CSRF token with every htmx request (state-changing requests need it).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
  // A filter form sends every box, the empty ones too: leave those out of the URL and history.
  var data = event.detail.formData;
  if (event.detail.verb === "get" && data) {
    var empty = [];
    data.forEach(function (value, key) {
      if (value === "" && data.getAll(key).every(function (v) { return v === ""; })) { empty.push(key); }
    });
    empty.forEach(function (key) { data.delete(key); });
  }
});
// Charts: any element with data-echarts holds its option as JSON.
function ipcityCharts(root) {
  if (typeof echarts === "undefined") { return; }
  (root || document).querySelectorAll("[data-echarts]").forEach(function (el) {
    var chart = echarts.getInstanceByDom(el) || echarts.init(el, null, { renderer: "svg" });
    chart.setOption(JSON.parse(el.getAttribute("data-echarts")));
    window.addEventListener("resize", function () { chart.resize(); });
  });
}
document.addEventListener("DOMContentLoaded", function () { ipcityCharts(document); });
document.addEventListener("htmx:afterSwap", function (event) { ipcityCharts(event.target); });
// A filter form that updates the list in place also updates the address (hx-push-url): the
// link to the other language follows it, so that the list in the other language is the
// same list, not the one the page was first opened with.
document.addEventListener("htmx:pushedIntoHistory", function () {
  var link = document.querySelector("a.lang");
  if (!link) { return; }
  var target = new URL(link.href, window.location.href).searchParams.get("lang");
  var url = new URL(window.location.href);
  url.searchParams.set("lang", target);
  link.setAttribute("href", url.pathname + url.search);
});
// Lists on a phone: a table of several columns (a header row in <thead>) is marked "stacked",
// and each cell gets its column's name (data-label), so that the 640 px query of ipcity.css
// can show every row as a card of "name: value" lines instead of a table scrolled sideways.
// Without this script the table keeps its scrolling box. A table marked data-stack="no" (a
// matrix read across its rows and sorted by its column headers) keeps its columns. The roles
// keep the table a table for screen readers once its CSS display is changed (browsers drop
// the table semantics of a table shown as blocks).
function ipcityStackTables(root) {
  var scope = root || document;
  var tables = scope.matches && scope.matches("table.data") ? [scope] : scope.querySelectorAll("table.data");
  tables.forEach(function (table) {
    if (table.getAttribute("data-stack") === "no") { return; }
    var head = table.tHead && table.tHead.rows.length === 1 ? table.tHead.rows[0] : null;
    if (!head || head.cells.length < 3) { return; }
    var labels = [];
    for (var i = 0; i < head.cells.length; i++) {
      var cell = head.cells[i];
      // A header may name its column for the cards itself (data-label: a sortable header's
      // name and unit without its arrow; "" for a row's name, shown as the card's title).
      var label = cell.hasAttribute("data-label") ? cell.getAttribute("data-label")
        : (cell.innerText || cell.textContent).replace(/\s+/g, " ").trim();
      for (var span = 0; span < (cell.colSpan || 1); span++) { labels.push(label); }
    }
    table.classList.add("stacked");
    table.setAttribute("role", "table");
    head.parentNode.setAttribute("role", "rowgroup");
    head.setAttribute("role", "row");
    for (var h = 0; h < head.cells.length; h++) { head.cells[h].setAttribute("role", "columnheader"); }
    for (var b = 0; b < table.tBodies.length; b++) {
      var body = table.tBodies[b];
      body.setAttribute("role", "rowgroup");
      for (var r = 0; r < body.rows.length; r++) {
        var row = body.rows[r];
        row.setAttribute("role", "row");
        var column = 0;
        for (var c = 0; c < row.cells.length; c++) {
          var td = row.cells[c];
          td.setAttribute("role", td.tagName === "TH" ? "rowheader" : "cell");
          // A cell across several columns (a total's caption, "nothing found") is its own line.
          td.setAttribute("data-label", td.colSpan > 1 ? "" : labels[column] || "");
          column += td.colSpan || 1;
        }
      }
    }
  });
}
document.addEventListener("DOMContentLoaded", function () { ipcityStackTables(document); });
// After the settle, not the swap: htmx settles an element that kept its id (the list's table)
// by putting back the attributes the server sent, which would drop the class set here.
document.addEventListener("htmx:afterSettle", function (event) { ipcityStackTables(event.target); });
// A filter form marked data-fold (the patent search): on a phone, the fields after the first
// (the search box) fold behind a button named by data-fold, with the number of filters set, so
// that the results start on the first screen. The fields are only hidden (ipcity.css): the
// form sends them as before. Without this script every field shows.
function ipcityFoldFilters(root) {
  (root || document).querySelectorAll("form.filters[data-fold]").forEach(function (form) {
    if (form.querySelector(".fold-toggle")) { return; }
    var fields = form.querySelectorAll(":scope > label");
    if (fields.length < 4) { return; }
    var rest = Array.prototype.slice.call(fields, 1);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn secondary fold-toggle";
    button.setAttribute("aria-expanded", "false");
    function name() {
      var set = rest.filter(function (label) {
        var field = label.querySelector("input, select");
        return field && field.value !== "";
      }).length;
      button.textContent = form.getAttribute("data-fold") + (set ? " (" + set + ")" : "");
    }
    name();
    form.addEventListener("change", name);
    button.addEventListener("click", function () {
      var folded = form.classList.toggle("folded");
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    });
    // Beside the form's search button: folded, the two sit under the search box; unfolded,
    // below the fields, where the fields were chosen.
    var submit = form.querySelector("button[type=submit]");
    form.insertBefore(button, submit && submit.parentNode === form ? submit : null);
    form.classList.add("folded");
  });
}
document.addEventListener("DOMContentLoaded", function () { ipcityFoldFilters(document); });

// "Select all on this page": a checkbox marked data-check-all="NAME" ticks or clears every
// checkbox NAME of its form (also those tied to the form by their form attribute). Without
// script the boxes are ticked one by one.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("input[data-check-all]")) { return; }
  var form = box.form;
  if (!form) { return; }
  Array.prototype.forEach.call(form.elements, function (el) {
    if (el.type === "checkbox" && el.name === box.getAttribute("data-check-all")) { el.checked = box.checked; }
  });
});
