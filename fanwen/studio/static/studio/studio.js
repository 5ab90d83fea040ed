/* The author studio's paywall editor (templates/studio/draft.html).  Without this file every
   boundary is a submit button and the server moves the line; with it, a tap moves the line in
   place, updates 免费/付费/章节 from numbers the server put on each boundary, and saves the line
   in the background so a reload keeps it.  A file, not inline: the CSP allows no inline script. */
(function () {
  "use strict";

  function moveLine(form, cut) {
    var marked = form.getAttribute("data-marked");
    var blocks = form.querySelectorAll(".studio-block");
    var cuts = form.querySelectorAll(".studio-cut");
    var keepFile = marked !== "" && Number(marked) === cut;
    for (var i = 0; i < blocks.length; i++) {
      var paid = keepFile ? blocks[i].getAttribute("data-file-paid") === "1" : i >= cut;
      blocks[i].classList.toggle("is-paid", paid);
    }
    for (var j = 0; j < cuts.length; j++) {
      var button = cuts[j].querySelector("button");
      var on = Number(button.getAttribute("data-cut")) === cut;
      cuts[j].classList.toggle("is-line", on);
      if (on) {
        button.setAttribute("aria-current", "true");
        var counts = form.querySelector("#studio-counts");
        counts.querySelector("[data-count=free]").textContent = button.getAttribute("data-free");
        counts.querySelector("[data-count=paid]").textContent = button.getAttribute("data-paid");
        counts.querySelector("[data-count=sections]").textContent = button.getAttribute("data-sections");
      } else {
        button.removeAttribute("aria-current");
      }
    }
    form.querySelector("#studio-paid-from").value = String(cut);
  }

  function saveLine(form, cut, button) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.append("paid_from", String(cut));
    form.setAttribute("data-saving", "1");
    fetch(form.getAttribute("data-line-url"), {
      method: "POST", body: body, credentials: "same-origin", headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      if (!response.ok) { throw new Error("line not saved"); }
      form.removeAttribute("data-saving");
    }).catch(function () {
      form.requestSubmit ? form.requestSubmit(button) : form.submit();  /* let the server do it */
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-cut]") : null;
    if (!button || !button.form || !window.fetch) { return; }
    event.preventDefault();
    var cut = Number(button.getAttribute("data-cut"));
    moveLine(button.form, cut);
    saveLine(button.form, cut, button);
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-median-hint]")) { return; }
    var hint = document.getElementById(select.getAttribute("data-median-hint"));
    var option = select.options[select.selectedIndex];
    if (hint) { hint.textContent = option ? (option.getAttribute("data-median") || "") : ""; }
  });
})();
