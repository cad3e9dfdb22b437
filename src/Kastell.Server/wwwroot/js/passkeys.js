// Passkey ceremonies for Kastell's server-rendered forms (the only script Kastell serves; CSP: script-src 'self').
// A form marked data-passkey="create" or "get" first posts its own fields (with the antiforgery token) to the URL in
// data-passkey-options, hands the options to the browser's authenticator, writes the answer as JSON into the form's
// CredentialJson field and then submits the form as usual. The server verifies everything; when the authenticator
// fails or the user cancels, the form goes out with an empty answer and the server says the passkey was not accepted.

const toBase64Url = (buffer) => {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

const fromBase64Url = (text) => {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
};

const withIds = (list) => (list ?? []).map((c) => ({ ...c, id: fromBase64Url(c.id) }));

const creationOptions = (json) => ({
  ...json,
  challenge: fromBase64Url(json.challenge),
  user: { ...json.user, id: fromBase64Url(json.user.id) },
  excludeCredentials: withIds(json.excludeCredentials),
});

const requestOptions = (json) => ({
  ...json,
  challenge: fromBase64Url(json.challenge),
  allowCredentials: withIds(json.allowCredentials),
});

// The JSON shape of PublicKeyCredential.toJSON(), built by hand where a browser lacks it.
const credentialJson = (credential) => {
  if (typeof credential.toJSON === "function") {
    return credential.toJSON();
  }
  const r = credential.response;
  const response = { clientDataJSON: toBase64Url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toBase64Url(r.attestationObject);
    response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
  } else {
    response.authenticatorData = toBase64Url(r.authenticatorData);
    response.signature = toBase64Url(r.signature);
    if (r.userHandle) {
      response.userHandle = toBase64Url(r.userHandle);
    }
  }
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
    response,
    clientExtensionResults: credential.getClientExtensionResults(),
  };
};

const ceremony = async (form) => {
  const answer = await fetch(form.dataset.passkeyOptions, { method: "POST", body: new FormData(form), credentials: "same-origin" });
  if (!answer.ok) {
    throw new Error(`options request answered ${answer.status}`);
  }
  const options = await answer.json();
  const credential = form.dataset.passkey === "create"
    ? await navigator.credentials.create({ publicKey: creationOptions(options) })
    : await navigator.credentials.get({ publicKey: requestOptions(options) });
  return JSON.stringify(credentialJson(credential));
};

for (const form of document.querySelectorAll("form[data-passkey]")) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const field = form.querySelector("input[name$='CredentialJson']");
    const button = form.querySelector("button[type=submit]");
    button?.setAttribute("disabled", "");
    try {
      field.value = window.PublicKeyCredential ? await ceremony(form) : "";
    } catch (error) {
      field.value = "";
      console.warn("Passkey ceremony failed:", error?.name ?? error);
    }
    // submit() does not fire this handler again.
    HTMLFormElement.prototype.submit.call(form);
  });
}
