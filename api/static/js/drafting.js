// The draft form: waste-code search as you type, and the party selects narrowed to what the
// typed codes, operation and pickup date allow. The form works without this file.
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form) {
    return;
  }
  var codesUrl = form.getAttribute("data-codes-url");
  var choicesUrl = form.getAttribute("data-choices-url");
  var datalist = document.getElementById("waste-code-options");
  var names = {};
  var lastChoices = null;

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(null, args); }, ms);
    };
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .catch(function () { return null; });
  }

  function codeInputs() {
    return form.querySelectorAll('input[id^="lines-"][id$="-waste_code"]');
  }

  function search(query) {
    query = query.trim();
    if (!query) {
      return;
    }
    getJson(codesUrl + "?q=" + encodeURIComponent(query)).then(function (data) {
      if (!data) {
        return;
      }
      datalist.textContent = "";
      data.items.forEach(function (item) {
        names[item.code] = item.name;
        var option = document.createElement("option");
        option.value = item.code;
        option.label = item.code + " " + item.name;
        datalist.appendChild(option);
      });
    });
  }

  function fillSelect(select, options) {
    var current = select.value;
    var blank = select.options.length ? select.options[0].text : "";
    select.textContent = "";
    select.appendChild(new Option(blank, ""));
    options.forEach(function (pair) {
      select.appendChild(new Option(pair[1], pair[0], false, pair[0] === current));
    });
  }

  function fillVehicles() {
    if (!lastChoices) {
      return;
    }
    var transporter = form.elements.transporter_id.value;
    fillSelect(
      form.elements.vehicle_plate,
      lastChoices.vehicles
        .filter(function (v) { return String(v.transporter_id) === transporter; })
        .map(function (v) { return [v.plate, v.plate + " · ≤ " + v.max_load_t + " t"]; })
    );
  }

  function refreshChoices() {
    var params = new URLSearchParams();
    codeInputs().forEach(function (input) {
      if (input.value.trim()) {
        params.append("code", input.value.trim());
      }
    });
    params.set("operation", form.elements.operation.value);
    params.set("pickup", form.elements.planned_pickup_at.value);
    getJson(choicesUrl + "?" + params.toString()).then(function (data) {
      if (!data) {
        return;
      }
      lastChoices = data;
      var pairs = function (orgs) {
        return orgs.map(function (o) { return [String(o.id), o.name]; });
      };
      fillSelect(form.elements.receiver_id, pairs(data.receivers));
      fillSelect(form.elements.transporter_id, pairs(data.transporters));
      fillSelect(form.elements.next_transporter_id, pairs(data.transporters));
      fillVehicles();
    });
  }

  function wire(input) {
    input.setAttribute("list", "waste-code-options");
    input.setAttribute("autocomplete", "off");
    input.addEventListener("input", debounce(function () { search(input.value); }, 200));
    input.addEventListener("change", function () {
      var nameInput = document.getElementById(input.id.replace(/waste_code$/, "name"));
      var name = names[input.value.trim()];
      if (name && nameInput && !nameInput.value) {
        nameInput.value = name;
      }
      refreshChoices();
    });
  }

  function showSludgeFields() {
    var sludge = document.getElementById("sludge-fields");
    sludge.classList.toggle("is-hidden", form.elements.kind.value !== "sludge");
  }

  codeInputs().forEach(wire);
  form.elements.operation.addEventListener("change", refreshChoices);
  form.elements.planned_pickup_at.addEventListener("change", refreshChoices);
  form.elements.transporter_id.addEventListener("change", fillVehicles);
  form.elements.kind.addEventListener("change", showSludgeFields);
  document.getElementById("refresh-choices").classList.add("is-hidden");
  document.getElementById("code-search").classList.add("is-hidden");
  showSludgeFields();
  refreshChoices();
})();
