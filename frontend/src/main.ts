/** Entry: load /config.json, finish or restore the sign-in, then show the workspace. */

import "./styles.css";
import { ApiClient } from "./api/client";
import { Auth, AuthError } from "./auth/auth";
import { loadConfig } from "./config";
import { renderConfigError, renderSignIn } from "./ui/screens";
import { Workspace } from "./ui/workspace";

async function main(container: HTMLElement): Promise<void> {
  let config;
  try {
    config = await loadConfig();
  } catch (error) {
    renderConfigError(container, error);
    return;
  }

  const auth = Auth.forBrowser(config);
  const url = new URL(location.href);
  try {
    const completed = await auth.completeSignIn(url);
    if (completed) history.replaceState(null, "", "/");
  } catch (error) {
    history.replaceState(null, "", "/");
    renderSignIn(container, auth, error instanceof AuthError ? error.message : String(error));
    return;
  }
  if (!auth.signedIn && !auth.restore()) {
    renderSignIn(container, auth, auth.takeSignOutNotice() ?? undefined);
    return;
  }
  new Workspace(container, new ApiClient(config.apiUrl, auth), auth, config.events ?? null).start();
}

const container = document.getElementById("app");
if (container) void main(container);
