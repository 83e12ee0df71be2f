/** Screens before the workspace: sign-in, and a configuration error the operator must fix. */

import type { Auth } from "../auth/auth";
import { ConfigError } from "../config";
import { h } from "./dom";

/** The product mark: logo and name. */
export function brand(size: "large" | "normal" = "normal"): HTMLElement {
  // A <span>: in the workspace it sits inside the page's <h1>, which takes phrasing content only.
  return h(
    "span",
    { class: size === "large" ? "brand large" : "brand" },
    h("img", { class: "logo", src: "/favicon.svg", alt: "", width: "28", height: "28" }),
    "Calldesk",
  );
}

export function renderSignIn(container: HTMLElement, auth: Auth, error?: string): void {
  const button = h("button", { type: "button", class: "button primary large" }, "Sign in");
  button.addEventListener("click", () => {
    button.disabled = true;
    button.textContent = "Redirecting…";
    void auth.beginSignIn();
  });
  container.replaceChildren(
    h(
      "main",
      { class: "sign-in" },
      h(
        "div",
        { class: "card" },
        brand("large"),
        h("h1", null, "Your AI-assisted phone line"),
        h(
          "p",
          { class: "lead" },
          "Answer callers with an AI voice at your side: listen in, let it talk, or take over at any moment.",
        ),
        error ? h("p", { class: "notice error", role: "alert" }, error) : null,
        button,
        h("p", { class: "fine-print" }, "You will sign in with your organisation's Calldesk account."),
      ),
    ),
  );
  button.focus();
}

export function renderConfigError(container: HTMLElement, error: unknown): void {
  const problems = error instanceof ConfigError ? error.problems : [String(error)];
  container.replaceChildren(
    h(
      "main",
      { class: "sign-in" },
      h(
        "div",
        { class: "card", role: "alert" },
        brand("large"),
        h("h1", null, "Calldesk is not configured correctly"),
        h("p", null, "The site's configuration file (/config.json) could not be used. Ask your administrator to redeploy the web client."),
        h("ul", { class: "problems" }, problems.map((problem) => h("li", null, problem))),
      ),
    ),
  );
}
