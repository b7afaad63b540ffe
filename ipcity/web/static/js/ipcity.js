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
