import { describe, expect, it, vi } from "vitest";
import { call, deferred, flush, harness, joinInfo, live } from "./call-session.harness";
import type { Call, JoinInfo } from "../api/types";
import { TRANSFER_TIMEOUT_MS } from "./call-session";

describe("CallSession: ending while the call is still starting", () => {
  it.each([
    ["inbound", "leave call-1"],
    ["outbound", "hangup call-1"],
  ] as const)("%s: hanging up before the answer arrives releases the call and starts nothing", async (kind, release) => {
    const h = harness(kind);
    const answer = deferred<{ joinInfo: JoinInfo; call: Call | null }>();
    const started = h.session.start(() => answer.promise);
    await flush();
    expect(h.session.view.phase).toBe("starting");

    await h.session.hangUp();
    expect(h.session.view.phase).toBe("ended");

    answer.resolve({ joinInfo: joinInfo("m-1"), call: call({ direction: kind }) });
    await started;
    await flush();
    const mic = await h.grantMic();

    expect(h.session.view.phase).toBe("ended");
    expect(h.order).toContain(release);
    expect(h.realtime.connects).toBe(0);
    expect(h.meeting.joins).toBe(0);
    expect(mic.track.stopped).toBe(true);
  });

  it("test meeting: ending before it is created deletes the meeting that arrives", async () => {
    const h = harness("test");
    const created = deferred<{ joinInfo: JoinInfo; call: Call | null }>();
    const started = h.session.start(() => created.promise);
    await flush();
    await h.session.hangUp();
    created.resolve({ joinInfo: joinInfo("m-test"), call: null });
    await started;
    await flush();
    expect(h.order).toContain("delete m-test");
    expect(h.realtime.connects).toBe(0);
    expect(h.meeting.joins).toBe(0);
    expect(h.session.view.phase).toBe("ended");
  });

  it("a page closed while starting still releases the call once the answer arrives", async () => {
    const h = harness("inbound");
    const answer = deferred<{ joinInfo: JoinInfo; call: Call | null }>();
    const started = h.session.start(() => answer.promise);
    await flush();
    h.session.sendOnUnload();
    answer.resolve({ joinInfo: joinInfo("m-1"), call: call() });
    await started;
    await flush();
    expect(h.order).toContain("leave call-1");
    expect(h.session.view.phase).toBe("ended");
  });
});


const types = (sent: Record<string, unknown>[]) => sent.map((event) => event.type);

describe("CallSession: the AI greeting", () => {
  it("waits for the caller's meeting leg when the AI is ready first", async () => {
    const h = await live();
    await h.openAi();
    expect(types(h.sent)).toEqual(["session.update"]);
    h.joined.resolve();
    await flush();
    expect(types(h.sent)).toEqual(["session.update", "response.create"]);
  });

  it("waits for the AI when the meeting leg is up first, and greets once", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    expect(types(h.sent)).toEqual([]);
    await h.openAi();
    expect(types(h.sent)).toEqual(["session.update", "response.create"]);
    await h.openAi();
    expect(types(h.sent).filter((type) => type === "response.create")).toHaveLength(1);
  });

  it("does not greet on an outbound call", async () => {
    const h = await live("outbound");
    h.joined.resolve();
    await h.openAi();
    expect(types(h.sent)).toEqual(["session.update"]);
  });
});

