/* The registration form: a resident ID number holds the date of birth and the sex, so they are
 * shown as the number is typed and the date field is hidden; for a passport or a permit the
 * date is typed. Without this script the date field stays, and says when to leave it empty
 * (the server reads the date from the number either way).
 *
 * The words come from the form's data attributes, in the page's language. Nothing is logged.
 */
"use strict";

(() => {
  const fields = document.querySelector("[data-id-fields]");
  if (!fields) return;
  const idType = fields.querySelector("select[name=id_type]");
  const idNumber = fields.querySelector("input[name=id_number]");
  const derived = fields.querySelector("[data-derived]");
  const typedDate = fields.querySelector("[data-typed-birth-date]");
  const dateInput = typedDate && typedDate.querySelector("input");
  if (!idType || !idNumber || !derived) return;

  const RESIDENT_ID = "resident_id";
  const NUMBER_RE = /^\d{17}[\dX]$/;

  // What an 18-character number says, or null while it is incomplete or its date impossible
  // (the server gives the precise message on saving).
  function readNumber(raw) {
    const number = raw.replace(/[\s-]/g, "").toUpperCase();
    if (!NUMBER_RE.test(number)) return null;
    const year = Number(number.slice(6, 10));
    const month = Number(number.slice(10, 12));
    const day = Number(number.slice(12, 14));
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
      return null;
    }
    const birth = `${number.slice(6, 10)}-${number.slice(10, 12)}-${number.slice(12, 14)}`;
    const male = Number(number[16]) % 2 === 1;
    return { birth, sex: male ? fields.dataset.male : fields.dataset.female };
  }

  function update() {
    const resident = idType.value === RESIDENT_ID;
    // A date typed earlier for a resident ID would only be compared with the number's own.
    const dateHasError = typedDate && typedDate.querySelector(".error");
    if (typedDate) typedDate.hidden = resident && !dateHasError;
    if (resident && dateInput && !dateHasError) dateInput.value = "";
    const facts = resident ? readNumber(idNumber.value) : null;
    derived.hidden = !facts;
    derived.textContent = facts
      ? `${fields.dataset.labelBirth}: ${facts.birth} · ${fields.dataset.labelSex}: ${facts.sex}`
      : "";
  }

  idType.addEventListener("change", update);
  idNumber.addEventListener("input", update);
  update();
})();
