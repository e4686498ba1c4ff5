/* Organizer dashboard: live totals, county ranking that re-sorts, charts (ECharts), connection state.
 * Figures arrive on WS /ws/competitions/<id>/live/ ({"type": "stats"} about once a second while
 * they change; {"type": "status", "live": false} while the live store is down). */
(function () {
  "use strict";
  var root = document.getElementById("lb-dashboard");
  var configEl = document.getElementById("lb-config");
  if (!root || !configEl) return;
  var config = JSON.parse(configEl.textContent);
  var text = config.text;
  var locale = (config.language || "zh-hans").indexOf("en") === 0 ? "en" : "zh-CN";
  var numberFormat = new Intl.NumberFormat(locale);
  var timeFormat = new Intl.DateTimeFormat(locale, { month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  var bucketMs = (config.timeline.bucket_seconds || 300) * 1000;
  var sortKey = "participants";
  var stats = config.initial;
  var timeline = config.timeline.points.map(function (p) {
    return { t: Date.parse(p.at), participants: p.participants, attempts: p.attempts };
  });

  // --- connection indicator -------------------------------------------------------------------
  var conn = document.getElementById("lb-conn");
  function setConnection(state, detail) {
    conn.dataset.state = state;
    conn.querySelector(".lb-conn__text").textContent = detail || text[state] || state;
  }

  // --- totals ---------------------------------------------------------------------------------
  function rateText(rate) {
    return rate === null || rate === undefined ? text.noTarget : (rate * 100).toFixed(1) + "%";
  }
  function setValue(el, value) {
    if (!el) return;
    if (el.textContent !== value) {
      var changed = el.textContent !== "" && el.dataset.ready === "1";
      el.textContent = value;
      el.dataset.ready = "1";
      if (changed) {
        el.classList.add("is-changed");
        clearTimeout(el._flash);
        el._flash = setTimeout(function () { el.classList.remove("is-changed"); }, 1200);
      }
    }
  }
  function kpi(name) { return root.querySelector('[data-kpi="' + name + '"]'); }

  // --- ranking --------------------------------------------------------------------------------
  var rowsEl = document.getElementById("lb-rows");
  function rowFor(region) {
    var row = rowsEl.querySelector('[data-region="' + region.id + '"]');
    if (row) return row;
    var empty = rowsEl.querySelector(".lb-empty");
    if (empty) empty.remove();
    row = document.createElement("li");
    row.className = "lb-row";
    row.dataset.region = region.id;
    row.innerHTML = '<span class="lb-rank"></span><span class="lb-name"><span></span><small class="lb-narrow-only"></small></span>' +
      '<span class="lb-num" data-field="participants"></span><span class="lb-num lb-wide-only" data-field="attempts"></span>' +
      '<span class="lb-num lb-wide-only" data-field="points"></span>' +
      '<span class="lb-rate"><span class="lb-bar"><span class="lb-bar__fill"></span></span><span class="lb-rate__text" data-field="rate"></span></span>';
    row.querySelector(".lb-name span").textContent = region.name;
    rowsEl.appendChild(row);
    return row;
  }
  function sortValue(region) {
    return sortKey === "rate" ? (region.participation_rate || 0) : region[sortKey];
  }
  function renderRanking(regions) {
    // FLIP: remember where rows are, reorder, then animate from the old place to the new one.
    var before = {};
    Array.prototype.forEach.call(rowsEl.children, function (el) { before[el.dataset.region] = el.getBoundingClientRect().top; });
    var ordered = regions.slice().sort(function (a, b) {
      return sortValue(b) - sortValue(a) || b.points - a.points || a.id - b.id;
    });
    ordered.forEach(function (region, index) {
      var row = rowFor(region);
      row.querySelector(".lb-rank").textContent = index + 1;
      setValue(row.querySelector('[data-field="participants"]'), numberFormat.format(region.participants));
      setValue(row.querySelector('[data-field="attempts"]'), numberFormat.format(region.attempts));
      setValue(row.querySelector('[data-field="points"]'), numberFormat.format(region.points));
      row.querySelector('[data-field="rate"]').textContent = rateText(region.participation_rate);
      var sub = row.querySelector(".lb-name .lb-narrow-only");
      sub.textContent = "";
      [text.attempts + " " + numberFormat.format(region.attempts), text.points + " " + numberFormat.format(region.points)]
        .forEach(function (part, i) {
          if (i) sub.appendChild(document.createTextNode(" · "));
          var chunk = document.createElement("span");
          chunk.className = "lb-chunk";
          chunk.textContent = part;
          sub.appendChild(chunk);
        });
      var pct = Math.min(100, (region.participation_rate || 0) * 100);
      row.querySelector(".lb-bar__fill").style.width = pct.toFixed(1) + "%";
      row.title = region.name + " · " + text.rate + " " + rateText(region.participation_rate) +
        " (" + numberFormat.format(region.participants) + " / " + numberFormat.format(region.headcount_target) + ")";
      rowsEl.appendChild(row);
    });
    Array.prototype.forEach.call(rowsEl.children, function (el) {
      var old = before[el.dataset.region];
      if (old === undefined) return;
      var delta = old - el.getBoundingClientRect().top;
      if (!delta) return;
      el.style.transition = "none";
      el.style.transform = "translateY(" + delta + "px)";
      requestAnimationFrame(function () {
        el.style.transition = "";
        el.style.transform = "";
      });
    });
  }

  // --- charts ---------------------------------------------------------------------------------
  var hasCharts = typeof window.echarts !== "undefined";
  var timelineChart = hasCharts ? window.echarts.init(document.getElementById("lb-timeline")) : null;
  var ratesChart = hasCharts ? window.echarts.init(document.getElementById("lb-rates")) : null;
  var palette = ["#0b4a82", "#d97706"];
  function renderTimeline() {
    if (!timelineChart) return;
    // Carry the latest figures on to "now", so the first minutes of a campaign (one or two
    // buckets) still draw a line instead of an invisible single point.
    var points = timeline.slice();
    if (points.length) {
      var last = points[points.length - 1];
      var now = Date.now();
      if (new Date(last.t).getTime() < now) points.push({ t: now, participants: last.participants, attempts: last.attempts });
    }
    var fewPoints = points.length < 30;
    timelineChart.setOption({
      color: palette,
      animation: false,
      grid: { left: 48, right: 16, top: 32, bottom: 28 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [text.participants, text.attempts] },
      xAxis: { type: "time", axisLabel: { hideOverlap: true, formatter: { day: "{MM}-{dd}", hour: "{HH}:{mm}", minute: "{HH}:{mm}" } } },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: text.participants, type: "line", showSymbol: fewPoints, step: false, areaStyle: { opacity: 0.08 },
          data: points.map(function (p) { return [p.t, p.participants]; }) },
        { name: text.attempts, type: "line", showSymbol: fewPoints,
          data: points.map(function (p) { return [p.t, p.attempts]; }) }
      ]
    });
  }
  var ratesEl = document.getElementById("lb-rates");
  function renderRates(regions) {
    if (!ratesChart) return;
    // One bar per county: a scope of one county needs a short chart, the prefecture a taller one.
    var height = Math.max(110, Math.min(320, 30 * regions.length + 40)) + "px";
    if (ratesEl.style.height !== height) {
      ratesEl.style.height = height;
      ratesChart.resize();
    }
    var ordered = regions.slice().sort(function (a, b) { return (a.participation_rate || 0) - (b.participation_rate || 0); });
    ratesChart.setOption({
      color: ["#0b4a82"],
      animationDurationUpdate: 500,
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
        valueFormatter: function (v) { return v.toFixed(1) + "%"; } },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" }, max: function (v) { return Math.max(10, Math.ceil(v.max / 10) * 10); } },
      yAxis: { type: "category", data: ordered.map(function (r) { return r.name; }),
        axisLabel: { interval: 0, hideOverlap: false, width: 110, overflow: "truncate" } },
      series: [{ type: "bar", name: text.rate, barMaxWidth: 18,
        label: { show: true, position: "right", formatter: function (p) { return p.value.toFixed(1) + "%"; } },
        data: ordered.map(function (r) { return Math.round((r.participation_rate || 0) * 1000) / 10; }) }]
    });
  }
  window.addEventListener("resize", function () {
    if (timelineChart) timelineChart.resize();
    if (ratesChart) ratesChart.resize();
  });

  // --- one update -----------------------------------------------------------------------------
  function render(next) {
    stats = next;
    setValue(kpi("participants"), numberFormat.format(next.participants));
    setValue(kpi("attempts"), numberFormat.format(next.attempts));
    setValue(kpi("points"), numberFormat.format(next.points));
    setValue(kpi("rate"), rateText(next.participation_rate));
    setValue(kpi("target"), numberFormat.format(next.headcount_target));
    document.getElementById("lb-updated").textContent = next.updated_at ? timeFormat.format(new Date(next.updated_at)) : "–";
    renderRanking(next.regions);
    renderRates(next.regions);
  }
  function extendTimeline(next) {
    var start = Math.floor(Date.now() / bucketMs) * bucketMs;
    var last = timeline[timeline.length - 1];
    if (last && last.participants === next.participants && last.attempts === next.attempts) return;
    if (last && last.t === start) {
      last.participants = next.participants;
      last.attempts = next.attempts;
    } else {
      timeline.push({ t: start, participants: next.participants, attempts: next.attempts });
    }
    renderTimeline();
  }

  Array.prototype.forEach.call(root.querySelectorAll(".lb-sort button"), function (button) {
    button.addEventListener("click", function () {
      sortKey = button.dataset.sort;
      root.querySelectorAll(".lb-sort button").forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
      renderRanking(stats.regions);
    });
  });

  render(stats);
  renderTimeline();

  // --- the socket -----------------------------------------------------------------------------
  var FINAL_CODES = { 4401: true, 4403: true, 4404: true };
  var delay = 1000;
  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + config.wsPath);
    var refused = false;
    socket.onopen = function () { setConnection("connecting"); };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "stats") {
        delay = 1000;
        if (conn.dataset.state !== "paused") setConnection("live");
        render(message);
        extendTimeline(message);
      } else if (message.type === "status") {
        setConnection(message.live ? "live" : "paused", message.live ? text.live : text.paused);
        conn.title = message.detail || "";
      } else if (message.type === "error") {
        refused = true;
        setConnection("refused", message.detail);
      }
    };
    socket.onclose = function (event) {
      if (refused || FINAL_CODES[event.code]) {
        if (!refused) setConnection("refused");
        return;
      }
      setConnection("reconnecting");
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }
  connect();
}());
