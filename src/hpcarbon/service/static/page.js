// The self-check page without any framework: drag-and-drop onto the upload area, the form sent with fetch and
// the server's HTML report (the same template as the printable report) put in place. Without JavaScript the
// form posts to /check and the whole page comes back with the report.
(function () {
  "use strict";
  var form = document.getElementById("check-form");
  var input = document.getElementById("files");
  var zone = document.getElementById("drop-zone");
  var results = document.getElementById("results");
  var busy = document.getElementById("busy");
  var button = document.getElementById("submit");
  if (!form || !window.fetch || !window.FormData) { return; }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("dragging"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) {
      input.files = e.dataTransfer.files;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    }
  });

  function showError(zh, en) {
    results.innerHTML = "";
    var box = document.createElement("div");
    box.className = "error-box";
    box.setAttribute("role", "alert");
    var strong = document.createElement("strong");
    strong.textContent = zh;
    var span = document.createElement("span");
    span.className = "en";
    span.textContent = en;
    box.appendChild(strong);
    box.appendChild(document.createElement("br"));
    box.appendChild(span);
    results.appendChild(box);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!input.files.length) { input.focus(); return; }
    button.disabled = true;
    busy.textContent = "正在校验… Checking…";
    fetch("/check?fragment=1", { method: "POST", body: new FormData(form) })
      .then(function (response) {
        return response.text().then(function (text) { return { ok: response.ok, text: text }; });
      })
      .then(function (r) {
        if (r.ok) {
          results.innerHTML = r.text;  // server-rendered, autoescaped report
        } else {
          var doc = new DOMParser().parseFromString(r.text, "text/html");
          var box = doc.querySelector(".error-box");
          if (box) { results.innerHTML = ""; results.appendChild(box); }
          else { showError("校验失败", "The check failed"); }
        }
        busy.textContent = "";
        var first = results.querySelector(".report h2");
        if (first) { first.setAttribute("tabindex", "-1"); first.focus(); }
      })
      .catch(function () { busy.textContent = ""; showError("无法连接服务", "Cannot reach the service"); })
      .then(function () { button.disabled = false; });
  });

  // printing opens the collapsed trace, so the paper copy is complete
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.setAttribute("open", ""); });
  });
})();
