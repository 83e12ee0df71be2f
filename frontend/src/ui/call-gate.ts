/**
 * Whether the workspace may start a call (answer, dial, audio test) or sign out. Signing out revokes
 * the session a call would run on, so the two exclude each other: no sign-out while a call is on or
 * still starting, and no new call once the sign-out is under way.
 */

const SIGN_OUT_REFUSED = "Hang up or return the call to the queue before signing out.";

export class CallGate {
  /** A call is being set up (from the click until it is up or has failed). */
  starting = false;
  private signingOutNow = false;

  constructor(private readonly inCall: () => boolean) {}

  get signingOut(): boolean {
    return this.signingOutNow;
  }

  /** The queue's Answer buttons and the dialer are off. */
  get busy(): boolean {
    return this.inCall() || this.starting || this.signingOutNow;
  }

  get canStart(): boolean {
    return !this.busy;
  }

  /** Null when the sign-out may go ahead (it is then under way for good), else what to tell the agent. */
  beginSignOut(): string | null {
    if (this.inCall() || this.starting) return SIGN_OUT_REFUSED;
    this.signingOutNow = true;
    return null;
  }
}
