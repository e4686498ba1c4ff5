/* Campaign charts: each .campaign-chart names a json_script element holding {labels, bars, line?}.
   Bars are counts (or percentages for rate charts), the optional line a percentage on a second axis. */
(function () {
  "use strict";
  function draw(el) {
    if (!window.echarts) return;
    var source = document.getElementById(el.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var isRate = el.dataset.chart === "rates";
    var series = [{ name: data.bars.name, type: "bar", data: data.bars.data, barMaxWidth: 56, itemStyle: { color: "#0b4a82" },
      label: isRate ? { show: true, position: "top", formatter: "{c}%" } : undefined }];
    var yAxis = [{ type: "value", axisLabel: isRate ? { formatter: "{value}%" } : {} , minInterval: isRate ? 0 : 1 }];
    if (data.line) {
      series.push({ name: data.line.name, type: "line", yAxisIndex: 1, data: data.line.data, smooth: true,
        itemStyle: { color: "#b4410b" }, label: { show: false } });
      yAxis.push({ type: "value", axisLabel: { formatter: "{value}%" }, min: 0 });
    }
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: data.line ? 56 : 16, top: 36, bottom: 40 },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: "auto", rotate: data.labels.length > 10 ? 45 : 0 } },
      yAxis: yAxis,
      series: series
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() { document.querySelectorAll(".campaign-chart").forEach(draw); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
