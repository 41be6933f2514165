// The options page: server address, the opt-in to send host names, the language.

import { health } from "./lib/api.js";
import { t, translatePage } from "./lib/i18n.js";
import { loadSettings, normalizeServer, saveSettings } from "./lib/settings.js";

const $ = (id) => document.getElementById(id);

function status(className, text) {
  $("status").className = `notice ${className}`;
  $("status").textContent = text;
}

/**
 * Ask for access to ``server`` when the manifest does not already grant it (it grants loopback
 * only). Must run inside the click's user gesture, before any other await, or Chrome refuses to
 * show the prompt. Resolves true when granted (at once, with no prompt, when already granted).
 */
function requestAccess(server) {
  const origin = `${new URL(server).origin}/*`;
  return chrome.permissions.request({ origins: [origin] }).catch(() => false);
}

async function main() {
  const settings = await loadSettings();
  let language = settings.language;
  translatePage(language);
  $("language").value = language;
  $("server").value = settings.server;
  $("send-host-names").checked = settings.sendHostNames;

  // The page changes language as soon as the choice changes, before saving.
  $("language").addEventListener("change", () => {
    language = $("language").value;
    translatePage(language);
  });

  $("options").addEventListener("submit", (event) => {
    event.preventDefault();
    const server = normalizeServer($("server").value);
    if (!server) {
      status("error", t(language, "optionBadServer"));
      return;
    }
    const access = requestAccess(server);
    (async () => {
      await saveSettings({
        server,
        sendHostNames: $("send-host-names").checked,
        language: $("language").value,
      });
      $("server").value = server;
      if (await access) {
        status("saved", t(language, "optionSaved"));
      } else {
        status(
          "warning",
          `${t(language, "optionSaved")} ${t(language, "optionNoPermission", {
            origin: new URL(server).origin,
            extension: new URL(chrome.runtime.getURL("")).origin,
          })}`,
        );
      }
    })();
  });

  $("test").addEventListener("click", async () => {
    const server = normalizeServer($("server").value);
    if (!server) {
      status("error", t(language, "optionBadServer"));
      return;
    }
    try {
      const answer = await health({ server, language });
      status("saved", t(language, "optionHealthy", { version: answer.registry_version }));
    } catch (error) {
      status("error", t(language, "serverError", { server, error: error.message }));
    }
  });
}

main();