describe("CallSession: muting the AI stops what the caller would still hear", () => {
  const afterMute = (h: Awaited<ReturnType<typeof live>>) => {
    const before = h.sent.length;
    h.session.takeOver();
    return types(h.sent.slice(before));
  };

  it("clears audio still playing after response.done, without cancelling a finished response", async () => {
    const h = await live();
    h.joined.resolve();
    await h.openAi();
    await h.aiEvent("response.created");
    await h.aiEvent("output_audio_buffer.started");
    await h.aiEvent("response.done");
    expect(afterMute(h)).toEqual(["output_audio_buffer.clear", "session.update"]);
  });

  it("cancels an active response and clears its audio", async () => {
    const h = await live();
    await h.openAi();
    await h.aiEvent("response.created");
    await h.aiEvent("output_audio_buffer.started");
    expect(afterMute(h)).toEqual(["response.cancel", "output_audio_buffer.clear", "session.update"]);
  });

  it("sends neither once the audio has finished playing", async () => {
    const h = await live();
    await h.openAi();
    await h.aiEvent("response.created");
    await h.aiEvent("output_audio_buffer.started");
    await h.aiEvent("response.done");
    await h.aiEvent("output_audio_buffer.stopped");
    expect(afterMute(h)).toEqual(["session.update"]);
  });
});

describe("CallSession: one ending at a time", () => {
  it("ignores a second hang-up, and leave after hang-up, while the first is in flight", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    const pending = deferred<Call>();
    h.api.hangup.mockImplementationOnce(() => pending.promise);
    const first = h.session.hangUp();
    expect(h.session.view.ending).toBe(true);
    await h.session.hangUp();
    await h.session.leave();
    pending.resolve(call({ status: "ended" }));
    await first;
    expect(h.api.hangup).toHaveBeenCalledTimes(1);
    expect(h.api.leave).not.toHaveBeenCalled();
    expect(h.session.view.endedReason).toBe("You hung up.");
  });

  it("sends one transfer for a double submit, and allows another try after a failure", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    const pending = deferred<Call>();
    h.api.transfer.mockImplementationOnce(() => pending.promise);
    const first = h.session.transfer("+15555550177");
    await h.session.transfer("+15555550177");
    await h.session.hangUp();
    pending.reject(new Error("busy"));
    await expect(first).rejects.toThrow("busy");
    expect(h.api.transfer).toHaveBeenCalledTimes(1);
    expect(h.api.hangup).not.toHaveBeenCalled();
    expect(h.session.view.ending).toBe(false);

    await h.session.transfer("+15555550177");
    expect(h.api.transfer).toHaveBeenCalledTimes(2);
  });

  it("reads the attendee removal that follows Return to queue as the agent's own action", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    const pending = deferred<Call>();
    h.api.leave.mockImplementationOnce(() => pending.promise);
    const leaving = h.session.leave();
    // The API deletes the agent's attendee on leave; Chime reports it before the response lands.
    h.meetingHandlers()?.ended("removed", "You were removed from the call.");
    await flush();
    pending.resolve(call({ status: "ringing" }));
    await leaving;
    await flush();
    expect(h.session.view.endedReason).toBe("You left the call; it is back in the queue.");
  });
});

describe("CallSession: every way a live call ends asks the API one thing, by kind", () => {
  type Ends = "hangUp" | "leave" | "unload" | "audio failed";
  const end = async (h: Awaited<ReturnType<typeof live>>, how: Ends) => {
    if (how === "audio failed") h.joined.reject(new Error("no ICE"));
    else h.joined.resolve();
    await flush();
    if (how === "hangUp") await h.session.hangUp();
    if (how === "leave") await h.session.leave();
    if (how === "unload") h.session.sendOnUnload();
    await flush();
    return h.order.filter((step) => /^(leave|hangup|delete|beacon) /.test(step));
  };

  it.each<["inbound" | "outbound" | "test", Ends, string[], string]>([
    ["inbound", "hangUp", ["hangup call-1"], "You hung up."],
    ["inbound", "leave", ["leave call-1"], "You left the call; it is back in the queue."],
    ["inbound", "unload", ["beacon POST /calls/call-1/leave"], "The page was closed."],
    ["inbound", "audio failed", ["leave call-1"], "Call audio failed; the call was returned to the queue."],
    ["outbound", "hangUp", ["hangup call-1"], "You hung up."],
    ["outbound", "unload", ["beacon POST /calls/call-1/hangup"], "The page was closed."],
    ["outbound", "audio failed", ["hangup call-1"], "Call audio failed; the call was ended."],
    ["test", "hangUp", ["delete m-1"], "Test ended."],
    ["test", "unload", ["beacon DELETE /meetings/m-1"], "The page was closed."],
    ["test", "audio failed", ["delete m-1"], "Call audio failed."],
  ])("%s, %s: %j", async (kind, how, requests, reason) => {
    const h = await live(kind);
    expect(await end(h, how)).toEqual(requests);
    expect(h.session.view.phase).toBe("ended");
    expect(h.session.view.endedReason).toBe(reason);
  });
});

