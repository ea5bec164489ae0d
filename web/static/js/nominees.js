// The new dossier form: while the nominee's name is typed, the registry's entries of that name are offered to pick
// from. Without this script the form offers them after the first save.
(function () {
  "use strict";
  var box = document.getElementById("nominee-matches");
  if (!box) { return; }
  var form = box.form || box.closest("form");
  var list = document.getElementById("nominee-match-list");
  var status = document.getElementById("nominee-match-status");
  var name = form.elements.namedItem("name");
  var kind = form.elements.namedItem("kind");
  var birthYear = form.elements.namedItem("birth_year");
  var token = null;
  var timer = null;
  var asked = 0;

  function fetchToken() {
    return fetch(box.dataset.tokenUrl, {
      method: "POST", headers: {"Accept": "application/json", "X-CSRFToken": box.dataset.csrf}
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) { token = body.token; });
  }

  function option(value, text) {
    var label = document.createElement("label");
    label.className = "check";
    var input = document.createElement("input");
    input.type = "radio";
    input.name = "nominee_id";
    input.value = value;
    label.appendChild(input);
    label.appendChild(document.createTextNode(" " + text));
    return label;
  }

  function show(entries) {
    var picked = form.querySelector("input[name=nominee_id]:checked");
    var kept = picked ? picked.value : null;
    list.textContent = "";
    entries.forEach(function (entry) {
      var parts = [entry.name, entry.unit_name];
      if (entry.birth_year) { parts.push(String(entry.birth_year)); }
      if (entry.position) { parts.push(entry.position); }
      list.appendChild(option(String(entry.id), parts.join(" · ")));
    });
    if (entries.length) { list.appendChild(option("new", box.dataset.newLabel)); }
    if (kept) {
      var again = list.querySelector("input[value='" + kept + "']");
      if (again) { again.checked = true; }
    }
    box.hidden = !entries.length;
    status.textContent = entries.length ? box.dataset.found : "";
  }

  function lookUp() {
    var typed = name.value.trim();
    var ask = ++asked;
    if (typed.length < 2) { show([]); return; }
    var query = "q=" + encodeURIComponent(typed) + "&kind=" + encodeURIComponent(kind.value);
    if (/^[0-9]{4}$/.test(birthYear.value.trim())) { query += "&birth_year=" + birthYear.value.trim(); }
    (token ? Promise.resolve() : fetchToken()).then(function () {
      return fetch(box.dataset.lookupUrl + "?" + query, {
        headers: {"Accept": "application/json", "Authorization": "Bearer " + token}
      });
    }).then(function (response) {
      if (response.status === 401) { token = null; }
      return response.ok ? response.json() : [];
    }).then(function (entries) {
      if (ask === asked) { show(entries); }
    }).catch(function () { /* the form still offers the matches when it is saved */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookUp, 250);
  }

  name.addEventListener("input", later);
  kind.addEventListener("change", later);
  birthYear.addEventListener("change", later);
}());
