// Once django-otp-webauthn's script has registered a passkey, go to the page named by the
// data-passkey-done-url attribute (it shows the new device). No text: nothing to translate.
"use strict";

document.addEventListener("otp_webauthn.register_complete", function (event) {
  const holder = event.target.closest("[data-passkey-done-url]");
  if (holder) {
    window.location.assign(holder.dataset.passkeyDoneUrl);
  }
});
