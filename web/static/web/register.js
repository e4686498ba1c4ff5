/* Registration: the unit list follows the chosen county (GET /api/v1/organizations/?region=ID),
   asks for the county first while none is chosen, and choosing a unit preselects its industry when
   none is chosen yet. */
(function () {
  "use strict";
  var form = document.getElementById("register-form");
  if (!form) return;
  var county = form.querySelector("[name=region]");
  var unit = form.querySelector("[name=organization]");
  var industry = form.querySelector("[name=industry]");
  var unitIndustry = {};

  function option(value, text) {
    var el = document.createElement("option");
    el.value = value;
    el.textContent = text;
    return el;
  }

  function setOptions(units, keep, placeholder) {
    unit.innerHTML = "";
    unit.appendChild(option("", placeholder || (units.length ? form.dataset.unitsEmpty : form.dataset.unitsNone)));
    units.forEach(function (u) {
      unitIndustry[String(u.id)] = u.industry;
      unit.appendChild(option(u.id, u.name));
    });
    unit.disabled = units.length === 0;
    if (keep && unitIndustry[keep] !== undefined) unit.value = keep;
  }

  function loadUnits(keep) {
    var region = county.value;
    if (!region) { setOptions([], null, form.dataset.unitsCountyFirst); return; }
    unit.innerHTML = "";
    unit.appendChild(option("", form.dataset.unitsLoading));
    unit.disabled = true;
    fetch(form.dataset.unitsUrl + "?region=" + encodeURIComponent(region), {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (units) { if (county.value === region) setOptions(units, keep); })
      .catch(function () { setOptions([], null); unit.disabled = false; });
  }

  county.addEventListener("change", function () { loadUnits(null); });
  unit.addEventListener("change", function () {
    var code = unitIndustry[unit.value];
    if (code && industry && !industry.value) industry.value = code;
  });
  // A re-rendered form keeps the chosen unit; a fresh one starts empty.
  loadUnits(unit.value || null);
})();
