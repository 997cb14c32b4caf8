// Passkeys, where the browser has them: adding one (the "Add a passkey" form) and signing in
// with one (the sign-in code page). Each form asks the server for the ceremony's options, lets
// the browser talk to the authenticator, and posts the answer as an ordinary form field, so
// the server judges it and answers with a page. Without this script the code page works alone.

function fromBase64url(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
}

function toBase64url(buffer) {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function fetchOptions(form) {
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const response = await fetch(form.dataset.optionsUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": token, Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`options refused: ${response.status}`);
  return response.json();
}

function withBuffers(descriptors) {
  return (descriptors || []).map((d) => ({ ...d, id: fromBase64url(d.id) }));
}

async function created(options) {
  const credential = await navigator.credentials.create({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      user: { ...options.user, id: fromBase64url(options.user.id) },
      excludeCredentials: withBuffers(options.excludeCredentials),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports ? response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment,
  };
}

async function asserted(options) {
  const credential = await navigator.credentials.get({
    publicKey: {
      ...options,
      challenge: fromBase64url(options.challenge),
      allowCredentials: withBuffers(options.allowCredentials),
    },
  });
  const response = credential.response;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment,
  };
}

// Runs the ceremony, then posts the form whatever happened: an empty answer (cancelled, or no
// authenticator) is refused by the server with a message in the page.
function enhance(form, ceremony, ready = () => true) {
  let busy = false;
  form.addEventListener("submit", async (event) => {
    if (!ready(form)) return;
    event.preventDefault();
    if (busy) return;
    busy = true;
    const answer = form.querySelector("input[name=credential]");
    try {
      answer.value = JSON.stringify(await ceremony(await fetchOptions(form)));
    } catch {
      answer.value = "";
    }
    form.submit();
  });
}

if (window.PublicKeyCredential && navigator.credentials) {
  const addForm = document.querySelector("form[data-passkey-add]");
  if (addForm) {
    // Without a name the server asks for one first, before any passkey is made.
    enhance(addForm, created, (form) => form.querySelector("input[name=name]").value.trim() !== "");
  }
  const signIn = document.querySelector("[data-passkey-sign-in]");
  if (signIn) {
    signIn.hidden = false;
    enhance(signIn.querySelector("form"), asserted);
  }
}
