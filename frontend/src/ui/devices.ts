/**
 * Microphone and speaker pickers. The lists come from the Chime SDK's device controller (loaded with
 * the call screen); the choice is kept in localStorage. The microphone applies to the call's
 * getUserMedia (preferredMicConstraints) and is reopened at once; the speaker is the monitor element
 * the agent hears through (setSinkId), not the SDK's muted meeting element.
 */

import { h } from "./dom";

const MIC_KEY = "calldesk.mic";
const SPEAKER_KEY = "calldesk.speaker";

function stored(key: string): string {
  try {
    return localStorage.getItem(key) ?? "";
  } catch {
    return "";
  }
}

function store(key: string, value: string): void {
  try {
    if (value) localStorage.setItem(key, value);
    else localStorage.removeItem(key);
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}

/** The call's microphone request, with the agent's chosen device if there is one. */
export function preferredMicConstraints(constraints: MediaStreamConstraints): MediaStreamConstraints {
  const id = stored(MIC_KEY);
  if (!id || typeof constraints.audio !== "object") return constraints;
  return { ...constraints, audio: { ...constraints.audio, deviceId: { ideal: id } } };
}

type SinkElement = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

export class DevicePicker {
  readonly element: HTMLElement;
  private readonly mic = h("select", { id: "device-mic" });
  private readonly speaker = h("select", { id: "device-speaker" });
  private readonly speakerField: HTMLElement;
  private readonly note = h("p", { class: "hint", id: "device-note", role: "status" });

  /** @param reopenMic asks the call to open the microphone again (with the new choice). */
  constructor(
    private readonly monitor: SinkElement,
    private readonly reopenMic: () => void,
  ) {
    this.speakerField = h("div", { class: "field" }, h("label", { for: "device-speaker" }, "Speaker"), this.speaker);
    this.speakerField.hidden = typeof monitor.setSinkId !== "function";
    this.mic.addEventListener("change", () => {
      store(MIC_KEY, this.mic.value);
      this.reopenMic();
      this.note.textContent = `Microphone: ${this.mic.selectedOptions[0]?.textContent ?? "default"}.`;
    });
    this.speaker.addEventListener("change", () => void this.applySpeaker(true));
    this.element = h(
      "details",
      { class: "devices" },
      h("summary", null, "Microphone and speaker"),
      h("div", { class: "field" }, h("label", { for: "device-mic" }, "Microphone"), this.mic),
      this.speakerField,
      this.note,
    );
    this.element.addEventListener("toggle", () => {
      if ((this.element as HTMLDetailsElement).open) void this.refresh();
    });
    void this.applySpeaker(false);
  }

  /** Lists the devices through the SDK's device controller (labels appear once the mic is allowed). */
  async refresh(): Promise<void> {
    try {
      const { ConsoleLogger, DefaultDeviceController, LogLevel } = await import("amazon-chime-sdk-js");
      const controller = new DefaultDeviceController(new ConsoleLogger("devices", LogLevel.WARN));
      try {
        const [inputs, outputs] = await Promise.all([controller.listAudioInputDevices(true), controller.listAudioOutputDevices(true)]);
        this.fill(this.mic, inputs, stored(MIC_KEY), "microphone");
        this.fill(this.speaker, outputs, stored(SPEAKER_KEY), "speaker");
      } finally {
        await controller.destroy().catch(() => undefined);
      }
    } catch (error) {
      this.note.textContent = `Couldn't list audio devices: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  private fill(select: HTMLSelectElement, devices: MediaDeviceInfo[], chosen: string, kind: string): void {
    const options = [h("option", { value: "" }, `System default ${kind}`)];
    devices
      .filter((device) => device.deviceId && device.deviceId !== "default")
      .forEach((device, index) => options.push(h("option", { value: device.deviceId }, device.label || `${kind} ${index + 1}`)));
    select.replaceChildren(...options);
    select.value = options.some((option) => option.value === chosen) ? chosen : "";
  }

  private async applySpeaker(chosenNow: boolean): Promise<void> {
    if (chosenNow) store(SPEAKER_KEY, this.speaker.value);
    if (typeof this.monitor.setSinkId !== "function") return;
    const id = stored(SPEAKER_KEY);
    if (!id && !chosenNow) return;
    try {
      await this.monitor.setSinkId(id);
      if (chosenNow) this.note.textContent = `Speaker: ${this.speaker.selectedOptions[0]?.textContent ?? "default"}.`;
    } catch (error) {
      this.note.textContent = `Couldn't use that speaker: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
