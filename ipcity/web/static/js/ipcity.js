// Send the CSRF token with every htmx request (state-changing requests need it).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
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
