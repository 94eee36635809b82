/* The live capture page: challenge -> camera -> recording -> upload -> verification result.
 *
 * No framework and no external resource: the portal runs on closed networks. Nothing here
 * logs to the console; the recording only ever goes to this portal's upload endpoint.
 *
 * Every text shown goes through Django's JavaScript catalog (/jsi18n/, loaded by the page
 * before this file): gettext(), ngettext() and interpolate() in the active language.
 */
"use strict";

(() => {
  // -- translation ------------------------------------------------------------------------------
  // The catalog's functions; should it not have loaded, the page still works, in English.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((singular, plural, n) => (n === 1 ? singular : plural));
  const interpolate = window.interpolate ||
    ((format, values) => format.replace(/%\((\w+)\)s/g, (match, name) => String(values[name])));

  // -- constants -------------------------------------------------------------------------------
  // How long to record when the server's answer says nothing of it (it normally does: until
  // the last action's window ends, and a short margin).
  const RECORD_SECONDS = 8;
  const POLL_INTERVAL_MS = 300;
  const POLL_GIVE_UP_MS = 10 * 60 * 1000; // then the registration page has the answer
  const MAX_POLL_FAILURES = 20; // consecutive network failures before saying so
  // VP8 first: what the verification engine decodes fastest, and what every Chromium records.
  const PREFERRED_TYPES = ["video/webm;codecs=vp8", "video/webm;codecs=vp9", "video/webm"];

  const ACTION_WORDS = {
    turn_left: gettext("Turn your head to YOUR left"),
    turn_right: gettext("Turn your head to YOUR right"),
    blink: gettext("Blink"),
    look_up: gettext("Look up"),
    look_down: gettext("Look down"),
  };
  const OUTCOME_WORDS = {
    approved: gettext("Approved"),
    rejected: gettext("Rejected"),
    review: gettext("Sent to a reviewer"),
    retake: gettext("Retake needed"),
  };
  const PROGRESS_WORDS = {
    queued: gettext("Waiting for a verifier…"),
    running: gettext("Verifying…"),
  };
  const CAMERA_PROBLEMS = {
    NotAllowedError: gettext("Access to the camera was refused."),
    SecurityError: gettext("Access to the camera was refused."),
    NotFoundError: gettext("No camera was found."),
    OverconstrainedError: gettext("No camera was found."),
    NotReadableError: gettext("The camera is in use by another program or not working."),
  };
  /** A camera problem and the way round it, as one message (the translation orders the two);
   * with uploads switched off there is no way round, only the problem. */
  const withFallbackHint = (problem) => (!uploadsAllowed ? problem : interpolate(
    // Translators: %(problem)s is a sentence saying why the camera cannot be used.
    gettext("%(problem)s Use “Upload a recorded clip” below instead."),
    { problem },
    true,
  ));
  // Refusals of the file itself: the server refuses them before spending the challenge, so
  // the person may choose another file and answer the same challenge.
  const FILE_PROBLEMS = ["empty_file", "file_too_large", "not_a_video", "missing_file"];
  // Refusals after which no new challenge comes: the capture controls stay disabled.
  const NOTHING_LEFT = ["challenges_exhausted", "attempts_exhausted"];
  // What the upload says of itself: this page's own recording, or a file the person chose.
  const SOURCE_CAMERA = "camera";
  const SOURCE_UPLOAD = "upload";

  // -- the page ---------------------------------------------------------------------------------
  const root = document.getElementById("capture");
  if (!root) return;
  const byId = (id) => document.getElementById(id);
  const el = {
    alert: byId("capture-alert"),
    controls: byId("capture-controls"),
    attempt: byId("capture-attempt"),
    preview: byId("capture-preview"),
    cameraIdle: byId("capture-camera-idle"),
    action: byId("capture-action"),
    countdown: byId("capture-countdown"),
    actions: byId("capture-actions"),
    start: byId("capture-start"),
    fallback: byId("capture-fallback"),
    fallbackChallenge: byId("capture-fallback-challenge"),
    file: byId("capture-file"),
    uploadFile: byId("capture-upload-file"),
    progress: byId("capture-progress"),
    result: byId("capture-result"),
    outcome: byId("capture-outcome"),
    reasons: byId("capture-reasons"),
    registrationStatus: byId("capture-registration-status"),
    retake: byId("capture-retake"),
    retakeOffer: byId("capture-retake-offer"),
    detail: byId("capture-detail"),
    attemptsLeft: byId("capture-attempts-left"),
  };
  const urls = {
    challenge: root.dataset.challengeUrl,
    upload: root.dataset.uploadUrl,
    status: root.dataset.statusUrl,
  };
  const maxBytes = Number(root.dataset.maxBytes) * 1024 * 1024;
  // The deployment or the ministry's policy may forbid uploaded clips (the server refuses
  // them then): no "upload a recorded clip" fallback to offer.
  const uploadsAllowed = root.dataset.uploadsAllowed !== "false";
  el.fallback.hidden = !uploadsAllowed;

  // The challenge in hand, kept so that a camera failure can fall back to a file upload with it.
  let challenge = null;
  let challengeTimer = null;
  let busy = false;
  let nothingLeft = false; // the server has no challenge left for this registration

  // -- small helpers ----------------------------------------------------------------------------
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function csrfToken() {
    const input = root.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function showError(message) {
    el.alert.textContent = message;
  }

  function clearError() {
    el.alert.textContent = "";
  }

  function setProgress(text) {
    el.progress.textContent = text;
  }

  function setBusy(value) {
    // One request at a time: a double click must not spend two challenges or two attempts.
    busy = value;
    for (const button of [el.start, el.fallbackChallenge, el.uploadFile, el.retake]) {
      button.disabled = value || nothingLeft;
    }
  }

  /** A refusal, carrying a plain message (never a stack trace) and the server's reason codes. */
  class Refusal extends Error {
    constructor(message, reasons = []) {
      super(message);
      this.reasons = reasons;
    }
  }

  /** fetch() that returns the JSON body, or throws a Refusal with a message fit for the page. */
  async function requestJson(url, options = {}) {
    let response;
    try {
      response = await fetch(url, {
        credentials: "same-origin",
        ...options,
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json", ...options.headers },
      });
    } catch (networkError) {
      throw new Refusal(
        gettext("The portal could not be reached. Check the connection and try again."),
      );
    }
    let body = null;
    try {
      body = await response.json();
    } catch (notJson) {
      body = null; // an HTML error page (a proxy, a lost session): say it plainly below
    }
    if (!response.ok) {
      if (body && typeof body.message === "string") throw new Refusal(body.message, body.reasons);
      if (response.status === 403) {
        throw new Refusal(
          gettext("You are no longer signed in or may not do this. Reload the page."),
        );
      }
      if (response.status === 413) {
        throw new Refusal(
          gettext("The file is too large. Record a shorter clip (6 to 10 seconds)."),
        );
      }
      throw new Refusal(interpolate(
        // Translators: %(status)s is the HTTP status code, such as 500.
        gettext("The portal could not do this (error %(status)s). Try again."),
        { status: response.status },
        true,
      ));
    }
    if (body === null) {
      throw new Refusal(gettext("The portal sent an unexpected answer. Try again."));
    }
    return body;
  }

  function messageOf(error) {
    // Only our own plain messages reach the page; anything else gets a generic sentence.
    return error instanceof Refusal ? error.message : gettext("Something went wrong. Try again.");
  }

  // -- challenge --------------------------------------------------------------------------------
  function challengeIsFresh() {
    return challenge !== null && Date.now() < challenge.expiresAt - 2000;
  }

  async function newChallenge() {
    let body;
    try {
      body = await requestJson(urls.challenge, { method: "POST" });
    } catch (error) {
      if ((error.reasons || []).some((code) => NOTHING_LEFT.includes(code))) nothingLeft = true;
      throw error;
    }
    const schedule = Array.isArray(body.schedule) ? body.schedule : [];
    challenge = {
      nonce: body.nonce,
      actions: body.actions,
      // When each action is asked for, in seconds from the start of the recording.
      schedule,
      recordSeconds: Number(body.record_s) || RECORD_SECONDS,
      // The server's TTL counted from now: the browser's clock may differ from the server's.
      expiresAt: Date.now() + body.expires_in_s * 1000,
    };
    showActions(challenge);
    return challenge;
  }

  function actionWords(action) {
    return ACTION_WORDS[action] || action.replace(/_/g, " ");
  }

  /** A window's bounds in words, for a clip recorded on another device. */
  function windowWords(step) {
    return interpolate(
      // Translators: %(from)s and %(to)s are seconds from the start of the recording.
      gettext("from %(from)s s to %(to)s s"),
      { from: step.from_s, to: step.to_s },
      true,
    );
  }

  function showActions({ actions, schedule }) {
    el.actions.replaceChildren(
      ...actions.map((action, index) => {
        const item = document.createElement("li");
        const step = schedule[index];
        item.textContent = step
          ? `${actionWords(action)} (${windowWords(step)})`
          : actionWords(action);
        item.dataset.action = action;
        return item;
      }),
    );
  }

  function highlightAction(index) {
    el.actions.querySelectorAll("li").forEach((item, i) => {
      item.classList.toggle("current", i === index);
      item.classList.toggle("done", i < index);
    });
  }

  /** For the fallback: how long the challenge in hand stays valid, updated every second. */
  function showChallengeExpiry() {
    clearInterval(challengeTimer);
    const tick = () => {
      const left = Math.max(0, Math.round((challenge.expiresAt - Date.now()) / 1000));
      el.countdown.textContent = left
        ? interpolate(
          ngettext(
            // Translators: %(left)s is a number of seconds; "s" is the symbol for seconds.
            "Upload the clip within %(left)s s.",
            "Upload the clip within %(left)s s.",
            left,
          ),
          { left },
          true,
        )
        : gettext("This challenge expired: press “Show what to record” again.");
      if (!left) clearInterval(challengeTimer);
    };
    tick();
    challengeTimer = setInterval(tick, 1000);
  }

  function forgetChallenge() {
    // A nonce is good for one upload only, whatever the server answered.
    challenge = null;
    clearInterval(challengeTimer);
    el.countdown.textContent = "";
  }

  // -- camera and recording ---------------------------------------------------------------------
  function recorderType() {
    if (!window.MediaRecorder) return null;
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    return PREFERRED_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }

  function cameraAvailable() {
    return Boolean(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) &&
      recorderType() !== null;
  }

  async function openCamera() {
    try {
      return await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
    } catch (error) {
      const problem =
        CAMERA_PROBLEMS[error && error.name] || gettext("The camera could not be opened.");
      // Open the fallback: the challenge in hand stays valid for a clip recorded elsewhere.
      el.action.textContent = gettext(
        "Record these actions, each at its time from the start of the recording:",
      );
      el.fallback.open = true;
      throw new Refusal(withFallbackHint(problem));
    }
  }

  function closeCamera(stream) {
    // Turn the camera (and its light) off as soon as the recording is done.
    stream.getTracks().forEach((track) => track.stop());
    el.preview.srcObject = null;
    el.preview.classList.remove("live");
    el.cameraIdle.hidden = false;
  }

  async function showPreview(stream) {
    el.preview.srcObject = stream;
    el.preview.classList.add("live");
    el.cameraIdle.hidden = true;
    try {
      await el.preview.play();
    } catch (ignored) {
      // Autoplay refused: the recording does not need the preview, only the person does.
    }
  }

  /** Where a second of the recording falls: in the window of step ``current`` (or -1), and
   * the next step to come (or -1). The engine counts an action only inside its window. */
  function promptAt(second, schedule) {
    const current = schedule.findIndex((step) => step.from_s <= second && second < step.to_s);
    const next = schedule.findIndex((step) => step.from_s > second);
    return { current, next };
  }

  function showPrompt(elapsed, { actions, schedule, recordSeconds }) {
    const { current, next } = promptAt(elapsed, schedule);
    if (current >= 0) {
      el.action.textContent = actionWords(actions[current]);
    } else if (next >= 0) {
      // Between two windows: hold still, and see what comes next and when.
      const within = Math.max(1, Math.ceil(schedule[next].from_s - elapsed));
      el.action.textContent = interpolate(
        // Translators: %(action)s is what to do next, %(left)s a number of seconds.
        gettext("Look at the camera. Next: %(action)s in %(left)s s"),
        { action: actionWords(actions[next]), left: within },
        true,
      );
    } else {
      el.action.textContent = gettext("Look at the camera");
    }
    const left = Math.max(0, Math.ceil(recordSeconds - elapsed));
    el.countdown.textContent = interpolate(
      // Translators: %(left)s is a number of seconds; "s" is the symbol for seconds.
      ngettext("Recording: %(left)s s left", "Recording: %(left)s s left", left),
      { left },
      true,
    );
    // Between windows, the steps before the next one are done and none is current.
    highlightAction(current >= 0 ? current : next >= 0 ? next - 0.5 : actions.length);
  }

  /** Record the stream until the last window ends while the prompts run; resolves to the clip. */
  function record(stream, current) {
    const recordSeconds = current.recordSeconds;
    return new Promise((resolve, reject) => {
      const type = recorderType();
      const recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
      const chunks = [];
      const started = performance.now();
      let ticker = null;
      recorder.ondataavailable = (event) => {
        if (event.data && event.data.size) chunks.push(event.data);
      };
      recorder.onerror = () => {
        clearInterval(ticker);
        reject(new Refusal(withFallbackHint(gettext("The recording failed."))));
      };
      recorder.onstop = () => {
        clearInterval(ticker);
        resolve(new Blob(chunks, { type: recorder.mimeType || type || "video/webm" }));
      };
      const tick = () => {
        const elapsed = (performance.now() - started) / 1000;
        showPrompt(Math.min(elapsed, recordSeconds), current);
        if (elapsed >= recordSeconds && recorder.state === "recording") recorder.stop();
      };
      recorder.start(1000); // chunks every second: a long recording is never one huge buffer
      tick();
      ticker = setInterval(tick, 100);
    });
  }

  function clipName(blob) {
    return blob.type.includes("mp4") ? "capture.mp4" : "capture.webm";
  }

  // -- upload and result ------------------------------------------------------------------------
  async function upload(blob, name, source) {
    if (blob.size > maxBytes) {
      throw new Refusal(
        gettext("The file is too large. Record a shorter clip (6 to 10 seconds)."),
      );
    }
    const form = new FormData();
    form.append("nonce", challenge.nonce);
    form.append("source", source);
    form.append("capture", blob, name);
    setProgress(gettext("Uploading…"));
    try {
      const accepted = await requestJson(urls.upload, { method: "POST", body: form });
      forgetChallenge(); // spent: a nonce answers one capture only
      return accepted;
    } catch (error) {
      const fileProblem = (error.reasons || []).some((code) => FILE_PROBLEMS.includes(code));
      if (!fileProblem) forgetChallenge();
      throw error;
    }
  }

  /** Ask for the verification status until it is done; resolves to the last summary. */
  async function watch(statusUrl) {
    const giveUpAt = Date.now() + POLL_GIVE_UP_MS;
    let failures = 0;
    while (Date.now() < giveUpAt) {
      let summary = null;
      try {
        summary = await requestJson(statusUrl);
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures >= MAX_POLL_FAILURES) throw error;
      }
      if (summary && (summary.status === "done" || summary.status === "none")) return summary;
      if (summary) setProgress(PROGRESS_WORDS[summary.status] || gettext("Verifying…"));
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Refusal(gettext(
      "The verification takes longer than usual. Its result will appear on the registration page.",
    ));
  }

  function showResult(summary) {
    setProgress("");
    if (summary.status === "none") {
      el.result.hidden = true;
      return;
    }
    // The server says what happened from the registration's status (a person may have
    // decided since this attempt); the attempt's own outcome word is the fallback.
    el.outcome.textContent = summary.headline || OUTCOME_WORDS[summary.outcome] || summary.outcome;
    el.outcome.className = `capture-outcome ${summary.outcome_key || summary.outcome}`;
    // Why this attempt went as it did, unless a person has approved the number since.
    const settled = ["approved", "cancelled"].includes(summary.outcome_key);
    el.reasons.replaceChildren(
      ...(settled ? [] : summary.reasons || []).map((reason) => {
        const item = document.createElement("li");
        item.textContent = reason.text;
        return item;
      }),
    );
    // The one next step (it counts the attempts left when a retake is needed).
    el.registrationStatus.textContent = summary.next_step ? summary.next_step
      : summary.registration_status_label ? interpolate(
        // Translators: %(status)s is the registration's status, such as "Approved".
        gettext("Registration status: %(status)s."),
        { status: summary.registration_status_label },
        true,
      )
      : "";
    if (summary.detail_url) el.detail.href = summary.detail_url;
    const retake = Boolean(summary.retake_allowed) && summary.attempts_left > 0;
    el.retakeOffer.hidden = !retake;
    el.attemptsLeft.textContent = retake && !summary.next_step
      ? interpolate(
        ngettext("%(count)s attempt left.", "%(count)s attempts left.", summary.attempts_left),
        { count: summary.attempts_left },
        true,
      )
      : "";
    // The next attempt's number, for the capture controls a retake shows again.
    if (summary.attempt) el.attempt.textContent = String(summary.attempt + 1);
    el.result.hidden = false;
    el.controls.hidden = true;
  }

  async function followJob(statusUrl) {
    el.controls.hidden = true;
    setProgress(gettext("Waiting for a verifier…"));
    showResult(await watch(statusUrl));
  }

  // -- the two ways in: the camera, or a clip recorded elsewhere ---------------------------------
  async function captureWithCamera() {
    if (!cameraAvailable()) {
      throw new Refusal(withFallbackHint(gettext("This browser cannot use a camera here.")));
    }
    const current = await newChallenge();
    el.action.textContent = gettext("Opening the camera…");
    const stream = await openCamera();
    let blob;
    try {
      await showPreview(stream);
      blob = await record(stream, current);
    } finally {
      closeCamera(stream);
    }
    el.action.textContent = gettext("Recording done.");
    el.countdown.textContent = "";
    highlightAction(current.actions.length);
    const accepted = await upload(blob, clipName(blob), SOURCE_CAMERA);
    await followJob(accepted.status_url || urls.status);
  }

  async function showWhatToRecord() {
    if (!challengeIsFresh()) await newChallenge();
    el.action.textContent = gettext(
      "Record these actions, each at its time from the start of the recording:",
    );
    showChallengeExpiry();
  }

  async function uploadRecordedClip() {
    const file = el.file.files && el.file.files[0];
    if (!file) throw new Refusal(gettext("Choose the recorded clip first."));
    // Without a challenge in hand, get one now so the upload can answer it (and show it).
    if (!challengeIsFresh()) await showWhatToRecord();
    const accepted = await upload(file, file.name || "capture.webm", SOURCE_UPLOAD);
    await followJob(accepted.status_url || urls.status);
  }

  /** Run one user action: one at a time, errors to the alert region. */
  function guarded(task) {
    return async () => {
      if (busy) return;
      clearError();
      el.result.hidden = true;
      setBusy(true);
      try {
        await task();
      } catch (error) {
        setProgress("");
        el.controls.hidden = false;
        showError(messageOf(error));
      } finally {
        setBusy(false);
      }
    };
  }

  function startOver() {
    // A retake is a new attempt with a new challenge, from the start.
    forgetChallenge();
    el.result.hidden = true;
    el.controls.hidden = false;
    el.action.textContent = "";
    el.countdown.textContent = "";
    el.actions.replaceChildren();
    el.start.focus();
  }

  el.start.addEventListener("click", guarded(captureWithCamera));
  el.fallbackChallenge.addEventListener("click", guarded(showWhatToRecord));
  el.uploadFile.addEventListener("click", guarded(uploadRecordedClip));
  el.retake.addEventListener("click", startOver);

  // Opened while a job is pending (or after one): show where it stands at once.
  if (root.dataset.watch) {
    guarded(() => followJob(urls.status))();
  }
})();
