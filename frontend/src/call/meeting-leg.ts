/** The caller's meeting leg for one call: loaded, joined carrying what the caller should hear, left. */

import type { JoinInfo } from "../api/types";
import type { CallAudio } from "./call-audio";
import type { MeetingConnection, MeetingHandlers } from "./meeting";

type LegState =
  | { stage: "loading" }
  | { stage: "joining"; connection: MeetingConnection }
  | { stage: "joined"; connection: MeetingConnection }
  | { stage: "left" };

export class MeetingLeg {
  private state: LegState = { stage: "loading" };

  /** Joined: the caller hears what the call sends them (a greeting now reaches them). */
  get joined(): boolean {
    return this.state.stage === "joined";
  }

  private get left(): boolean {
    return this.state.stage === "left";
  }

  /**
   * Join with what `audio` routes to the caller. Resolves true once audio is up, false if the leg
   * was left meanwhile (the call ended); rejects if the meeting could not be loaded or joined.
   */
  async join(load: Promise<MeetingConnection>, info: JoinInfo, audio: CallAudio, handlers: MeetingHandlers): Promise<boolean> {
    const connection = await load;
    if (this.left) return false;
    this.state = { stage: "joining", connection };
    const input = audio.toCallerInput;
    await connection.join(info, input, handlers);
    if (this.left) return false;
    // Routes chosen while joining (the AI's voice arrived, say) land now.
    audio.connectCaller(input, (stream) => connection.setAudioInput(stream));
    this.state = { stage: "joined", connection };
    return true;
  }

  /** Leave (idempotent); a join still under way resolves false. */
  async leave(): Promise<void> {
    const before = this.state;
    this.state = { stage: "left" };
    if (before.stage === "joining" || before.stage === "joined") await before.connection.leave();
  }
}
