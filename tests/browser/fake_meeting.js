// Test double for the client's MeetingConnection (frontend/src/call/meeting.ts), injected by the
// browser tests with Playwright's add_init_script, so it is never part of the built client. It
// replaces amazon-chime-sdk-js and nothing else: it joins the fake Chime media server
// (tests/browser/fakes/chime_media.py) over real WebRTC, so the caller's audio arrives as a remote
// WebRTC stream and what the client sets as meeting input leaves as a real outgoing track, just as
// with Chime. Everything else in the page is the real client.
//
// Audio input as ChimeMeetingConnection drives amazon-chime-sdk-js 3.32: the SDK is handed a clone
// of the client's track, swaps it onto the audio sender with RTCRtpSender.replaceTrack (its
// replaceLocalAudio; no renegotiation) and stops the clone it sent before. `window.__fakeMeeting`
// is the live connection, for the bench to find the tracks it sends and receives.
(() => {
  const log = (window.__fakeMeetingLog = []);

  function iceGathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 2000);
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  function connected(pc, ms) {
    if (pc.connectionState === "connected") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("fake meeting: media did not connect")), ms);
      pc.addEventListener("connectionstatechange", () => {
        if (pc.connectionState === "connected") {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  class FakeMeetingConnection {
    constructor() {
      this.pc = null;
      this.sender = null;
      this.sent = null;
      this.callerTrack = null;
      this.url = null;
      this.token = null;
      this.left = false;
    }

    async join(info, input, handlers) {
      const pc = new RTCPeerConnection();
      this.pc = pc;
      this.sent = input.getAudioTracks()[0].clone();
      this.sender = pc.addTrack(this.sent);
      window.__fakeMeeting = this;
      const channel = pc.createDataChannel("meeting");
      channel.onmessage = (message) => {
        const event = JSON.parse(message.data);
        log.push(["event", event.type]);
        if (event.type === "meeting_ended" && !this.left) handlers.ended("meeting_ended", "The call's meeting has ended.");
      };
      pc.ontrack = (event) => {
        this.callerTrack = event.track;
        handlers.remoteAudio(event.streams[0] || new MediaStream([event.track]));
      };
      pc.onconnectionstatechange = () => {
        const state = pc.connectionState;
        if (state === "connected") handlers.connection("connected");
        else if (state === "disconnected") handlers.connection("reconnecting");
        else if (state === "failed" && !this.left) handlers.ended("failed", "Call audio failed.");
      };
      handlers.connection("connecting");

      await pc.setLocalDescription(await pc.createOffer());
      await iceGathered(pc);
      this.url = `${info.meeting.MediaPlacement.SignalingUrl}/attendees/${info.attendee.AttendeeId}`;
      this.token = info.attendee.JoinToken;
      const response = await fetch(this.url, {
        method: "POST",
        headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/sdp" },
        body: pc.localDescription.sdp,
      });
      if (!response.ok) throw new Error(`meeting join refused (HTTP ${response.status})`);
      await pc.setRemoteDescription({ type: "answer", sdp: await response.text() });
      await connected(pc, 15000);
      log.push(["joined", info.meeting.MeetingId]);
    }

    async setAudioInput(stream) {
      log.push(["setAudioInput"]);
      const previous = this.sent;
      this.sent = stream.getAudioTracks()[0].clone();
      await this.sender.replaceTrack(this.sent);
      previous.stop();
    }

    async leave() {
      this.left = true;
      if (this.sent) this.sent.stop();
      if (this.pc) this.pc.close();
      if (this.url) {
        await fetch(this.url, { method: "DELETE", headers: { Authorization: `Bearer ${this.token}` } }).catch(() => undefined);
      }
      log.push(["left"]);
    }
  }

  window.__calldeskMeetingFactory = () => new FakeMeetingConnection();
})();
