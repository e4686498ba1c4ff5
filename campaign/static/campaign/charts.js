/* Campaign charts: each .campaign-chart names a json_script element holding {labels, bars, line?}.
   Bars are counts (or percentages for rate charts), the optional line a percentage on a second axis. */
(function () {
  "use strict";
  // Every bar is named (interval 0): labels turn when they do not fit side by side, and a long
  // name is cut with an ellipsis rather than dropped.
  function categoryLabels(el, labels) {
    var slot = (el.clientWidth - 64) / Math.max(1, labels.length);
    var longest = labels.reduce(function (m, l) { return Math.max(m, String(l).length); }, 0);
    if (longest * 12 <= slot || slot >= 56) {
      return { interval: 0, hideOverlap: false, rotate: 0, width: slot - 4, overflow: "break", fontSize: 11 };
    }
    return { interval: 0, hideOverlap: false, rotate: slot < 18 ? 90 : 45, width: 96, overflow: "truncate", fontSize: 11 };
  }
  // One precision for every percentage, as on the dashboard and in the tables: "3.0%", "5.9%".
  function percent(value) { return value == null ? "—" : Number(value).toFixed(1) + "%"; }
  function draw(el) {
    if (!window.echarts) return;
    var source = document.getElementById(el.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var isRate = el.dataset.chart === "rates";
    var series = [{ name: data.bars.name, type: "bar", data: data.bars.data, barMaxWidth: 56, itemStyle: { color: "#0b4a82" },
      label: isRate ? { show: true, position: "top", formatter: function (p) { return percent(p.value); } } : undefined,
      tooltip: isRate ? { valueFormatter: percent } : undefined }];
    var yAxis = [{ type: "value", axisLabel: isRate ? { formatter: "{value}%" } : {} , minInterval: isRate ? 0 : 1 }];
    if (data.line) {
      series.push({ name: data.line.name, type: "line", yAxisIndex: 1, data: data.line.data, smooth: true,
        itemStyle: { color: "#b4410b" }, label: { show: false }, tooltip: { valueFormatter: percent } });
      yAxis.push({ type: "value", axisLabel: { formatter: "{value}%" }, min: 0 });
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: data.line ? 8 : 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: isRate ? categoryLabels(el, data.labels) : { interval: "auto", hideOverlap: true } },
      yAxis: yAxis,
      series: series
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() { document.querySelectorAll(".campaign-chart").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
