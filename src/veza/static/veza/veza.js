// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // A language picked from the list applies at once; the button stays for keyboard users.
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }

  // Forms that ask before doing something that cannot be undone.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Skip logic inside a questionnaire page: a question shows only when the answer it depends on
  // allows it. Without this script every question shows and the server ignores what does not apply.
  for (const form of document.querySelectorAll("form[data-screening-form]")) {
    const dependants = [...form.querySelectorAll("fieldset[data-show-if]")];
    const valuesOf = (name) =>
      [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)]
        .filter((input) => (input.type === "radio" || input.type === "checkbox") ? input.checked : true)
        .map((input) => input.value);
    const update = () => {
      for (const fieldset of dependants) {
        const condition = JSON.parse(fieldset.dataset.showIf);
        const allowed = condition.in || [condition.equals];
        const visible = valuesOf(condition.question).some((value) => allowed.includes(value));
        fieldset.hidden = !visible;
      }
    };
    form.addEventListener("change", update);
    update();
  }
});
