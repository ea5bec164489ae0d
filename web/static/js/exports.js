// Starts an honours-list export through the API and follows its progress until the file can be saved.
(function () {
  "use strict";
  var exportForm = document.getElementById("export");
  var token = null;
  var job = document.getElementById("job");
  var bar = document.getElementById("export-progress");
  var statusLine = document.getElementById("export-status");
  var download = document.getElementById("export-download");
  var errorLine = document.getElementById("error");

  function api(method, path, body) {
    var options = {method: method, headers: {"Accept": "application/json"}};
    if (token) { options.headers["Authorization"] = "Bearer " + token; }
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      // The page's token has expired: a fresh page asks for a new one (or shows the sign-in page).
      if (response.status === 401) { window.location.reload(); }
      return response;
    });
  }

  // The API token is asked for with a POST, so that showing the page writes nothing.
  function fetchToken() {
    return fetch(exportForm.dataset.tokenUrl, {
      method: "POST", headers: {"Accept": "application/json", "X-CSRFToken": exportForm.dataset.csrf}
    }).then(function (response) {
      if (!response.ok) { window.location.reload(); }
      return response.json();
    }).then(function (body) { token = body.token; });
  }

  function showError(response) {
    return response.json().then(function (body) {
      errorLine.textContent = body.error ? body.error.message : String(response.status);
    });
  }

  function fill(select, items, label) {
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code;
      option.textContent = label(item);
      select.appendChild(option);
    });
  }

  function showExportForm() {
    var campaigns = exportForm.elements.campaign;
    var units = exportForm.elements.unit;
    if (campaigns.options.length) { return; }
    api("GET", "/api/v1/campaigns").then(function (response) { return response.json(); }).then(function (items) {
      fill(campaigns, items, function (item) { return item.name; });
    });
    api("GET", "/api/v1/units").then(function (response) { return response.json(); }).then(function (items) {
      fill(units, items, function (item) { return item.name; });
    });
  }

  function showJob(state) {
    var messages = exportForm.dataset;
    bar.max = Math.max(state.total, 1);
    bar.value = state.status === "done" ? bar.max : state.progress;
    if (state.status === "running") {
      statusLine.textContent = messages.running.replace("{done}", state.progress).replace("{total}", state.total);
    } else {
      statusLine.textContent = messages[state.status] || state.status;
    }
  }

  function offerDownload(state) {
    api("GET", state.download).then(function (response) { return response.blob(); }).then(function (blob) {
      download.href = URL.createObjectURL(blob);
      download.download = state.filename;
      download.hidden = false;
    });
  }

  function follow(id) {
    api("GET", "/api/v1/exports/" + encodeURIComponent(id)).then(function (response) {
      if (!response.ok) { return showError(response); }
      return response.json().then(function (state) {
        showJob(state);
        if (state.status === "done") { offerDownload(state); }
        else if (state.status !== "failed") { setTimeout(function () { follow(id); }, 1000); }
      });
    });
  }

  exportForm.addEventListener("submit", function (event) {
    event.preventDefault();
    errorLine.textContent = "";
    download.hidden = true;
    var fields = exportForm.elements;
    var body = {format: fields.format.value, provisional: fields.provisional.checked};
    if (fields.unit.value) { body.unit = fields.unit.value; }
    var path = "/api/v1/campaigns/" + encodeURIComponent(fields.campaign.value) + "/honours-list/exports";
    api("POST", path, body).then(function (response) {
      if (!response.ok) { return showError(response); }
      return response.json().then(function (state) {
        job.hidden = false;
        showJob(state);
        if (state.status === "done") { offerDownload(state); } else { follow(state.id); }
      });
    });
  });

  fetchToken().then(showExportForm);
}());
