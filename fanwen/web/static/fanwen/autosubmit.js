/* Submits a form when one of its <select data-autosubmit> changes (the search filters).
   A file, not an onchange attribute: the Content-Security-Policy allows no inline script. */
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
