/* Progressive enhancement only: every page works without it. */
(function () {
  "use strict";
  var LABELS = {
    individual: { complainant_name: "姓名", complainant_id_number: "身份证号" },
    employer: { complainant_name: "单位名称", complainant_id_number: "统一社会信用代码" }
  };
  var form = document.querySelector("form.intake-form");
  function relabel() {
    var picked = form && form.querySelector("input[name=complainant_type]:checked");
    var labels = picked && LABELS[picked.value];
    if (!labels) return;
    Object.keys(labels).forEach(function (name) {
      var span = form.querySelector("label[for=id_" + name + "] .label-text");
      if (span) span.textContent = labels[name];
    });
  }
  if (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "complainant_type") relabel();
    });
    relabel();
    // One press is enough; a second is caught on the server anyway (one-time token).
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = "正在提交……"; }
    });
    window.addEventListener("pageshow", function () {  // back button: usable again
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = false; button.textContent = "提交"; }
    });
  }
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
