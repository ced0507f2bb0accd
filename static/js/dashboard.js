/* Dashboard charts: each .chart-box inside .charts[data-src] is drawn from the JSON of that URL (the
   place's scoped data endpoint) with Apache ECharts, served from our own static files. */
(function () {
  "use strict";
  /* ECharts writes a tooltip's formatter output as HTML: every name interpolated into it (places, tiers
     — data anyone with the right role can type) goes through escapeHtml, so "<img onerror=…>" is text. */
  var escapeHtml = function (value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"'`]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" }[c];
    });
  };
  window.accountabilityCharts = { escapeHtml: escapeHtml };
  var root = document.querySelector(".charts[data-src]");
  if (!root || !window.echarts) { return; }
  var english = root.dataset.lang === "en";
  var t = english
    ? { rate: "Compliance rate (%)", checked: "Checked", violations: "Violations", atRisk: "At risk", month: "Month" }
    : { rate: "合规率（%）", checked: "已到期检查", violations: "违规", atRisk: "进度预警", month: "月" };
  var init = function (el) { return echarts.init(el, null, { renderer: "canvas", locale: english ? "EN" : "ZH" }); };
  var pct = function (r) { return r === null || r === undefined ? null : Math.round(r * 1000) / 10; };

  function grid(el, data) {
    var g = data.grid;
    el.style.height = Math.max(220, 28 * g.rows.length + 80) + "px";
    init(el).setOption({
      tooltip: { position: "top", formatter: function (p) { return escapeHtml(g.rows[p.value[1]]) + " · " + escapeHtml(g.columns[p.value[0]]) + "：" + (p.value[2] === null ? "—" : escapeHtml(p.value[2]) + "%"); } },
      grid: { left: 90, right: 10, top: 10, bottom: 95 },
      xAxis: { type: "category", data: g.columns, splitArea: { show: true } },
      yAxis: { type: "category", data: g.rows, inverse: true, splitArea: { show: true } },
      visualMap: { min: 50, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120, text: ["100%", "50%"], inRange: { color: ["#b3261e", "#f0d58c", "#2e7d32"] } },
      series: [{ type: "heatmap", data: g.cells, label: { show: g.columns.length * g.rows.length <= 200, fontSize: 10, formatter: function (p) { return p.value[2] === null ? "" : Math.round(p.value[2]); } } }]
    });
  }

  function trend(el, data) {
    el.style.height = "260px";
    var months = data.trend.map(function (r) { return r.month + (english ? "" : t.month); });
    init(el).setOption({
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 50, right: 50, top: 20, bottom: 50 },
      xAxis: { type: "category", data: months },
      yAxis: [{ type: "value" }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: t.violations, type: "bar", stack: "n", data: data.trend.map(function (r) { return r.violations; }), itemStyle: { color: "#b3261e" } },
        { name: t.atRisk, type: "bar", stack: "n", data: data.trend.map(function (r) { return r.at_risk; }), itemStyle: { color: "#bf8700" } },
        { name: t.rate, type: "line", yAxisIndex: 1, data: data.trend.map(function (r) { return pct(r.rate); }), itemStyle: { color: "#2e7d32" } }
      ]
    });
  }

  function tiers(el, data) {
    el.style.height = Math.max(200, 30 * data.tiers.length + 60) + "px";
    init(el).setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 150, right: 30, top: 10, bottom: 30 },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: data.tiers.map(function (r) { return r.code + " " + r.name; }), axisLabel: { width: 140, overflow: "truncate" } },
      series: [{ name: t.rate, type: "bar", data: data.tiers.map(function (r) { return pct(r.rate); }), itemStyle: { color: "#0969da" } }]
    });
  }

  var draw = { grid: grid, trend: trend, tiers: tiers };
  fetch(root.dataset.src, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
    .then(function (data) {
      root.querySelectorAll(".chart-box[data-chart]").forEach(function (el) {
        draw[el.dataset.chart](el, data);
        el.setAttribute("data-drawn", "true");
      });
      window.addEventListener("resize", function () {
        root.querySelectorAll(".chart-box").forEach(function (el) { var c = echarts.getInstanceByDom(el); if (c) { c.resize(); } });
      });
    })
    .catch(function () { root.classList.add("charts-failed"); });
})();
