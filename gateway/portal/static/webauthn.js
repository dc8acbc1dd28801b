// WebAuthn for the portal's pages: served from the portal itself (CSP script-src 'self').
// A form marked data-webauthn="create" or "get" carries the server's options in
// data-options; its button runs the ceremony, puts the credential (JSON) into the form's
// hidden "credential" field and submits the form, with its CSRF token, to the portal.
(function () {
  "use strict";

  function toBytes(b64url) {
    var s = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), bin = "";
    for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function decodeIds(list) {
    (list || []).forEach(function (c) { c.id = toBytes(c.id); });
  }

  function publicKey(kind, options) {
    options.challenge = toBytes(options.challenge);
    if (kind === "create") {
      options.user.id = toBytes(options.user.id);
      decodeIds(options.excludeCredentials);
    } else {
      decodeIds(options.allowCredentials);
    }
    return options;
  }

  function credentialJSON(cred) {
    var r = cred.response;
    var out = {
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) { out.authenticatorAttachment = cred.authenticatorAttachment; }
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    }
    return JSON.stringify(out);
  }

  function start(form, status) {
    if (!form.reportValidity()) { return; }
    var kind = form.getAttribute("data-webauthn");
    var options = publicKey(kind, JSON.parse(form.getAttribute("data-options")));
    status.textContent = "Follow your browser's prompt: touch your security key, or use your fingerprint, face or screen lock.";
    var ceremony = kind === "create"
      ? navigator.credentials.create({ publicKey: options })
      : navigator.credentials.get({ publicKey: options });
    ceremony.then(function (cred) {
      form.elements.namedItem("credential").value = credentialJSON(cred);
      status.textContent = "Checking...";
      form.submit();
    }, function (err) {
      status.textContent = "That did not work (" + err.name + "). You can try again.";
    });
  }

  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    var button = form.querySelector("[data-webauthn-start]");
    var status = form.querySelector(".webauthn-status");
    if (!window.PublicKeyCredential || !navigator.credentials) {
      status.textContent = "This browser does not support security keys or passkeys.";
      return;
    }
    button.disabled = false;
    button.addEventListener("click", function () { start(form, status); });
  });
}());