describe("CallSession: losing the microphone", () => {
  it("a mic track that ends (unplugged, permission revoked) marks the mic unavailable and offers a retry", async () => {
    const h = await live();
    const mic = await h.grantMic();
    h.session.setMic(true);
    expect(h.session.view.mixer.mic).toBe("on");
    mic.track.end();
    await flush();
    expect(h.session.view.mixer.micAvailable).toBe(false);
    expect(h.session.view.mixer.mic).toBe("off");
    expect(h.session.view.notices.map((n) => n.action)).toContain("retry-mic");
  });

  it("take over without a microphone keeps the AI talking and says why", async () => {
    const h = await live();
    const mic = await h.grantMic();
    mic.track.end();
    await flush();
    h.session.dismissNotice(h.session.view.notices[0]?.id ?? "");
    h.session.takeOver();
    expect(h.session.view.mixer.aiVoice).toBe("on");
    expect(h.session.view.notices.map((n) => n.action)).toContain("retry-mic");
  });
});

describe("CallSession: losing the microphone after taking over", () => {
  it("hands the call back to the AI", async () => {
    const h = await live();
    const mic = await h.grantMic();
    h.session.takeOver();
    expect(h.session.view.mixer.aiVoice).toBe("muted");
    mic.track.end();
    await flush();
    expect(h.session.view.mixer.aiVoice).toBe("on");
    expect(h.gains.at(-1)?.aiToCaller).toBe(1);
  });
});

describe("CallSession: a transfer that the server accepted but never carried out", () => {
  const stillInProgress = (h: Awaited<ReturnType<typeof live>>) =>
    h.api.transfer.mockImplementationOnce(async (id: string) => call({ id, status: "in_progress" }));

  it("gives the end controls back after the timeout, and the call goes on", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    vi.useFakeTimers();
    try {
      stillInProgress(h);
      await h.session.transfer("+15555550177");
      expect(h.session.view.ending).toBe(true);
      await vi.advanceTimersByTimeAsync(TRANSFER_TIMEOUT_MS - 100);
      expect(h.session.view.ending).toBe(true);
      await vi.advanceTimersByTimeAsync(200);
      expect(h.session.view.ending).toBe(false);
      expect(h.session.view.phase).toBe("live");
      const texts = h.session.view.notices.map((n) => n.text);
      expect(texts).toContain("The transfer did not go through; the call is still yours.");
      expect(texts.some((t) => t.startsWith("Transferring to"))).toBe(false);
    } finally {
      vi.useRealTimers();
    }
    // Hang up works again, and reads as the agent's own hang-up, not "Transferred.".
    await h.session.hangUp();
    expect(h.api.hangup).toHaveBeenCalledTimes(1);
    expect(h.session.view.endedReason).toBe("You hung up.");
  });

  it("keeps the controls disabled once the record shows the transfer", async () => {
    const h = await live();
    h.joined.resolve();
    await flush();
    vi.useFakeTimers();
    try {
      stillInProgress(h);
      await h.session.transfer("+15555550177");
      await vi.advanceTimersByTimeAsync(5_000);
      h.session.callUpdated(call({ status: "transferring" }));
      await vi.advanceTimersByTimeAsync(TRANSFER_TIMEOUT_MS * 2);
      expect(h.session.view.ending).toBe(true);
      expect(h.session.view.notices.map((n) => n.text)).not.toContain("The transfer did not go through; the call is still yours.");
    } finally {
      vi.useRealTimers();
    }
  });
});
